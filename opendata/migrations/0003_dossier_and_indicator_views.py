"""Two more public layers as views of public columns only (see 0001_public_views): dossiers
counted per commune and month, and indicator values per commune and period.

`opendata_dossier_month` sums procedures' daily tally (procedures.DossierDailyTally): counts
only, no dossier, applicant, address or point. `opendata_indicator_value` holds the approved
values (ValueStatus.APPROVED: a draft or a value awaiting review is not published) entered on
communes. Both name their days `valid_from` and `valid_to` (the month's or the period's first
and last day), so OGC API's `datetime` selects them as it selects the communes' validity.
"""

from django.db import migrations

DOSSIER_MONTH_VIEW = """
CREATE VIEW opendata_dossier_month AS
SELECT
    a.id::text || '-' || to_char(date_trunc('month', t.day), 'YYYY-MM') AS id,
    a.code AS commune_code,
    a.name AS commune_name,
    to_char(date_trunc('month', t.day), 'YYYY-MM') AS month,
    date_trunc('month', t.day)::date AS valid_from,
    (date_trunc('month', t.day) + interval '1 month - 1 day')::date AS valid_to,
    sum(t.received)::integer AS received,
    sum(t.finished)::integer AS finished,
    sum(t.early + t.on_time)::integer AS on_time,
    sum(t.late)::integer AS late,
    a.boundary
FROM procedures_dossierdailytally t
JOIN wards_area a ON a.id = t.area_id
WHERE a.level = 'commune'
GROUP BY a.id, date_trunc('month', t.day)
"""

INDICATOR_VALUE_VIEW = """
CREATE VIEW opendata_indicator_value AS
SELECT
    v.id,
    i.code AS indicator,
    i.unit,
    v.period,
    v.period_start AS valid_from,
    v.period_end AS valid_to,
    a.code AS commune_code,
    a.name AS commune_name,
    v.value,
    v.numerator,
    v.denominator,
    a.boundary
FROM indicators_indicatorvalue v
JOIN indicators_indicator i ON i.id = v.indicator_id
JOIN wards_area a ON a.id = v.area_id
WHERE a.level = 'commune' AND v.status = 'approved'
"""


class Migration(migrations.Migration):
    dependencies = [
        ("opendata", "0002_report_grid"),
        ("procedures", "0001_catalogue_dossiers_legs"),
        ("indicators", "0002_computed_indicators_and_validation_rules"),
    ]

    operations = [
        migrations.RunSQL(DOSSIER_MONTH_VIEW, "DROP VIEW opendata_dossier_month"),
        migrations.RunSQL(INDICATOR_VALUE_VIEW, "DROP VIEW opendata_indicator_value"),
    ]
