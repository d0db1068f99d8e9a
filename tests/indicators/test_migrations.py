"""The formula and weight migration, and the answers' revision (tables, function and triggers), go
back and forth: back removes what they add, forward adds it again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

FORMULA_MIGRATION = ("indicators", "0003_formula_and_weighted_mean")
BEFORE = ("indicators", "0002_computed_indicators_and_validation_rules")


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def migrate_to_the_latest() -> None:
    """Forward to the app's last migration, which later tests of the session need."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("indicators"))


def indicator_columns_and_constraints() -> tuple[set[str], set[str]]:
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, "indicators_indicator")
        constraints = connection.introspection.get_constraints(cursor, "indicators_indicator")
    columns = {column.name for column in description} & {"formula", "weight_indicator_id"}
    return columns, set(constraints) & {
        "indicator_formula_iff_kind_formula",
        "indicator_weight_iff_weighted_mean",
    }


@pytest.mark.django_db(transaction=True)
def test_the_formula_and_weight_migration_is_reversible() -> None:
    migrate(FORMULA_MIGRATION)
    try:
        migrate(BEFORE)
        assert indicator_columns_and_constraints() == (set(), set())
    finally:
        migrate_to_the_latest()
    assert indicator_columns_and_constraints() == (
        {"formula", "weight_indicator_id"},
        {"indicator_formula_iff_kind_formula", "indicator_weight_iff_weighted_mean"},
    )


def answer_revision_objects() -> tuple[set[str], int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE tablename LIKE 'indicators_answer_%%'"
        )
        tables = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'indicators_answers_changed'"
        )
        (triggers,) = cursor.fetchone()
    return tables, triggers


@pytest.mark.django_db(transaction=True)
def test_the_answer_revision_migration_is_reversible() -> None:
    migrate_to_the_latest()
    try:
        migrate(FORMULA_MIGRATION)
        assert answer_revision_objects() == (set(), 0)
    finally:
        migrate_to_the_latest()
    assert answer_revision_objects() == (
        {"indicators_answer_revision", "indicators_answer_change"},
        5,
    )
