"""Fixtures of the tests of what citizen feedback tells whom: those of the outbox tests
(tests/notifications/conftest.py: units with addresses, reports, a private queue), and leaders.

Their names override the citizen-feedback fixtures of tests/incidents/conftest.py in this folder.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from incidents.escalation import LEADERS_GROUP
from tests.notifications.conftest import (  # noqa: F401 (fixtures and helpers these tests use)
    AN_PHU_POINT,
    CAM_THANH_POINT,
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    FileReport,
    Units,
    _private_cache,
    _staff_user,
    categories,
    file_report,
    messages_sent,
    officer_a,
    queued_tasks,
    units,
    vietnam,
)


@pytest.fixture
def leaders(db: None) -> list[User]:
    """Two leaders with an address, one without, one whose account is disabled."""
    group, _created = Group.objects.get_or_create(name=LEADERS_GROUP)
    chairman = _staff_user("chu-tich", "chutich@quangngai.gov.vn")
    deputy = _staff_user("pho-chu-tich", "phochutich@quangngai.gov.vn")
    no_address = _staff_user("lanh-dao-khong-thu")
    disabled = _staff_user("lanh-dao-da-nghi", "danghi@quangngai.gov.vn")
    disabled.is_active = False
    disabled.save(update_fields=["is_active"])
    for user in (chairman, deputy, no_address, disabled):
        user.groups.add(group)
    return [chairman, deputy]
