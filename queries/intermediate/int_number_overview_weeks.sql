-- int_number_overview_weeks
-- purpose: number_overview as of the end of every ISO week: each number as the week's last
--   successful Telnyx run and the week's last successful Plivo run saw it, with the flags of
--   int_number_overview_flags. The weekly report reads its week's rows, so a past week shows the
--   same facts later. A view: readers filter it to one week_start (the filter reaches the runs,
--   so one week reads only its two runs' rows).
-- grain: ISO week x account x phone number (E.164) in that week's last Telnyx snapshot, Plivo
--   number snapshot or Plivo verified caller IDs of the account
-- key: week_start, account, phone_number
-- materialized: view

with flagged as (
    select * from int_number_overview_flags
    where scope = 'week'
),

final as (
    select * exclude (scope) from flagged
)

select * from final
