-- stg_plivo__status_callbacks
-- purpose: Plivo status callbacks (one carrier's final decision) as typed rows: the number in
--   E.164 (as for snapshots), the time received in UTC, and whether it is a documented decision
--   (carrier att or tmobile, status ACTIVE or FAILED). One row per decision delivered: deliveries
--   of the same number, carrier and status at the same instant (stored apart only because an extra
--   field differed) are one, the first by callback_key.
-- grain: one callback delivery (account x number x carrier x status x received instant)
-- key: account, phone_number, carrier, status, received_at
-- materialized: view

with

callbacks as (
    select * from plivo_status_callbacks
),

renamed as (
    select
        callback_key,
        account,
        case
            when regexp_full_match(trim(number), '[0-9]+') then '+' || trim(number)
            else trim(number)
        end as phone_number,
        lower(trim(carrier)) as carrier,
        upper(trim(status)) as status,
        profile_uuid,
        received_at::timestamptz as received_at,
        timezone('UTC', received_at::timestamptz) as received_at_utc,
        ingested_at::timestamptz as ingested_at,
    from callbacks
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (
        partition by account, phone_number, carrier, status, received_at order by callback_key
    ) = 1
),

final as (
    select
        *,
        carrier in ('att', 'tmobile') and status in ('ACTIVE', 'FAILED') as is_decision,
    from deduplicated
)

select * from final
