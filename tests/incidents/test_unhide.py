"""Moderation that can be undone (issue 9, item 2): a report, its text or a photo hidden by
mistake is shown again by the same people who may hide it, audited like the hide, the reporter
told; and hide then un-hide leaves every public output exactly as it was."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone, translation
from pytest_django import DjangoCaptureOnCommitCallbacks

from geoapp.exceptions import Conflict, InvalidInput, PermissionDenied
from incidents import services
from incidents.following import services as following
from incidents.models import Incident, IncidentEvent, IncidentPhoto
from incidents.open311.formats import w3c_datetime
from notifications import services as notification_services
from notifications.models import Notification
from notifications.subscription_tokens import confirmation_token_for
from tests.conftest import Territory

from .conftest import FileReport, jpeg_bytes, snapshot, upload
from .privacy_sweep_support import public_outputs, public_photos

REPORTER_EMAIL = "binh@example.vn"
FOLLOWER = "theo.doi@example.vn"
HIDE_REASON = "Nêu tên, số điện thoại người khác"
UNHIDE_REASON = "Ẩn nhầm: nội dung không có thông tin cá nhân"


@dataclass(frozen=True)
class Moderated:
    """One thing that can be hidden: its services, how to read its flag, its event actions."""

    name: str
    hide: Callable[..., Any]
    unhide: Callable[..., Any]
    is_hidden: Callable[[Incident], bool]
    reason_of: Callable[[Incident], str]
    hidden_action: str
    unhidden_action: str
    refusal: str
    refusal_en: str

    def target(self, incident: Incident) -> dict[str, Any]:
        """The keyword the services take: the report, or its photo."""
        if self.name == "photo":
            return {"photo": incident.photos.get()}
        return {"incident": incident}


def _photo_of(incident: Incident) -> IncidentPhoto:
    return IncidentPhoto.objects.get(incident=incident)


MODERATED = {
    "report": Moderated(
        name="report",
        hide=services.incident_hide,
        unhide=services.incident_unhide,
        is_hidden=lambda incident: not Incident.objects.get(pk=incident.pk).is_public,
        reason_of=lambda incident: Incident.objects.get(pk=incident.pk).hidden_reason,
        hidden_action="hidden",
        unhidden_action="unhidden",
        refusal="Phản ánh không bị ẩn khỏi công khai.",
        refusal_en="The report is not hidden from the public.",
    ),
    "text": Moderated(
        name="text",
        hide=services.incident_text_hide,
        unhide=services.incident_text_unhide,
        is_hidden=lambda incident: Incident.objects.get(pk=incident.pk).description_hidden,
        reason_of=lambda incident: Incident.objects.get(pk=incident.pk).description_hidden_reason,
        hidden_action="text_hidden",
        unhidden_action="text_unhidden",
        refusal="Nội dung phản ánh không bị ẩn.",
        refusal_en="The report content is not hidden.",
    ),
    "photo": Moderated(
        name="photo",
        hide=services.photo_hide,
        unhide=services.photo_unhide,
        is_hidden=lambda incident: _photo_of(incident).is_hidden,
        reason_of=lambda incident: _photo_of(incident).hidden_reason,
        hidden_action="photo_hidden",
        unhidden_action="photo_unhidden",
        refusal="Ảnh không bị ẩn.",
        refusal_en="The photo is not hidden.",
    ),
}
EACH = pytest.mark.parametrize("kind", list(MODERATED))


@pytest.fixture
def report(file_report: FileReport) -> Incident:
    """A public report with an address and a photo, followed by one confirmed address."""
    incident = file_report(
        address="Số 7 Hùng Vương", photos=[upload("a.jpg", jpeg_bytes())]
    ).incident
    subscription = following.subscription_request(
        email=FOLLOWER, tracking_code=incident.tracking_code
    ).subscription
    notification_services.subscription_confirm(
        token=confirmation_token_for(
            subscription_id=subscription.pk, requested_at=subscription.confirmation_requested_at
        )
    )
    return incident


def counts(incident: Incident) -> dict[str, Any]:
    """What a refused step must leave as it was, the photo's flag and the outbox included."""
    photo = _photo_of(incident)
    return {
        **snapshot(incident),
        "photo": (photo.is_hidden, photo.hidden_reason),
        "all events": IncidentEvent.objects.count(),
        "outbox": Notification.objects.count(),
    }


# The services


@EACH
def test_un_hiding_shows_the_thing_again_writes_the_event_and_tells_the_reporter(
    report: Incident,
    officer_a: User,
    territory: Territory,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
    kind: str,
) -> None:
    moderated = MODERATED[kind]
    hidden_at = timezone.now() + timedelta(hours=1)
    shown_at = hidden_at + timedelta(hours=1)
    moderated.hide(actor=officer_a, **moderated.target(report), reason=HIDE_REASON, at=hidden_at)
    assert (moderated.is_hidden(report), moderated.reason_of(report)) == (True, HIDE_REASON)
    outbox_before = set(Notification.objects.values_list("pk", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        moderated.unhide(
            actor=officer_a, **moderated.target(report), reason=f"  {UNHIDE_REASON} ", at=shown_at
        )

    # The flag and its reason read as they did before the hide.
    assert (moderated.is_hidden(report), moderated.reason_of(report)) == (False, "")
    assert Incident.objects.get(pk=report.pk).updated_at == shown_at
    hide_event, unhide_event = IncidentEvent.objects.filter(incident=report).order_by("-id")[:2][
        ::-1
    ]
    photo_data = {"photo_id": _photo_of(report).pk} if kind == "photo" else {}
    assert [
        (
            event.action,
            event.is_public,
            event.note,
            event.actor,
            event.actor_label,
            event.created_at,
            event.from_status,
            event.to_status,
            event.data,
        )
        for event in (hide_event, unhide_event)
    ] == [
        (
            moderated.hidden_action,
            True,
            HIDE_REASON,
            officer_a,
            territory.committee_cam_thanh.name,
            hidden_at,
            "new",
            "new",
            photo_data,
        ),
        (
            moderated.unhidden_action,
            True,
            UNHIDE_REASON,
            officer_a,
            territory.committee_cam_thanh.name,
            shown_at,
            "new",
            "new",
            photo_data,
        ),
    ]
    # One message, to the reporter alone: the follower is told nothing of moderation.
    planned = Notification.objects.exclude(pk__in=outbox_before)
    assert list(
        planned.values_list("dedupe_key", "kind", "channel", "recipient_role", "address")
    ) == [
        (
            f"incident:{report.pk}:event:{unhide_event.pk}:reporter:email",
            "incident_unhidden",
            "email",
            "reporter",
            REPORTER_EMAIL,
        )
    ]
    message = planned.get()
    label = {"report": "Hiện lại phản ánh", "text": "Hiện lại nội dung", "photo": "Hiện lại ảnh"}
    label_en = {
        "report": "Show the report again",
        "text": "Show the content again",
        "photo": "Show a photo again",
    }
    code = report.tracking_code
    assert message.subject == f"Phản ánh {code}: {label[kind]} / Report {code}: {label_en[kind]}"
    assert (
        f"Phần phản ánh {code} của bạn đã bị ẩn nay được hiện lại trên trang công khai "
        f"({label[kind]}).\nLý do: {UNHIDE_REASON}"
    ) in message.body
    assert f"is shown on the public pages again ({label_en[kind]})." in message.body
    assert not planned.filter(address=FOLLOWER).exists()


@EACH
def test_un_hiding_what_is_not_hidden_is_refused_and_changes_nothing(
    report: Incident, officer_a: User, kind: str
) -> None:
    moderated = MODERATED[kind]
    before = counts(report)

    with pytest.raises(Conflict) as refused:
        moderated.unhide(actor=officer_a, **moderated.target(report), reason=UNHIDE_REASON)
    with translation.override("en"), pytest.raises(Conflict) as refused_in_english:
        moderated.unhide(actor=officer_a, **moderated.target(report), reason=UNHIDE_REASON)

    assert (refused.value.message, refused.value.code) == (moderated.refusal, "not_hidden")
    assert refused_in_english.value.message == moderated.refusal_en
    assert counts(report) == before


@EACH
def test_un_hiding_twice_is_refused_the_second_time_and_changes_nothing(
    report: Incident, officer_a: User, kind: str
) -> None:
    moderated = MODERATED[kind]
    moderated.hide(actor=officer_a, **moderated.target(report), reason=HIDE_REASON)
    moderated.unhide(actor=officer_a, **moderated.target(report), reason=UNHIDE_REASON)
    before = counts(report)

    with pytest.raises(Conflict) as refused:
        moderated.unhide(actor=officer_a, **moderated.target(report), reason=UNHIDE_REASON)

    assert refused.value.code == "not_hidden"
    assert counts(report) == before


@EACH
def test_un_hiding_without_a_reason_is_refused_and_changes_nothing(
    report: Incident, officer_a: User, kind: str
) -> None:
    moderated = MODERATED[kind]
    moderated.hide(actor=officer_a, **moderated.target(report), reason=HIDE_REASON)
    before = counts(report)

    with pytest.raises(InvalidInput) as refused:
        moderated.unhide(actor=officer_a, **moderated.target(report), reason="  \x00 ")
    with translation.override("en"), pytest.raises(InvalidInput) as refused_in_english:
        moderated.unhide(actor=officer_a, **moderated.target(report), reason="")

    assert (refused.value.message, refused.value.code) == (
        "Vui lòng nhập lý do hiện lại.",
        "required",
    )
    assert refused_in_english.value.message == "Please enter the reason for showing it again."
    assert counts(report) == before


@EACH
@pytest.mark.parametrize(
    ("persona", "code"), [("officer_b", "not_your_unit"), ("leader", "read_only_role")]
)
def test_only_those_who_may_hide_may_un_hide(
    report: Incident,
    officer_a: User,
    request: pytest.FixtureRequest,
    kind: str,
    persona: str,
    code: str,
) -> None:
    moderated = MODERATED[kind]
    moderated.hide(actor=officer_a, **moderated.target(report), reason=HIDE_REASON)
    outsider: User = request.getfixturevalue(persona)
    before = counts(report)

    # The same check refuses them the hide and the un-hide.
    with pytest.raises(PermissionDenied) as refused_hide:
        services.incident_hide(actor=outsider, incident=report, reason=HIDE_REASON)
    with pytest.raises(PermissionDenied) as refused:
        moderated.unhide(actor=outsider, **moderated.target(report), reason=UNHIDE_REASON)

    assert (refused.value.code, refused_hide.value.code) == (code, code)
    assert counts(report) == before
    assert moderated.is_hidden(report) is True


@EACH
def test_an_administrator_may_un_hide_what_an_officer_hid(
    report: Incident, officer_a: User, administrator: User, kind: str
) -> None:
    moderated = MODERATED[kind]
    moderated.hide(actor=officer_a, **moderated.target(report), reason=HIDE_REASON)

    moderated.unhide(actor=administrator, **moderated.target(report), reason=UNHIDE_REASON)

    assert moderated.is_hidden(report) is False
    event = IncidentEvent.objects.filter(incident=report).latest("id")
    assert (event.action, event.actor, event.actor_label) == (
        moderated.unhidden_action,
        administrator,
        "Quản trị viên",
    )


def test_a_spam_rejection_is_not_a_hide_and_un_hiding_leaves_it_alone(
    report: Incident, officer_a: User
) -> None:
    services.incident_reject(actor=officer_a, incident=report, reason="spam")
    before = counts(report)

    with pytest.raises(Conflict) as refused:
        services.incident_unhide(actor=officer_a, incident=report, reason=UNHIDE_REASON)

    assert refused.value.code == "not_hidden"
    assert counts(report) == before
    # Hidden as well, then shown again: the flag returns, the rejection still keeps it private.
    services.incident_hide(actor=officer_a, incident=report, reason=HIDE_REASON)
    services.incident_unhide(actor=officer_a, incident=report, reason=UNHIDE_REASON)
    report.refresh_from_db()
    assert (report.is_public, report.status, report.rejection_reason) == (True, "rejected", "spam")
    client = Client()
    assert client.get(f"/api/v1/incidents/{report.tracking_code}/").status_code == 404
    assert client.get(f"/open311/v2/requests/{report.tracking_code}.json").status_code == 404


# Hide, then un-hide: every public output as it was


CSRF_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
FILING_KEY = re.compile(rb'name="idempotency_key" value="[0-9a-f]{32}"')
TIMELINE_ITEM = re.compile(rb'\s*<li class="timeline-item">.*?</li>', re.DOTALL)


def _without_volatile_tokens(content: bytes) -> bytes:
    """Tokens every rendering draws anew: the masked CSRF token of each form, and the filing
    page's fresh idempotency key."""
    content = CSRF_TOKEN.sub(b'name="csrfmiddlewaretoken" value="(token)"', content)
    return FILING_KEY.sub(b'name="idempotency_key" value="(key)"', content)


def _without_the_two_moderation_events(name: str, content: bytes, labels: list[str]) -> bytes:
    """The report's own timeline gained the hide and the un-hide (public events, with their
    reasons): checked, then cut out."""
    if name.startswith("REST detail"):
        tail = json.loads(content)["timeline"][-2:]
        assert [(event["action_label"], event["note"]) for event in tail] == [
            (labels[0], HIDE_REASON),
            (labels[1], UNHIDE_REASON),
        ]
        # DRF's renderer writes compact JSON with the characters as they are.
        piece = b"".join(
            b"," + json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()
            for event in tail
        )
        assert content.count(piece) == 1
        return content.replace(piece, b"")
    items = list(TIMELINE_ITEM.finditer(content))
    last_two = content[items[-2].start() : items[-1].end()]
    text = last_two.decode()
    assert [label in text for label in labels] == [True, True]
    assert HIDE_REASON in text
    assert UNHIDE_REASON in text
    assert items[-2].end() == items[-1].start()  # the two are the last items, side by side
    return content[: items[-2].start()] + content[items[-1].end() :]


def _photo_urls(outputs: dict[str, Any]) -> list[str]:
    detail = outputs["REST detail (moderated)"].json()
    return [photo[key] for photo in detail["photos"] for key in ("url", "thumbnail_url")]


def _fetch(urls: list[str]) -> dict[str, tuple[int, bytes]]:
    client = Client(REMOTE_ADDR="203.0.113.46")
    answers: dict[str, Any] = {url: client.get(url) for url in urls}
    return {
        url: (
            answer.status_code,
            b"".join(answer.streaming_content) if answer.status_code == 200 else b"",
        )
        for url, answer in answers.items()
    }


# The outputs a hide changes, by what is hidden: the rest of the public outputs (the filing and
# lookup pages, the categories and areas, Open311's discovery and services) show nothing of it.
CHANGED_BY_THE_HIDE = {
    "report": {
        "home page",
        "REST list",
        "REST duplicates",
        "map data, grouped",
        "map data, each report",
        "Open311 requests JSON",
        "Open311 requests XML",
        "feed of the territory",
        "feed of the area",
        "tracking page (moderated)",
        "REST detail (moderated)",
        "Open311 request JSON (moderated)",
        "Open311 request XML (moderated)",
    },
    "text": {
        "REST list",
        "REST duplicates",
        "Open311 requests JSON",
        "Open311 requests XML",
        "feed of the territory",
        "feed of the area",
        "tracking page (moderated)",
        "REST detail (moderated)",
        "Open311 request JSON (moderated)",
        "Open311 request XML (moderated)",
    },
    "photo": {
        "Open311 requests JSON",
        "Open311 requests XML",
        "tracking page (moderated)",
        "REST detail (moderated)",
        "Open311 request JSON (moderated)",
        "Open311 request XML (moderated)",
    },
}


@EACH
def test_hide_then_un_hide_restores_every_public_output(
    report: Incident, officer_a: User, territory: Territory, kind: str
) -> None:
    """Issue 9, item 2: "Done when hide then un-hide restores every public output".

    Every public output (the privacy sweep's list: pages, REST, the map, Open311 in JSON and XML,
    the feeds, and the photo's bytes) is fetched before the hide, after it and after the un-hide.
    After the un-hide each is byte for byte what it was before, but for the parts that change
    whatever the moderation, named here and cut out explicitly:
    - the masked CSRF token of every form and the filing page's fresh idempotency key;
    - the report's public timeline (tracking page and REST detail), which gained the hide and the
      un-hide with their reasons, as the public timeline shows every public step;
    - Open311's `updated_datetime` of the report, which is the moment of its last change: now
      the un-hide's.
    """
    moderated = MODERATED[kind]
    reports = {"moderated": (report, "")}
    filed_updated = w3c_datetime(Incident.objects.get(pk=report.pk).updated_at)
    hidden_at = timezone.now() + timedelta(hours=1)
    shown_at = hidden_at + timedelta(hours=1)

    before = public_outputs(territory, reports, remote_addr="203.0.113.41")
    before_photos = public_photos(before, remote_addr="203.0.113.42")
    photo_urls = _photo_urls(before)
    before_photo_answers = _fetch(photo_urls)
    assert {name: answer.status_code for name, answer in before.items()} == dict.fromkeys(
        before, 200
    )
    assert sorted(before_photos) == [
        "thumbnail_url of REST detail (moderated)",
        "url of REST detail (moderated)",
    ]
    assert [status for status, _content in before_photo_answers.values()] == [200, 200]

    moderated.hide(actor=officer_a, **moderated.target(report), reason=HIDE_REASON, at=hidden_at)
    hidden = public_outputs(territory, reports, remote_addr="203.0.113.43")
    hidden_photo_answers = _fetch(photo_urls)

    changed = {
        name
        for name in before
        if _without_volatile_tokens(hidden[name].content)
        != _without_volatile_tokens(before[name].content)
    }
    assert changed == CHANGED_BY_THE_HIDE[kind]
    own_outputs = {name for name in before if name.endswith("(moderated)")}
    assert {name: hidden[name].status_code for name in own_outputs} == dict.fromkeys(
        own_outputs, 404 if kind == "report" else 200
    )
    # The photo's public addresses answer 404 while it (or its report) is hidden.
    assert [status for status, _content in hidden_photo_answers.values()] == (
        [200, 200] if kind == "text" else [404, 404]
    )

    moderated.unhide(actor=officer_a, **moderated.target(report), reason=UNHIDE_REASON, at=shown_at)
    after = public_outputs(territory, reports, remote_addr="203.0.113.44")
    after_photos = public_photos(after, remote_addr="203.0.113.45")

    assert {name: answer.status_code for name, answer in after.items()} == dict.fromkeys(after, 200)
    labels = {
        "report": ["Ẩn phản ánh", "Hiện lại phản ánh"],
        "text": ["Ẩn nội dung", "Hiện lại nội dung"],
        "photo": ["Ẩn ảnh", "Hiện lại ảnh"],
    }[kind]
    assert filed_updated is not None
    unhidden_updated = w3c_datetime(shown_at)
    assert unhidden_updated is not None
    for name in before:
        expected = _without_volatile_tokens(before[name].content)
        restored = _without_volatile_tokens(after[name].content)
        if name in ("tracking page (moderated)", "REST detail (moderated)"):
            restored = _without_the_two_moderation_events(name, restored, labels)
        if name.startswith("Open311 request"):
            # Open for now, the report's `updated_datetime` is its `updated_at`: once in each.
            assert restored.count(unhidden_updated.encode()) == 1, name
            assert expected.count(filed_updated.encode()) >= 1, name
            restored = restored.replace(unhidden_updated.encode(), filed_updated.encode())
        assert restored == expected, name
    assert after_photos == before_photos
    assert _fetch(photo_urls) == before_photo_answers
