"""A filed report's messages written by the statement that writes the report (issue 10): the
area's followers found in SQL, one message per address by its oldest subscription, with the same
keys, kinds and recipients as the planning hook writes for the same report."""

from __future__ import annotations

from typing import Any

from pytest_django import DjangoCaptureOnCommitCallbacks

from incidents import notifications as hooks
from incidents.models import Incident
from notifications import services
from notifications.models import Notification
from tests.conftest import Territory

from .conftest import AN_PHU_POINT, REPORTER_EMAIL, FileReport
from .test_subscriptions import FOLLOWER, confirmed, follower_notices, unsubscribe_path

OTHER_FOLLOWER = "khac@example.vn"


def outbox(incident: Incident) -> list[tuple[Any, ...]]:
    return list(
        Notification.objects.filter(about_id=incident.pk)
        .order_by("dedupe_key")
        .values_list(
            "dedupe_key", "kind", "channel", "recipient_role", "address", "subscription_id",
            "about_type__model", "status", "subject", "body",
        )
    )  # fmt: skip


def test_an_address_following_two_areas_of_the_point_hears_once_by_its_oldest_subscription(
    territory: Territory,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    oldest = confirmed(area_id=territory.province_after.pk)
    confirmed(area_id=territory.cam_thanh.pk)  # the same address again: no second message
    other = confirmed(email=OTHER_FOLLOWER, area_id=territory.cam_thanh.pk)
    confirmed(email="xa.khac@example.vn", area_id=territory.an_phu.pk)  # not where the point is
    gone = confirmed(email="da.huy@example.vn", area_id=territory.cam_thanh.pk)
    services.subscription_unsubscribe(token=unsubscribe_path(gone).split("/")[-2])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        incident = file_report(keep_notices=True)

    assert sorted(
        follower_notices().values_list("dedupe_key", "address", "subscription_id")
    ) == sorted([
        (f"incident:{incident.pk}:created:subscription:{oldest.pk}", FOLLOWER, oldest.pk),
        (f"incident:{incident.pk}:created:subscription:{other.pk}", OTHER_FOLLOWER, other.pk),
    ])  # fmt: skip
    assert len(callbacks) == 1  # one task per message, sent after the commit


def test_the_planning_hook_writes_exactly_the_messages_the_filing_wrote(
    territory: Territory,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    confirmed(area_id=territory.cam_thanh.pk)
    confirmed(email=OTHER_FOLLOWER, area_id=territory.province_after.pk)
    with django_capture_on_commit_callbacks(execute=False):
        incident = file_report(keep_notices=True)
    written = outbox(incident)
    # By key: the reporter's, the followers', the unit's.
    assert [row[3] for row in written] == ["reporter", "follower", "follower", "unit"]
    assert REPORTER_EMAIL in [row[4] for row in written]
    assert {row[6:] for row in written} == {("incident", "pending", "", "")}
    Notification.objects.filter(about_id=incident.pk).delete()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        hooks.notify_incident_created(incident.pk)
        hooks.notify_incident_created(incident.pk)  # again: every message is planned already

    assert outbox(incident) == written
    assert len(callbacks) == 1


def test_a_report_nobody_may_see_tells_no_follower(
    territory: Territory,
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    confirmed(area_id=territory.an_phu.pk)

    with django_capture_on_commit_callbacks(execute=False):
        hidden = file_report(keep_notices=True, point=AN_PHU_POINT, is_public=False)

    assert [row[3] for row in outbox(hidden)] == ["reporter", "unit"]
