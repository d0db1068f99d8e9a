"""A tile's statement runs without parallel workers or JIT, and leaves the connection as it was."""

from __future__ import annotations

import pytest
from django.db import connection

from geoapp.vector_tiles import vector_tile_fetch

# Outside a test transaction: SET LOCAL ends with the tile's own transaction, which is the point.
pytestmark = pytest.mark.django_db(transaction=True)

SETTINGS_AS_BYTES = (
    "SELECT convert_to(current_setting('max_parallel_workers_per_gather') || ',' "
    "|| current_setting('jit'), 'UTF8')"
)


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('max_parallel_workers_per_gather'), current_setting('jit')"
        )
        workers, jit = cursor.fetchone()
    return workers, jit


def test_the_tile_statement_runs_serial_and_uncompiled_and_the_connection_keeps_its_settings() -> (
    None
):
    before = _settings()
    assert before[0] != "0"  # the server's default (2) lets other statements run in parallel
    assert vector_tile_fetch(SETTINGS_AS_BYTES, {}) == b"0,off"
    assert _settings() == before
    assert connection.in_atomic_block is False


def test_an_empty_tile_is_no_bytes() -> None:
    assert vector_tile_fetch("SELECT NULL::bytea", {}) == b""
    assert vector_tile_fetch("SELECT ''::bytea", {}) == b""
