"""Dossier rules: codes, statuses, lateness, validation of staff input, what citizens read.

A dossier (hồ sơ) is what a citizen handed in at the one-stop desk. Its code is
printed on the receipt (giấy tiếp nhận và hẹn trả kết quả), e.g.
`000.00.12.H12-250312-0042`: agency code, receipt date YYMMDD, sequence.

Times are aware datetimes (the rule is in `bot.core.clock`); calendar rules,
such as a date-only appointment lasting its whole day, follow Vietnam time.
Nothing here touches a database.

- `codes`: the dossier-code pattern, reading typed codes.
- `status`: statuses, the `Dossier` record, lateness.
- `validation`: checking staff input field by field (CSV rows, pushed JSON).
- `planning`: deciding what an import or a push creates, updates or skips.
- `wording`: what the citizen reads (next step, status report, notification).

Phone numbers are in `bot.core.contact`, the collection `Place` in
`bot.core.office`, demo data in `bot.cli.demo_data`.
"""
