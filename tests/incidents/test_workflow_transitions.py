"""Every action from every status: allowed ones move the report as the table says, the others are
refused and change nothing.

The expected table is written out here from docs/incidents.md, independently of the code's
`ALLOWED_FROM`, so that a change to either shows up as a failing test.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import User

from geoapp.exceptions import Conflict
from incidents import services, workflow
from incidents.models import IncidentStatus
from tests.conftest import Territory

from .conftest import AN_PHU_POINT, Filed, FileReport, snapshot

S = IncidentStatus
WORKABLE = {S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.INFORMATION_REQUESTED}
OPEN = WORKABLE | {S.ANSWERED}

EXPECTED: dict[str, tuple[set[IncidentStatus], IncidentStatus | None]] = {
    # action: (statuses it may start from, status it leads to; None = unchanged)
    "acknowledge": ({S.NEW}, S.ACKNOWLEDGED),
    "assign": (OPEN, None),
    "start": ({S.ACKNOWLEDGED}, S.IN_PROGRESS),
    "request_information": ({S.ACKNOWLEDGED, S.IN_PROGRESS}, S.INFORMATION_REQUESTED),
    "provide_information": ({S.INFORMATION_REQUESTED}, S.IN_PROGRESS),
    "transfer": (WORKABLE, S.NEW),
    "answer": ({S.ACKNOWLEDGED, S.IN_PROGRESS, S.INFORMATION_REQUESTED}, S.ANSWERED),
    "resolve": ({S.ACKNOWLEDGED, S.IN_PROGRESS, S.ANSWERED}, S.RESOLVED),
    "close": ({S.RESOLVED}, S.CLOSED),
    "reject": (WORKABLE, S.REJECTED),
    "mark_duplicate": (WORKABLE, S.REJECTED),
    "reopen": ({S.RESOLVED, S.CLOSED}, S.IN_PROGRESS),
    "support": (OPEN, None),
    "rate": ({S.RESOLVED, S.CLOSED}, None),
    "set_priority": (OPEN, None),
}


def bring_to(status: str, filed: Filed, actor: User) -> None:
    """Move a fresh report to `status` through the services."""
    incident = filed.incident
    if status == S.NEW:
        return
    if status == S.REJECTED:
        services.incident_reject(actor=actor, incident=incident, reason="outside_scope")
        return
    services.incident_acknowledge(actor=actor, incident=incident)
    if status == S.IN_PROGRESS:
        services.incident_start(actor=actor, incident=incident)
    elif status == S.INFORMATION_REQUESTED:
        services.incident_request_information(actor=actor, incident=incident, question="Ở đâu?")
    elif status == S.ANSWERED:
        services.incident_answer(actor=actor, incident=incident, answer="Sẽ sửa tuần sau.")
    elif status in (S.RESOLVED, S.CLOSED):
        services.incident_resolve(actor=actor, incident=incident, answer="Đã vá ổ gà.")
        if status == S.CLOSED:
            services.incident_close(actor=actor, incident=incident)


def perform(
    action: str,
    filed: Filed,
    actor: User,
    second_officer: User,
    original: Filed,
    territory: Territory,
) -> None:
    incident = filed.incident
    calls: dict[str, Callable[[], object]] = {
        "acknowledge": lambda: services.incident_acknowledge(actor=actor, incident=incident),
        "assign": lambda: services.incident_assign(
            actor=actor, incident=incident, assignee=second_officer
        ),
        "start": lambda: services.incident_start(actor=actor, incident=incident),
        "request_information": lambda: services.incident_request_information(
            actor=actor, incident=incident, question="Ổ gà nằm bên trái hay bên phải đường?"
        ),
        "provide_information": lambda: services.incident_provide_information(
            incident=incident, reporter_token=filed.token, information="Bên phải, trước số 12."
        ),
        "transfer": lambda: services.incident_transfer(
            actor=actor,
            incident=incident,
            reason="Thuộc địa bàn An Phú",
            to_agency=territory.committee_an_phu,
        ),
        "answer": lambda: services.incident_answer(
            actor=actor, incident=incident, answer="Đã giao đội duy tu."
        ),
        "resolve": lambda: services.incident_resolve(
            actor=actor, incident=incident, answer="Đã vá xong."
        ),
        "close": lambda: services.incident_close(actor=actor, incident=incident),
        "reject": lambda: services.incident_reject(
            actor=actor, incident=incident, reason="outside_scope", note="Đường do tỉnh quản lý."
        ),
        "mark_duplicate": lambda: services.incident_mark_duplicate(
            actor=actor, incident=incident, original=original.incident
        ),
        "reopen": lambda: services.incident_reopen(
            incident=incident, reporter_token=filed.token, reason="Vẫn còn ổ gà."
        ),
        "support": lambda: services.incident_support(
            incident=incident, supporter_identity="email:hang@example.vn"
        ),
        "rate": lambda: services.incident_rate(
            incident=incident, reporter_token=filed.token, rating=4
        ),
        "set_priority": lambda: services.incident_set_priority(
            actor=actor, incident=incident, priority="complex"
        ),
    }
    calls[action]()


CASES = [(action, status) for action in EXPECTED for status in IncidentStatus.values]


@pytest.mark.parametrize(("action", "status"), CASES)
def test_each_action_is_allowed_exactly_from_the_statuses_the_workflow_lists(
    action: str,
    status: str,
    file_report: FileReport,
    officer_a: User,
    second_officer_a: User,
    territory: Territory,
) -> None:
    filed = file_report()
    original = file_report(point=AN_PHU_POINT, description="Phản ánh gốc")
    bring_to(status, filed, officer_a)
    allowed, next_status = EXPECTED[action]
    before = snapshot(filed.incident)

    if status in allowed:
        perform(action, filed, officer_a, second_officer_a, original, territory)
        after = snapshot(filed.incident)
        assert after["status"] == (next_status or status)
        # Support is a counter, not a change in the handling: it writes no event.
        assert after["events"] == before["events"] + (0 if action == "support" else 1)
    else:
        with pytest.raises(Conflict) as refused:
            perform(action, filed, officer_a, second_officer_a, original, territory)
        assert refused.value.code == "invalid_transition"
        assert str(IncidentStatus(status).label) in refused.value.message
        assert snapshot(filed.incident) == before


def test_the_expected_table_covers_every_action_the_services_know() -> None:
    assert set(EXPECTED) == set(workflow.ALLOWED_FROM)
    for action, (allowed, _next_status) in EXPECTED.items():
        assert set(workflow.ALLOWED_FROM[action]) == allowed, action


def test_each_action_has_exactly_one_kind_of_actor() -> None:
    kinds = (workflow.UNIT_ACTIONS, workflow.REPORTER_ACTIONS, workflow.PUBLIC_ACTIONS)
    for action in workflow.ALLOWED_FROM:
        assert [action in kind for kind in kinds].count(True) == 1, action
    assert set().union(*kinds) == set(workflow.ALLOWED_FROM)
    # The officer's page offers the unit's actions, each once.
    assert sorted(workflow.OFFICER_PAGE_ACTIONS) == sorted(workflow.UNIT_ACTIONS)


# Timestamps each stage records


def test_acknowledging_records_the_moment_and_a_public_event(
    file_report: FileReport, officer_a: User, territory: Territory
) -> None:
    incident = file_report().incident

    incident = services.incident_acknowledge(
        actor=officer_a, incident=incident, note="Đã nhận, sẽ kiểm tra."
    )

    assert incident.acknowledged_at is not None
    event = incident.events.latest("id")
    assert (event.action, event.from_status, event.to_status) == (
        "acknowledged",
        "new",
        "acknowledged",
    )
    assert event.is_public is True
    assert event.note == "Đã nhận, sẽ kiểm tra."
    assert event.actor == officer_a
    assert event.actor_label == territory.committee_cam_thanh.name


def test_a_full_handling_stamps_every_stage(file_report: FileReport, officer_a: User) -> None:
    incident = file_report().incident
    services.incident_acknowledge(actor=officer_a, incident=incident)
    services.incident_start(actor=officer_a, incident=incident)
    services.incident_answer(actor=officer_a, incident=incident, answer="Đang xử lý.")
    services.incident_resolve(actor=officer_a, incident=incident)
    services.incident_close(actor=officer_a, incident=incident)

    incident.refresh_from_db()
    stamps = [
        incident.reported_at,
        incident.acknowledged_at,
        incident.started_at,
        incident.answered_at,
        incident.resolved_at,
        incident.closed_at,
    ]
    stamped = [stamp for stamp in stamps if stamp is not None]
    assert stamped == stamps
    assert stamped == sorted(stamped)
    assert incident.public_answer == "Đang xử lý."
    assert list(incident.events.values_list("action", flat=True)) == [
        "created",
        "acknowledged",
        "started",
        "answered",
        "resolved",
        "closed",
    ]


def test_resolving_without_any_answer_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report().incident
    services.incident_acknowledge(actor=officer_a, incident=incident)
    before = snapshot(incident)

    from geoapp.exceptions import InvalidInput

    with pytest.raises(InvalidInput):
        services.incident_resolve(actor=officer_a, incident=incident, answer="  ")

    assert snapshot(incident) == before


def test_rejecting_records_the_reason_and_explains_it_publicly(
    file_report: FileReport, officer_a: User
) -> None:
    incident = file_report().incident

    incident = services.incident_reject(actor=officer_a, incident=incident, reason="spam")

    assert incident.rejection_reason == "spam"
    assert incident.rejected_at is not None
    event = incident.events.latest("id")
    assert event.note == "Tin rác, nội dung không phù hợp"
    assert event.data == {"reason": "spam"}


def test_an_unknown_rejection_reason_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    from geoapp.exceptions import InvalidInput

    incident = file_report().incident
    before = snapshot(incident)

    with pytest.raises(InvalidInput) as refused:
        services.incident_reject(actor=officer_a, incident=incident, reason="lazy")

    assert refused.value.code == "invalid_rejection_reason"
    assert snapshot(incident) == before


def test_providing_information_keeps_the_reporters_words_out_of_the_public_note(
    file_report: FileReport, officer_a: User
) -> None:
    filed = file_report()
    services.incident_acknowledge(actor=officer_a, incident=filed.incident)
    services.incident_request_information(
        actor=officer_a, incident=filed.incident, question="Số nhà gần nhất?"
    )

    incident = services.incident_provide_information(
        incident=filed.incident, reporter_token=filed.token, information="Số 12, gọi 0905 000 111"
    )

    event = incident.events.latest("id")
    assert event.action == "information_provided"
    assert event.note == ""
    assert event.data == {"information": "Số 12, gọi 0905 000 111"}
    request = incident.events.get(action="information_requested")
    assert (request.is_public, request.note) == (True, "Số nhà gần nhất?")
