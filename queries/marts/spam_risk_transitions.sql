-- spam_risk_transitions
-- purpose: every change of a number's spam risk between two consecutive days on which it was
--   observed (each day's latest successful run); days without an observation are skipped.
-- grain: account x phone number x change
-- since_column: observed_on
-- key: account, phone_number, observed_on
-- materialized: incremental
-- incremental_on: observed_on
-- columns:
--   account: the Telnyx account, as named in callrep.toml (default: the single account)
--   enterprise_id: Telnyx enterprise the number belonged to when the change was observed
--   phone_number: E.164 phone number
--   from_risk: risk on the previous observed day (low, medium, high, unknown)
--   to_risk: risk on observed_on (low, medium, high, unknown)
--   observed_on: UTC day on which the new risk was first observed
--   previous_observed_on: the previous UTC day on which the number was observed

with events as (
    select * from int_telnyx_number_events
),

enterprises as (
    select * from int_telnyx_enterprise_days
),

changes as (
    select *
    from events
    where observed_on >= getvariable('callrep_since')
        and prev_risk_code is not null
        and prev_risk_code <> risk_code
),

final as (
    select
        c.account,
        e.enterprise_id,
        '+' || c.phone_key as phone_number,
        (['unknown', 'low', 'medium', 'high'])[c.prev_risk_code + 1] as from_risk,
        (['unknown', 'low', 'medium', 'high'])[c.risk_code + 1] as to_risk,
        c.observed_on,
        c.prev_observed_on as previous_observed_on,
    from changes as c
    join enterprises as e on e.observed_on = c.observed_on and e.enterprise_key = c.enterprise_key
)

select * from final
