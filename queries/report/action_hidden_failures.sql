-- action_hidden_failures
-- order: 3
-- title: Plivo hidden carrier failures
-- description: A carrier reports FAILED while the merged status still reads ACTIVE or PENDING;
--   the merged field hides it.
-- sources: plivo
-- export: plivo_carrier_status
-- empty: No hidden carrier failure.
-- next_step: "<carriers> registration failed: review the profile against Plivo's requirements,
--   then re-enable the number" (Plivo reports no reason after the enable call; re-enabling
--   retries only the failed carriers).
-- purpose: Plivo numbers with a carrier FAILED while the merged status reads ACTIVE or PENDING,
--   as of the week's last Plivo run. Most severe first: merged ACTIVE (looks fine), then both
--   carriers failed.
-- grain: account x phone number
-- key: account, phone_number
-- parameters: $limit
-- alert: carrier-failed
-- alert_subject: account, phone_number
-- alert_label: phone_number
-- columns:
--   phone_number: Number [phone]
--   company_name: Business
--   ein: EIN
--   merged_status: Merged [status]
--   att_status: AT&T [status]
--   tmobile_status: T-Mobile [status]
--   att_decided_at: AT&T decided [datetime]
--   tmobile_decided_at: T-Mobile decided [datetime]
--   next_step: Next step
with failures as (
    select * from report_plivo_status
    where period = 'current' and hidden_failure
),

final as (
    select
        account,
        number as phone_number,
        ein,
        company_name,
        merged_status,
        att_status,
        tmobile_status,
        caller_reputation,
        att_decided_at,
        tmobile_decided_at,
        case
            when att_status = 'FAILED' and tmobile_status = 'FAILED' then 'AT&T and T-Mobile'
            when att_status = 'FAILED' then 'AT&T'
            else 'T-Mobile'
        end || ' registration failed: review the profile against Plivo''s requirements, '
            || 'then re-enable the number' as next_step,
        count(*) over () as total_rows,
    from failures
    order by
        (merged_status = 'ACTIVE') desc,
        (att_status = 'FAILED' and tmobile_status = 'FAILED') desc,
        number,
        account
    limit $limit
)

select * from final
