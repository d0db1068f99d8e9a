"""The directives benchmark's loader (benchmarks/directives.py): the recurring series it makes are
live tasks, so the recurrence figure has occurrences to create. The first version picked every
hundredth task by id, and those were all cancelled (every twentieth position is), which ends a
series: the catch-up created nothing."""

from __future__ import annotations

import datetime

import pytest

from benchmarks.directives import _fill, _locate_and_recur
from directives.models import Task
from directives.recurrence import directives_create_occurrences
from geoapp.clock import VIETNAM_TIME_ZONE

pytestmark = pytest.mark.django_db


def test_the_series_are_live_tasks_and_the_catch_up_creates_their_occurrences() -> None:
    _fill(400)
    # A series left on a cancelled task by the older loader is cleared.
    stale = Task.objects.filter(status="cancelled").order_by("id").first()
    assert stale is not None
    Task.objects.filter(pk=stale.pk).update(recurrence="monthly")
    _locate_and_recur()
    _locate_and_recur()  # idempotent
    series = Task.objects.filter(series__isnull=True).exclude(recurrence="")
    live = Task.objects.exclude(status="cancelled").count()
    assert live == 380
    assert series.count() == live // 100 == 3
    assert not series.filter(status="cancelled").exists()
    assert set(series.values_list("recurrence", "recurs_until")) == {
        ("monthly", datetime.date(2026, 12, 31))
    }
    created = directives_create_occurrences(
        now=datetime.datetime(2026, 6, 15, 9, tzinfo=VIETNAM_TIME_ZONE)
    )
    assert set(created.by_series) == set(series.values_list("id", flat=True))
    assert all(len(ids) >= 1 for ids in created.by_series.values())
