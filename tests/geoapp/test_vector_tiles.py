"""A tile's statement runs without parallel workers or JIT, planned with its parameters' values,
and leaves the connection as it was."""

from __future__ import annotations

import pytest
from django.db import connection

from geoapp.vector_tiles import vector_tile_fetch

# Outside a test transaction: SET LOCAL ends with the tile's own transaction, which is the point.
pytestmark = pytest.mark.django_db(transaction=True)

SETTINGS_AS_BYTES = (
    "SELECT convert_to(current_setting('max_parallel_workers_per_gather') || ',' "
    "|| current_setting('jit') || ',' || current_setting('plan_cache_mode'), 'UTF8')"
)


def _settings() -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_parallel_workers_per_gather'), current_setting('jit'), "
            "current_setting('plan_cache_mode')"
        )
        workers, jit, plan_cache_mode = cursor.fetchone()
    return workers, jit, plan_cache_mode


def test_the_tile_statement_runs_serial_and_uncompiled_and_the_connection_keeps_its_settings() -> (
    None
):
    before = _settings()
    # The server's defaults: other statements run in parallel and may get generic plans.
    assert before[0] != "0" and before[2] == "auto"
    assert vector_tile_fetch(SETTINGS_AS_BYTES, {}) == b"0,off,force_custom_plan"
    assert _settings() == before
    assert connection.in_atomic_block is False


def test_an_empty_tile_is_no_bytes() -> None:
    assert vector_tile_fetch("SELECT NULL::bytea", {}) == b""
    assert vector_tile_fetch("SELECT ''::bytea", {}) == b""
