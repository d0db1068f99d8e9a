"""The planners' group migration goes back and forth: back removes the permission from the
leaders and administrators (their groups stay) and deletes the planners' group."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

GROUP_MIGRATION = ("spatial_reports", "0002_planners_group")
BEFORE = ("spatial_reports", "0001_export_jobs")


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def permission_holders() -> list[str]:
    return sorted(
        Group.objects.filter(permissions__codename="use_spatial_reports").values_list(
            "name", flat=True
        )
    )


@pytest.mark.django_db(transaction=True)
def test_the_group_migration_is_reversible() -> None:
    # From before the migration, whatever an earlier transactional test's flush left.
    migrate(BEFORE)
    try:
        migrate(GROUP_MIGRATION)
        assert permission_holders() == ["Chuyên viên quy hoạch", "Lãnh đạo", "Quản trị viên"]

        migrate(BEFORE)
        assert permission_holders() == []
        assert not Group.objects.filter(name="Chuyên viên quy hoạch").exists()
        assert Group.objects.filter(name__in=["Lãnh đạo", "Quản trị viên"]).count() == 2
    finally:
        migrate(GROUP_MIGRATION)

    assert permission_holders() == ["Chuyên viên quy hoạch", "Lãnh đạo", "Quản trị viên"]
