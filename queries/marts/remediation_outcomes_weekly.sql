-- remediation_outcomes_weekly
-- purpose: each completed remediation request as of the end of each ISO week with a Telnyx run,
--   using only what was collected by then: its buckets, how its remediated numbers came out
--   (only data refreshed after completion counts) and its durable success rate. A past week's
--   rows never change when later data arrives.
-- grain: ISO week x remediation request (of one Telnyx account) (requests completed before the week's end)
-- since_column: iso_week
-- key: account, iso_week, request_id
-- materialized: view
-- columns:
--   account: the Telnyx account that submitted it, as named in callrep.toml (default: the single account)
--   iso_week: ISO week label (2026-W46); its end is the cut-off
--   week_ends_at: the cut-off, exclusive: Monday 00:00 UTC after the week
--   request_id: Telnyx remediation request id
--   enterprise_id: Telnyx enterprise that submitted it
--   tier2_completed_at: when the request completed
--   window_ends_at: tier2_completed_at + 30 days
--   is_window_closed: window_ends_at <= week_ends_at
--   remediated: numbers in the remediated bucket
--   requires_review: numbers in the requires_review bucket
--   refused: numbers in the refused bucket
--   stayed_clean: remediated numbers that stayed clean, as of the week's end
--   reflagged: remediated numbers high again within 30 days, as of the week's end
--   unmonitored: remediated numbers with a closed window and no data settling it, as of the week's end
--   success_rate: Telnyx's label rate: remediated / (remediated + requires_review + refused); null when that is 0
--   durable_success_rate: stayed_clean / (remediated + requires_review + refused) for a closed window; else null

with states as (
    select * from int_remediation_number_states where as_of <> 'now'
),

per_request as (
    select
        account,
        as_of as iso_week,
        cutoff as week_ends_at,
        request_id,
        any_value(enterprise_id) as enterprise_id,
        any_value(tier2_completed_at) as tier2_completed_at,
        any_value(window_ends_at) as window_ends_at,
        bool_or(is_window_closed) as is_window_closed,
        count(distinct phone_number) filter (where bucket = 'remediated') as remediated,
        count(distinct phone_number) filter (where bucket = 'requires_review') as requires_review,
        count(distinct phone_number) filter (where bucket = 'refused') as refused,
        count(*) filter (where outcome = 'stayed_clean') as stayed_clean,
        count(*) filter (where outcome = 'reflagged') as reflagged,
        count(*) filter (where outcome = 'unmonitored') as unmonitored,
    from states
    group by account, as_of, cutoff, request_id
),

final as (
    select
        *,
        remediated / nullif(remediated + requires_review + refused, 0) as success_rate,
        case
            when is_window_closed
                then stayed_clean / nullif(remediated + requires_review + refused, 0)
        end as durable_success_rate,
    from per_request
)

select * from final
