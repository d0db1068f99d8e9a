"""The catalogue's revision (issue 10: filing 500 reports a second in one process): a number that
changes with every write to the categories or their questions, so that a process may keep the
categories it files reports in and still file none against a catalogue that has changed.

A one-row table, set by statement triggers on both tables (insert, update, delete, truncate) to
the next value of a sequence: a sequence never gives a value twice, even when the transaction that
took it rolls back, so a revision a process once saw, in a transaction later rolled back, never
comes back to stand for another catalogue. The filing statement writes the report only while the
revision is the one its kept category was read at (`incidents.services.filing`); against a
changed catalogue it writes nothing, and the report is filed again on the category read anew.
"""

from django.db import migrations

_FORWARD = """
CREATE SEQUENCE incidents_catalogue_revision_seq;
CREATE TABLE incidents_catalogue_revision (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    revision bigint NOT NULL
);
INSERT INTO incidents_catalogue_revision (revision)
VALUES (nextval('incidents_catalogue_revision_seq'));

CREATE FUNCTION incidents_catalogue_revision_next() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incidents_catalogue_revision SET revision = nextval('incidents_catalogue_revision_seq');
    RETURN NULL;
END
$$;

CREATE TRIGGER incidents_category_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents_category
FOR EACH STATEMENT EXECUTE FUNCTION incidents_catalogue_revision_next();
CREATE TRIGGER incidents_categoryattribute_revision
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON incidents_categoryattribute
FOR EACH STATEMENT EXECUTE FUNCTION incidents_catalogue_revision_next();
"""

_REVERSE = """
DROP TRIGGER incidents_categoryattribute_revision ON incidents_categoryattribute;
DROP TRIGGER incidents_category_revision ON incidents_category;
DROP FUNCTION incidents_catalogue_revision_next();
DROP TABLE incidents_catalogue_revision;
DROP SEQUENCE incidents_catalogue_revision_seq;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0019_hotspots_from_pending_changes"),
    ]

    operations = [migrations.RunSQL(sql=_FORWARD, reverse_sql=_REVERSE)]
