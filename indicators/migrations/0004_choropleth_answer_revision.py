"""The revision of every aggregated answer (issue 12: the cached choropleth): a number that
changes with each committed transaction that wrote to a table an answer depends on (values,
targets, the catalogue, areas, successions), renewed by statement-level triggers, so that a
write by raw SQL (an import, `psql`) invalidates the cache as surely as one by the services.

Why a log and not one counter row: an UPDATE of a single row by every writing statement would
hold that row's lock until commit, so every writer of indicator values (an import of 100,000
rows, an officer saving a form) would wait for the others, and two could deadlock on it. Instead
each writing transaction inserts its own id into `indicators_answer_change` (no two writers touch
the same row, nobody waits); the revision is `indicators_answer_revision.revision` plus the
number of those rows, which grows by one exactly when a writer commits (a row becomes visible at
its transaction's commit, with the data it wrote). The log is folded into the counter from time
to time by one statement (indicators/selectors/choropleth.py), which leaves the sum unchanged.
"""

from django.db import migrations

# Every table an aggregated answer reads.
WATCHED = (
    "indicators_indicatorvalue",
    "indicators_indicatortarget",
    "indicators_indicator",
    "wards_area",
    "wards_areasuccession",
)

INSTALL = """
CREATE TABLE indicators_answer_revision (
    single boolean PRIMARY KEY DEFAULT true CHECK (single),
    revision bigint NOT NULL
);
INSERT INTO indicators_answer_revision (revision) VALUES (0);
CREATE TABLE indicators_answer_change (transaction_id xid8 PRIMARY KEY);
CREATE FUNCTION indicators_answers_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- One row per writing transaction, whatever number of statements it runs.
    INSERT INTO indicators_answer_change VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
""" + "".join(
    f"""
CREATE TRIGGER indicators_answers_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION indicators_answers_changed();
"""
    for table in WATCHED
)

REMOVE = (
    "".join(f"DROP TRIGGER indicators_answers_changed ON {table};\n" for table in WATCHED)
    + """
DROP FUNCTION indicators_answers_changed();
DROP TABLE indicators_answer_change;
DROP TABLE indicators_answer_revision;
"""
)


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0003_formula_and_weighted_mean"),
        ("wards", "0005_area_outline_for_maps"),
    ]

    operations = [migrations.RunSQL(INSTALL, REMOVE)]
