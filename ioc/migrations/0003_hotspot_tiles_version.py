"""The version of the hotspot summary for the hotspot tiles' cache (ioc/hotspot_tiles.py): a
sequence that every statement writing `incidents_incidenthotspotcell` advances.

A sequence, not a counter row: nextval takes no row lock and is not rolled back, so concurrent
filings never wait on each other for it (a rolled-back filing only makes the cached tiles
unreachable once more, which is harmless)."""

from django.db import migrations

FORWARD = """
CREATE SEQUENCE ioc_hotspot_tiles_version;
CREATE FUNCTION ioc_hotspot_tiles_version_advance() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM nextval('ioc_hotspot_tiles_version');
    RETURN NULL;
END;
$$;
CREATE TRIGGER ioc_hotspot_tiles_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents_incidenthotspotcell
FOR EACH STATEMENT EXECUTE FUNCTION ioc_hotspot_tiles_version_advance();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ioc_hotspot_tiles_version ON incidents_incidenthotspotcell;
DROP FUNCTION IF EXISTS ioc_hotspot_tiles_version_advance();
DROP SEQUENCE IF EXISTS ioc_hotspot_tiles_version;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("ioc", "0002_weekly_report_pdf"),
        ("incidents", "0015_summaries_resolve_day_and_hotspot_cells"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
