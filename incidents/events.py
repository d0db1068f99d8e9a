"""The audit trail: one small function per kind of change, each writing one `IncidentEvent`.

Services call these inside their transaction, after changing the row, so a change and its event
are committed together or not at all. `note` is what the public timeline shows for a public event
(a message to the reporter); `data` holds internal details (reasons, units, deadlines) and is shown
to staff only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents.models import Incident, IncidentAction, IncidentEvent, IncidentStatus

# Stored labels are data, in Vietnamese like the rest of the records, not interface text.
REPORTER_LABEL = "Người phản ánh"
SYSTEM_LABEL = "Hệ thống"
ADMINISTRATOR_LABEL = "Quản trị viên"


def moment_text(moment: datetime) -> str:
    """A moment as stored in event data: ISO 8601 in Vietnam time, as people read it."""
    return moment.astimezone(VIETNAM_TIME_ZONE).isoformat()


def _record(
    *,
    incident: Incident,
    action: IncidentAction,
    actor: User | None,
    actor_label: str,
    from_status: str = "",
    is_public: bool,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IncidentEvent:
    return IncidentEvent.objects.create(
        incident=incident,
        # The moment the service acted at (now, or the moment of a step replayed from history).
        created_at=at or timezone.now(),
        actor=actor,
        actor_label=actor_label,
        action=action,
        from_status=from_status,
        to_status=incident.status,
        note=note,
        is_public=is_public,
        data=data or {},
    )


def incident_created_event_unsaved(
    *,
    incident: Incident,
    actor: User | None,
    actor_label: str,
    at: datetime | None = None,
) -> IncidentEvent:
    """The first event of a report, not yet written: the filing writes it with the report, in
    the report's own INSERT (incidents/services/filing.py), which sets its `incident_id`."""
    return IncidentEvent(
        incident=incident,
        created_at=at or timezone.now(),
        actor=actor,
        actor_label=actor_label,
        action=IncidentAction.CREATED,
        from_status="",
        to_status=incident.status,
        note="",
        is_public=True,
        # The report as filed, for the messages announcing it, which are composed when they
        # are sent (incidents/message_composers.py): a correction may change its category,
        # area and unit, and a transfer or a new priority its deadlines, before then.
        data={
            "category_id": incident.category_id,
            "agency_id": incident.agency_id,
            "area_id": incident.area_id,
            "acknowledge_by": moment_text(incident.acknowledge_by),
            "resolve_by": moment_text(incident.resolve_by),
            "channel": incident.channel,
        },
    )


def incident_status_changed_event(
    *,
    incident: Incident,
    action: IncidentAction,
    actor: User | None,
    actor_label: str,
    from_status: IncidentStatus | str,
    note: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IncidentEvent:
    """Acknowledge, start, request or provide information, answer, resolve, close, reject, reopen."""
    return _record(
        at=at,
        incident=incident,
        action=action,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        is_public=True,
        note=note,
        data=data,
    )


def incident_assigned_event(
    *,
    incident: Incident,
    actor: User,
    actor_label: str,
    previous_assignee_id: int | None,
    at: datetime | None = None,
) -> IncidentEvent:
    return _record(
        at=at,
        incident=incident,
        action=IncidentAction.ASSIGNED,
        actor=actor,
        actor_label=actor_label,
        from_status=incident.status,
        is_public=False,
        data={"assignee_id": incident.assigned_to_id, "previous_assignee_id": previous_assignee_id},
    )


def incident_transferred_event(
    *,
    incident: Incident,
    actor: User,
    actor_label: str,
    from_status: IncidentStatus | str,
    note: str,
    data: dict[str, Any],
    at: datetime | None = None,
) -> IncidentEvent:
    return _record(
        at=at,
        incident=incident,
        action=IncidentAction.TRANSFERRED,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        is_public=True,
        note=note,
        data=data,
    )


def incident_corrected_event(
    *,
    incident: Incident,
    actor: User,
    actor_label: str,
    data: dict[str, Any],
    at: datetime | None = None,
) -> IncidentEvent:
    return _record(
        at=at,
        incident=incident,
        action=IncidentAction.CORRECTED,
        actor=actor,
        actor_label=actor_label,
        from_status=incident.status,
        is_public=False,
        data=data,
    )


def incident_duplicate_events(
    *,
    duplicate: Incident,
    original: Incident,
    actor: User,
    actor_label: str,
    from_status: IncidentStatus | str,
    note: str,
    data: dict[str, Any],
    at: datetime | None = None,
) -> tuple[IncidentEvent, IncidentEvent]:
    marked = _record(
        at=at,
        incident=duplicate,
        action=IncidentAction.MARKED_DUPLICATE,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        is_public=True,
        note=note,
        data={**data, "original_id": original.id},
    )
    received = _record(
        at=at,
        incident=original,
        action=IncidentAction.DUPLICATE_RECEIVED,
        actor=actor,
        actor_label=actor_label,
        from_status=original.status,
        is_public=False,
        data={**data, "duplicate_id": duplicate.id},
    )
    return marked, received


def incident_priority_changed_event(
    *,
    incident: Incident,
    actor: User,
    actor_label: str,
    note: str,
    data: dict,
    at: datetime | None = None,
) -> IncidentEvent:
    return _record(
        at=at,
        incident=incident,
        action=IncidentAction.PRIORITY_CHANGED,
        actor=actor,
        actor_label=actor_label,
        from_status=incident.status,
        is_public=False,
        note=note,
        data=data,
    )


def incident_rated_event(*, incident: Incident, at: datetime | None = None) -> IncidentEvent:
    return _record(
        at=at,
        incident=incident,
        action=IncidentAction.RATED,
        actor=None,
        actor_label=REPORTER_LABEL,
        from_status=incident.status,
        is_public=True,
        note=f"{incident.rating}/5",
        data={"rating": incident.rating, "comment": incident.rating_comment},
    )


def incident_note_added_event(
    *,
    incident: Incident,
    actor: User,
    actor_label: str,
    note: str,
    at: datetime | None = None,
) -> IncidentEvent:
    return _record(
        at=at,
        incident=incident,
        action=IncidentAction.NOTE_ADDED,
        actor=actor,
        actor_label=actor_label,
        from_status=incident.status,
        is_public=False,
        note=note,
    )


def incident_escalated_event(
    *, incident: Incident, note: str, data: dict[str, Any], at: datetime | None = None
) -> IncidentEvent:
    """A missed deadline reported to the parent unit and the leaders: internal, by the system."""
    return _record(
        at=at,
        incident=incident,
        action=IncidentAction.ESCALATED,
        actor=None,
        actor_label=SYSTEM_LABEL,
        from_status=incident.status,
        is_public=False,
        note=note,
        data=data,
    )


def incident_moderated_event(
    *,
    incident: Incident,
    action: IncidentAction,
    actor: User,
    actor_label: str,
    reason: str,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> IncidentEvent:
    """Hiding a report, its text or a photo, or showing it again: public, so that the reporter
    is told why (the public timeline shows the step and its reason, like any public event)."""
    return _record(
        at=at,
        incident=incident,
        action=action,
        actor=actor,
        actor_label=actor_label,
        from_status=incident.status,
        is_public=True,
        note=reason,
        data=data,
    )
