-- notes_orphan_callbacks
-- purpose: Plivo status callbacks received before the report week's end for numbers that no
--   successful Plivo snapshot collected before then holds (a callback URL set on a number
--   callrep does not collect, or a number typed differently), newest number first.
-- grain: phone number
-- key: phone_number
-- parameters: $as_of (the Monday after the report week, 00:00 UTC), $limit
with callbacks as (
    select * from stg_plivo__status_callbacks
    where received_at < $as_of::timestamptz
),

snapshots as (
    select distinct phone_number
    from stg_plivo__number_snapshots
    where collected_at < $as_of::timestamptz
),

orphans as (
    select
        callbacks.phone_number,
        count(*) as callbacks,
        min(callbacks.received_at) as first_received_at,
        max(callbacks.received_at) as last_received_at,
    from callbacks
    anti join snapshots on snapshots.phone_number = callbacks.phone_number
    group by callbacks.phone_number
),

final as (
    select
        *,
        count(*) over () as total_numbers,
    from orphans
    order by last_received_at desc, phone_number
    limit $limit
)

select * from final
