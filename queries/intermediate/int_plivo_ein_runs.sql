-- int_plivo_ein_runs
-- purpose: each business (EIN) of one account at each successful Plivo collection that saw one
--   of its enabled numbers: when its first carrier turned ACTIVE (the decision time of
--   int_plivo_carrier_status_runs, never later than the collection) and on which profile. The
--   few rows int_plivo_ein_registrations needs, kept incrementally so that a new collection
--   adds its own rows instead of re-reading every number at every collection.
-- grain: business (EIN) of one account x successful Plivo run with an enabled number
-- key: account, ein, run_seq
-- materialized: incremental
-- incremental_on: collected_at

with

status_runs as (
    select * from int_plivo_carrier_status_runs
    where collected_at >= getvariable('callrep_since')
        and caller_reputation = 'enabled'
        and ein is not null
),

states as (
    -- when the number's first carrier turned ACTIVE, never later than this collection
    select
        *,
        case
            when 'ACTIVE' in (att_status, tmobile_status) then least(
                case when att_status = 'ACTIVE' then att_decided_at end,
                case when tmobile_status = 'ACTIVE' then tmobile_decided_at end,
                collected_at
            )
        end as active_at,
    from status_runs
),

final as (
    select
        account,
        ein,
        run_seq,
        collected_at,
        min(active_at) as first_active_at,
        arg_min(profile_uuid, active_at) as first_active_profile_uuid,
        min(ein_status) as ein_status,
    from states
    group by account, ein, run_seq, collected_at
)

select * from final
