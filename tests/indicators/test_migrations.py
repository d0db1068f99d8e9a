"""The formula and weight migration goes back and forth: back removes the two columns and their
constraints, forward adds them again."""

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
        migrate(FORMULA_MIGRATION)
    assert indicator_columns_and_constraints() == (
        {"formula", "weight_indicator_id"},
        {"indicator_formula_iff_kind_formula", "indicator_weight_iff_weighted_mean"},
    )
