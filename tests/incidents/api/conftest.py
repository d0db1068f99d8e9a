"""Fixtures of the REST API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import signals
from django.db import close_old_connections


@pytest.fixture
def connection_kept_between_requests() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction; Django's own test client unhooks the same signal handler."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
