"""Filing a report through the service: validation, routing on the report's date, idempotency."""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any, TypedDict

import pytest
import redis
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from geoapp.exceptions import Conflict, InvalidInput
from incidents import services
from incidents.models import (
    Category,
    Incident,
    IncidentAction,
    IncidentChannel,
    IncidentEvent,
    IncidentPriority,
    IncidentStatus,
)
from incidents.reporter_tokens import reporter_token_for, reporter_token_hash
from incidents.services import filing
from notifications.models import Notification
from tests.conftest import Territory
from wards.selectors import NoResponsibleAgency, PointOutsideTerritory

from .conftest import AN_PHU_POINT, CAM_THANH_POINT, OUTSIDE_POINT, FileReport, vietnam


def counts() -> tuple[int, int]:
    return Incident.objects.count(), IncidentEvent.objects.count()


def test_a_report_is_routed_to_the_committee_of_the_commune_it_falls_in(
    territory: Territory, file_report: FileReport
) -> None:
    incident = file_report(point=CAM_THANH_POINT).incident

    assert incident.area == territory.cam_thanh
    assert incident.agency == territory.committee_cam_thanh
    assert incident.status == IncidentStatus.NEW
    assert incident.priority == IncidentPriority.NORMAL
    assert incident.channel == IncidentChannel.WEB
    assert incident.attributes == {"loai-hu-hong": "o-ga"}


def test_the_report_date_decides_the_area_on_either_side_of_the_reform(
    territory: Territory, file_report: FileReport
) -> None:
    # 108.75 E, 15.15 N was in Phường Nguyễn Nghiêm until 30 June 2025 and is in Xã An Phú after.
    point = Point(108.75, 15.15, srid=4326)

    before = file_report(point=point, reported_at=vietnam(2025, 6, 30, 10)).incident
    after = file_report(point=point, reported_at=vietnam(2025, 7, 1, 10)).incident

    assert (before.area, before.agency) == (
        territory.nguyen_nghiem,
        territory.committee_nguyen_nghiem,
    )
    assert (after.area, after.agency) == (territory.an_phu, territory.committee_an_phu)


def test_filing_writes_the_report_and_one_public_creation_event(file_report: FileReport) -> None:
    incident = file_report().incident

    events = list(incident.events.all())
    assert len(events) == 1
    assert events[0].action == IncidentAction.CREATED
    assert events[0].is_public is True
    assert events[0].actor is None
    assert events[0].actor_label == "Người phản ánh"
    assert events[0].to_status == IncidentStatus.NEW


def test_the_reporter_token_is_returned_and_only_its_hash_is_stored(
    file_report: FileReport,
) -> None:
    filed = file_report()

    assert len(filed.token) == 32
    assert filed.incident.reporter_token_hash == reporter_token_hash(filed.token)
    assert filed.token not in filed.incident.reporter_token_hash


def test_the_tracking_code_has_the_public_shape(file_report: FileReport) -> None:
    code = file_report().incident.tracking_code

    assert len(code) == 12
    assert code[:3] == "PA-" and code[7] == "-"


def test_the_receipt_is_planned_with_the_report_and_sent_only_after_the_commit(
    file_report: FileReport,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    private_queue: str,
) -> None:
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        incident = file_report().incident
        # The outbox row is written in the report's own transaction...
        planned = list(Notification.objects.about(incident).values_list("kind", "address"))
        # ...but nothing is handed to the broker before that transaction commits.
        queued_before_commit = broker.llen(private_queue)
    for callback in callbacks:
        callback()

    assert planned == [("incident_received", "binh@example.vn")]
    assert queued_before_commit == 0
    assert broker.llen(private_queue) == 1


def test_an_anonymous_report_without_contact_is_accepted(file_report: FileReport) -> None:
    incident = file_report(reporter_name="", reporter_phone="", reporter_email="").incident

    assert (incident.reporter_name, incident.reporter_phone, incident.reporter_email) == (
        "",
        "",
        "",
    )


def test_html_in_the_description_is_stored_exactly_as_given(file_report: FileReport) -> None:
    text = '<script>alert("xss")</script> <b>ổ gà</b>'

    incident = file_report(description=text).incident

    incident.refresh_from_db()
    assert incident.description == text


def test_nul_characters_which_postgresql_cannot_store_are_dropped(file_report: FileReport) -> None:
    incident = file_report(description="Ổ gà\x00 lớn", address="\x00Số 12").incident

    incident.refresh_from_db()
    assert (incident.description, incident.address) == ("Ổ gà lớn", "Số 12")


def test_a_description_of_exactly_4000_characters_is_accepted(file_report: FileReport) -> None:
    incident = file_report(description="ạ" * 4000).incident

    assert len(incident.description) == 4000


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"description": ""}, "required"),
        ({"description": "   \n "}, "required"),
        ({"description": "a" * 4001}, "too_long"),
        ({"category_code": "khong-co"}, "unknown_category"),
        ({"attributes": {"loai-hu-hong": "ho-voi-rong"}}, "invalid_attribute"),
        ({"attributes": {}}, "missing_attribute"),
        ({"attributes": {"loai-hu-hong": "o-ga", "mau-sac": "do"}}, "unknown_attribute"),
        ({"reporter_email": "khong-phai-email"}, "invalid_email"),
        ({"reporter_phone": "gọi tôi nhé"}, "invalid_phone"),
        ({"address": "x" * 501}, "too_long"),
        ({"channel": "fax"}, "invalid_input"),
        ({"priority": "rat-gap"}, "invalid_input"),
    ],
    ids=[
        "empty description",
        "blank description",
        "over-long description",
        "unknown category",
        "unknown attribute value",
        "missing required attribute",
        "unknown attribute",
        "bad email",
        "bad phone",
        "over-long address",
        "unknown channel",
        "unknown priority",
    ],
)
def test_invalid_input_is_refused_with_a_clear_error_and_nothing_is_written(
    file_report: FileReport, overrides: dict[str, Any], code: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        file_report(**overrides)

    assert refused.value.code == code
    assert refused.value.message
    assert counts() == (0, 0)


def test_an_inactive_category_is_refused(file_report: FileReport) -> None:
    Category.objects.filter(code="giao-thong").update(is_active=False)

    with pytest.raises(InvalidInput) as refused:
        file_report()

    assert refused.value.code == "unknown_category"
    assert counts() == (0, 0)


def test_a_point_outside_the_territory_is_refused_and_nothing_is_written(
    file_report: FileReport,
) -> None:
    with pytest.raises(PointOutsideTerritory) as refused:
        file_report(point=OUTSIDE_POINT)

    assert "ngoài địa bàn" in refused.value.message
    assert counts() == (0, 0)


def test_a_commune_without_a_responsible_unit_is_refused(
    territory: Territory, file_report: FileReport
) -> None:
    territory.committee_an_phu.is_active = False
    territory.committee_an_phu.save()

    with pytest.raises(NoResponsibleAgency):
        file_report(point=AN_PHU_POINT)

    assert counts() == (0, 0)


def test_a_report_dated_in_the_future_is_refused(file_report: FileReport) -> None:
    with pytest.raises(InvalidInput) as refused:
        file_report(reported_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1))

    assert refused.value.code == "future_report"
    assert counts() == (0, 0)


def test_more_photos_than_allowed_are_refused(file_report: FileReport, settings: Settings) -> None:
    settings.INCIDENT_PHOTOS_MAX = 1
    from .conftest import jpeg_bytes, upload

    with pytest.raises(InvalidInput) as refused:
        file_report(photos=[upload("a.jpg", jpeg_bytes()), upload("b.jpg", jpeg_bytes())])

    assert refused.value.code == "too_many_photos"
    assert counts() == (0, 0)


# Attribute answers in their stored form


def test_answers_are_stored_in_their_typed_form(file_report: FileReport) -> None:
    lighting = file_report(
        category_code="chieu-sang", attributes={"so-cot-den": "3", "tinh-trang": ["chap-chon"]}
    ).incident
    waste = file_report(
        category_code="ve-sinh-moi-truong",
        attributes={"loai-rac": ["sinh-hoat", "xay-dung", "sinh-hoat"]},
    ).incident
    security = file_report(
        category_code="an-ninh-trat-tu", attributes={"thoi-diem-xay-ra": "2025-10-10T21:15"}
    ).incident

    assert lighting.attributes == {"so-cot-den": 3, "tinh-trang": "chap-chon"}
    assert waste.attributes == {"loai-rac": ["sinh-hoat", "xay-dung"]}
    assert security.attributes == {"thoi-diem-xay-ra": "2025-10-10T21:15:00+07:00"}


@pytest.mark.parametrize(
    ("category", "answers"),
    [
        ("chieu-sang", {"so-cot-den": "ba"}),
        ("chieu-sang", {"so-cot-den": "nan"}),
        ("chieu-sang", {"so-cot-den": True}),
        ("chieu-sang", {"tinh-trang": ["khong-sang", "chap-chon"]}),
        ("ve-sinh-moi-truong", {"loai-rac": ["sinh-hoat", "vang-bac"]}),
        ("an-ninh-trat-tu", {"thoi-diem-xay-ra": "tối hôm qua"}),
    ],
    ids=[
        "a word for a number",
        "not a finite number",
        "a boolean for a number",
        "two values for a single choice",
        "an unknown value in a multiple choice",
        "a sentence for a datetime",
    ],
)
def test_an_answer_of_the_wrong_type_is_refused(
    file_report: FileReport, category: str, answers: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as refused:
        file_report(category_code=category, attributes=answers)

    assert refused.value.code == "invalid_attribute"
    assert counts() == (0, 0)


# Idempotency


def test_the_same_client_and_key_return_the_first_report_and_write_nothing(
    file_report: FileReport,
) -> None:
    first = file_report(client_identity="address:203.0.113.10", idempotency_key="k-1")
    before = counts()

    again = services.incident_create(
        category_code="giao-thong",
        description="Ổ gà sâu giữa đường Hùng Vương",
        point=CAM_THANH_POINT,
        channel=IncidentChannel.WEB,
        attributes={"loai-hu-hong": "o-ga"},
        client_identity="address:203.0.113.10",
        idempotency_key="k-1",
    )

    assert again.created is False
    assert again.incident.pk == first.incident.pk
    assert again.reporter_token == first.token
    assert counts() == before == (1, 1)


def test_the_same_key_from_another_client_files_another_report(file_report: FileReport) -> None:
    first = file_report(client_identity="address:203.0.113.10", idempotency_key="k-1").incident
    second = file_report(client_identity="address:203.0.113.99", idempotency_key="k-1").incident

    assert first.pk != second.pk
    assert counts() == (2, 2)


def test_a_key_reused_for_a_different_report_is_refused(file_report: FileReport) -> None:
    file_report(client_identity="address:203.0.113.10", idempotency_key="k-1")

    with pytest.raises(Conflict) as refused:
        file_report(
            client_identity="address:203.0.113.10",
            idempotency_key="k-1",
            description="Một chuyện khác hẳn",
        )

    assert refused.value.code == "idempotency_key_reused"
    assert counts() == (1, 1)


def test_reports_without_a_key_are_never_merged(file_report: FileReport) -> None:
    file_report(client_identity="address:203.0.113.10")
    file_report(client_identity="address:203.0.113.10")

    assert counts() == (2, 2)


def _until_another_connection_waits_for_a_lock() -> None:
    """Poll, from this thread's connection, until a backend of this test database is blocked on
    a lock (the racing INSERT waiting on the unique index); at most ten seconds."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction the statistics views keep their first snapshot: drop it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the twin submission never waited for the first one")


class Twin(TypedDict):
    client_identity: str
    idempotency_key: str


@pytest.mark.django_db(transaction=True)
def test_a_twin_submission_racing_the_first_waits_for_it_and_returns_it(
    file_report: FileReport,
) -> None:
    twin: Twin = {"client_identity": "address:203.0.113.10", "idempotency_key": "k-race"}
    first: list[Incident] = []
    filed = threading.Event()

    def first_submission() -> None:
        # Filed in its own connection and left uncommitted until the twin is blocked on it.
        try:
            with transaction.atomic():
                first.append(file_report(**twin).incident)
                filed.set()
                _until_another_connection_waits_for_a_lock()
        finally:
            filed.set()
            connection.close()

    thread = threading.Thread(target=first_submission)
    thread.start()
    try:
        assert filed.wait(timeout=10)
        # The twin's first lookup cannot see the uncommitted report: it goes on to INSERT, waits
        # on the idempotency index until the first commits, then finds it.
        again = services.incident_create(
            category_code="giao-thong",
            description="Ổ gà sâu giữa đường Hùng Vương",
            point=CAM_THANH_POINT,
            channel=IncidentChannel.WEB,
            attributes={"loai-hu-hong": "o-ga"},
            **twin,
        )
    finally:
        thread.join(timeout=20)

    assert again.created is False
    assert again.incident.pk == first[0].pk
    assert counts() == (1, 1)
    # Planned once, by the first submission: the reporter's receipt (the unit has no address).
    assert list(Notification.objects.values_list("dedupe_key", flat=True)) == [
        f"incident:{first[0].pk}:created:reporter:email"
    ]


def test_a_tracking_code_drawn_twice_is_drawn_again(
    file_report: FileReport, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = file_report().incident.tracking_code
    drawn = iter([taken, "PA-7K3M-Q9XD"])
    monkeypatch.setattr(filing, "tracking_code_generate", lambda: next(drawn))

    second = file_report(description="Đèn đường hỏng").incident

    assert second.tracking_code == "PA-7K3M-Q9XD"
    assert second.reporter_token_hash == reporter_token_hash(reporter_token_for("PA-7K3M-Q9XD"))
    assert list(Incident.objects.order_by("id").values_list("tracking_code", "description")) == [
        (taken, "Ổ gà sâu giữa đường Hùng Vương"),
        ("PA-7K3M-Q9XD", "Đèn đường hỏng"),
    ]
    assert counts() == (2, 2)
