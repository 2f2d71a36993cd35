-- stg_plivo__verified_caller_ids
-- purpose: verified caller IDs of successful Plivo runs, the number in E.164.
-- grain: verified caller ID x successful run (rows without a number are left out)
-- key: run_id, phone_number
-- materialized: view

with

runs as (
    select * from stg_plivo__runs
),

caller_ids as (
    select * from plivo_verified_caller_ids
),

renamed as (
    select
        caller_ids.run_id,
        runs.account,
        runs.run_seq,
        runs.collected_at,
        case
            when regexp_full_match(trim(caller_ids.phone_number), '[0-9]+')
                then '+' || trim(caller_ids.phone_number)
            else trim(caller_ids.phone_number)
        end as phone_number,
        caller_ids.alias,
        caller_ids.country,
        caller_ids.verification_uuid,
    from caller_ids
    inner join runs on runs.run_id = caller_ids.run_id
    where caller_ids.phone_number is not null
),

final as (
    select * from renamed
    qualify row_number() over (partition by run_id, phone_number order by verification_uuid) = 1
)

select * from final
