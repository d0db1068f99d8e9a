"""Fixtures of the tests of following reports and areas: those of the outbox tests
(tests/notifications/conftest.py: units with addresses, reports, a private queue).

Their names override the citizen-feedback fixtures of tests/incidents/conftest.py in this folder.
"""

from __future__ import annotations

from tests.notifications.conftest import (  # noqa: F401 (fixtures and helpers these tests use)
    AN_PHU_POINT,
    CAM_THANH_POINT,
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    FileReport,
    Units,
    _private_cache,
    categories,
    file_report,
    messages_sent,
    officer_a,
    queued_tasks,
    units,
    vietnam,
)
