"""The public layers as database views holding only public columns.

Every open interface (OGC API – Features, vector tiles, the daily open-data files) reads these
views and nothing else, so a reporter's name, phone, e-mail, token, address, attributes or
internal note cannot reach them by a forgotten column: the views do not have such columns
(tests/opendata/test_privacy.py compares them with an allow-list).

`opendata_public_report` applies the one public rule of incidents.models.public_incidents_sql
(a report marked public that was not rejected as spam); the rule is written out here because a
view's text is fixed when it is created; a change of the rule needs a migration replacing the
view, and the privacy test compares the two.
"""

from django.db import migrations

PUBLIC_REPORT_VIEW = """
CREATE VIEW opendata_public_report AS
SELECT
    i.id,
    i.tracking_code,
    c.code AS category,
    i.status,
    i.reported_at,
    -- The summary of the public map (incidents.models.PUBLIC_SUMMARY_LENGTH characters), or
    -- nothing while the description is hidden.
    CASE WHEN i.description_hidden THEN NULL ELSE left(i.description, 140) END AS summary,
    i.supporters_count,
    a.code AS commune_code,
    i.location
FROM incidents_incident i
JOIN incidents_category c ON c.id = i.category_id
JOIN wards_area a ON a.id = i.area_id
WHERE i.is_public AND NOT (i.status = 'rejected' AND i.rejection_reason = 'spam')
"""

COMMUNE_VIEW = """
CREATE VIEW opendata_commune AS
SELECT id, code, name, area_type, valid_from, valid_to, area_km2, is_approximate, boundary
FROM wards_area
WHERE level = 'commune'
"""


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0009_unhide_event_actions"),
        ("wards", "0004_area_pieces_fill"),
    ]

    operations = [
        migrations.RunSQL(PUBLIC_REPORT_VIEW, "DROP VIEW opendata_public_report"),
        migrations.RunSQL(COMMUNE_VIEW, "DROP VIEW opendata_commune"),
    ]
