"""The hotspot tiles' version advances only for a statement that changed a row of the hotspot
summary (issue 13).

Since incidents 0019 the summary is written by the fold of the pending changes every few
seconds, not by each filing. A statement trigger fires for every statement that names the
table, rows or none (an upsert whose SELECT is empty included), so 0003's would advance the
version at every fold and make every cached tile unreachable every few seconds. These triggers
see the statement's rows (transition tables, one event per trigger as PostgreSQL requires) and
advance it only when there are some; TRUNCATE has no rows to show and always advances it.
"""

from django.db import migrations

_EVENTS = {
    "insert": "NEW TABLE AS changed_rows",
    "update": "NEW TABLE AS changed_rows",
    "delete": "OLD TABLE AS changed_rows",
}

FORWARD = (
    "DROP TRIGGER IF EXISTS ioc_hotspot_tiles_version ON incidents_incidenthotspotcell;\n"
    """CREATE FUNCTION ioc_hotspot_tiles_version_advance_if_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT FROM changed_rows) THEN
        PERFORM nextval('ioc_hotspot_tiles_version');
    END IF;
    RETURN NULL;
END;
$$;
"""
    + "".join(
        f"""CREATE TRIGGER ioc_hotspot_tiles_version_{event}
AFTER {event.upper()} ON incidents_incidenthotspotcell REFERENCING {referencing}
FOR EACH STATEMENT EXECUTE FUNCTION ioc_hotspot_tiles_version_advance_if_changed();
"""
        for event, referencing in _EVENTS.items()
    )
    # TRUNCATE: 0003's function, which advances it unconditionally.
    + """CREATE TRIGGER ioc_hotspot_tiles_version_truncate
AFTER TRUNCATE ON incidents_incidenthotspotcell
FOR EACH STATEMENT EXECUTE FUNCTION ioc_hotspot_tiles_version_advance();
"""
)

BACKWARD = (
    "".join(
        f"DROP TRIGGER IF EXISTS ioc_hotspot_tiles_version_{event} "
        "ON incidents_incidenthotspotcell;\n"
        for event in (*_EVENTS, "truncate")
    )
    + "DROP FUNCTION IF EXISTS ioc_hotspot_tiles_version_advance_if_changed();\n"
    # 0003's trigger, as it made it (its function was kept).
    + """CREATE TRIGGER ioc_hotspot_tiles_version
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents_incidenthotspotcell
FOR EACH STATEMENT EXECUTE FUNCTION ioc_hotspot_tiles_version_advance();
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("ioc", "0003_hotspot_tiles_version"),
        ("incidents", "0019_hotspots_from_pending_changes"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
