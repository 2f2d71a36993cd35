-- headline_cost
-- purpose: monthly cost per provider: the observed month of the report week's end and the first
--   full projected month (the month after the latest snapshot's; projections are made by the
--   models from the latest snapshot). Telnyx's projection of the rest of the latest snapshot's
--   month is partial, so it is not the headline.
-- grain: provider x month x kind
-- key: provider, month, kind
-- parameters: $week_end (the report week's Sunday)
with telnyx as (
    select 'Telnyx' as provider, month, kind, sum(total_usd) as usd
    from telnyx_cost_monthly
    group by month, kind
),

plivo as (
    select 'Plivo' as provider, month, kind, sum(charge_usd) as usd
    from plivo_ein_cost_monthly
    group by month, kind
),

both_providers as (
    select * from telnyx
    union all
    select * from plivo
),

first_full_projection as (
    select provider, min(month) as month
    from both_providers
    where kind = 'projected'
        and month > (select max(b.month) from both_providers as b where b.kind = 'observed')
    group by provider
),

final as (
    select both_providers.provider, both_providers.month, both_providers.kind,
        both_providers.usd::double as usd,
    from both_providers
    left join first_full_projection
        on first_full_projection.provider = both_providers.provider
        and first_full_projection.month = both_providers.month
    where (both_providers.kind = 'observed'
            and both_providers.month = date_trunc('month', $week_end::date))
        or (both_providers.kind = 'projected' and first_full_projection.month is not null)
)

select * from final
