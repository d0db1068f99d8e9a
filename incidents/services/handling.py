"""The unit's handling of a report: every step an officer takes, from acknowledging to closing.

Each step is one transaction that locks the report's row, checks the actor's role and the state
machine (`incidents/workflow.py`) on the locked row, changes it, writes its event and queues
notifications for after the commit. A refused step raises a DomainError before writing anything,
so it changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import IO

from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import Conflict, InvalidInput
from geoapp.selectors import working_calendar
from incidents import events, notifications, permissions, selectors
from incidents.deadlines import deadlines_compute
from incidents.events import moment_text
from incidents.models import (
    Incident,
    IncidentAction,
    IncidentPriority,
    IncidentStatus,
    PhotoKind,
    RejectionReason,
)
from incidents.photos import photo_prepare
from incidents.services import steps
from wards.models import Agency, AgencyMembership
from wards.selectors import route_point


def _simple_transition(
    *,
    actor: User,
    incident: Incident,
    action: str,
    to_status: IncidentStatus,
    event_action: IncidentAction,
    stamp_field: str,
    note: str = "",
    at: datetime | None = None,
) -> Incident:
    moment = at or timezone.now()
    incident = steps.staff_action_begin(actor=actor, incident=incident, action=action)
    note = steps.optional_text(note, field=_("ghi chú"), limit=steps.TEXT_MAX_LENGTH)
    from_status = incident.status
    incident.status = to_status
    setattr(incident, stamp_field, moment)
    incident.updated_at = moment
    incident.save(update_fields=["status", stamp_field, "updated_at"])
    event = events.incident_status_changed_event(
        at=moment,
        incident=incident,
        action=event_action,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        from_status=from_status,
        note=note,
    )
    steps.public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_acknowledge(
    *, actor: User, incident: Incident, note: str = "", at: datetime | None = None
) -> Incident:
    """The unit confirms it has received the report (the acknowledge deadline is met)."""
    return _simple_transition(
        at=at,
        actor=actor,
        incident=incident,
        action="acknowledge",
        to_status=IncidentStatus.ACKNOWLEDGED,
        event_action=IncidentAction.ACKNOWLEDGED,
        stamp_field="acknowledged_at",
        note=note,
    )


@transaction.atomic
def incident_start(
    *, actor: User, incident: Incident, note: str = "", at: datetime | None = None
) -> Incident:
    return _simple_transition(
        at=at,
        actor=actor,
        incident=incident,
        action="start",
        to_status=IncidentStatus.IN_PROGRESS,
        event_action=IncidentAction.STARTED,
        stamp_field="started_at",
        note=note,
    )


@transaction.atomic
def incident_close(
    *, actor: User, incident: Incident, note: str = "", at: datetime | None = None
) -> Incident:
    return _simple_transition(
        at=at,
        actor=actor,
        incident=incident,
        action="close",
        to_status=IncidentStatus.CLOSED,
        event_action=IncidentAction.CLOSED,
        stamp_field="closed_at",
        note=note,
    )


@transaction.atomic
def incident_assign(
    *,
    actor: User,
    incident: Incident,
    assignee: User,
    at: datetime | None = None,
) -> Incident:
    """Give the report to an officer of its unit; the status does not change."""
    moment = at or timezone.now()
    incident = steps.staff_action_begin(actor=actor, incident=incident, action="assign")
    if not (
        assignee.is_active
        and AgencyMembership.objects.filter(user=assignee, agency_id=incident.agency_id).exists()
    ):
        raise InvalidInput(
            _("%(user)s không phải là cán bộ của %(agency)s.")
            % {"user": assignee.get_username(), "agency": incident.agency.name},
            code="assignee_not_in_unit",
        )
    if incident.assigned_to_id == assignee.pk:
        raise Conflict(
            _("Phản ánh đã được giao cho %(user)s.") % {"user": assignee.get_username()},
            code="already_assigned",
        )
    previous_assignee_id = incident.assigned_to_id
    incident.assigned_to = assignee
    incident.updated_at = moment
    incident.save(update_fields=["assigned_to", "updated_at"])
    events.incident_assigned_event(
        at=moment,
        incident=incident,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        previous_assignee_id=previous_assignee_id,
    )
    return incident


@transaction.atomic
def incident_request_information(
    *, actor: User, incident: Incident, question: str, at: datetime | None = None
) -> Incident:
    """Ask the reporter for more information; the question is public (the reporter reads it).

    The deadlines keep running: a feedback report has no paused clock, unlike a dossier.
    """
    moment = at or timezone.now()
    incident = steps.staff_action_begin(
        actor=actor, incident=incident, action="request_information"
    )
    question = steps.required_text(question, field=_("nội dung cần bổ sung"))
    from_status = incident.status
    incident.status = IncidentStatus.INFORMATION_REQUESTED
    incident.updated_at = moment
    incident.save(update_fields=["status", "updated_at"])
    event = events.incident_status_changed_event(
        at=moment,
        incident=incident,
        action=IncidentAction.INFORMATION_REQUESTED,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        from_status=from_status,
        note=question,
    )
    steps.public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_transfer(
    *,
    actor: User,
    incident: Incident,
    reason: str,
    to_agency: Agency | None = None,
    point: Point | None = None,
    category_code: str | None = None,
    at: datetime | None = None,
) -> Incident:
    """Move the report to another unit, or correct its location or category and re-route it.

    With a corrected `point` or `category_code` the report is routed again (on its own date, like
    at creation) and its area is recomputed; `to_agency`, when given, overrides the routed unit.

    Deadlines after a transfer: the new unit gets the full norm. `deadlines_from` becomes the
    moment of the transfer and both deadlines (acknowledge and resolve) are recomputed from it
    with the report's category and priority; the status returns to "new" for the new unit to
    acknowledge. The event records the previous and the new deadlines and this rule. A correction
    that leaves the report with the same unit changes neither the status nor the deadlines.
    """
    moment = at or timezone.now()
    incident = steps.staff_action_begin(actor=actor, incident=incident, action="transfer")
    reason = steps.required_text(reason, field=_("lý do chuyển"), limit=steps.REASON_MAX_LENGTH)
    if to_agency is None and point is None and not category_code:
        raise InvalidInput(
            _("Hãy chọn đơn vị nhận, hoặc sửa vị trí hay lĩnh vực để hệ thống chuyển lại."),
            code="nothing_to_transfer",
        )
    category = incident.category
    if category_code and category_code != category.code:
        category = selectors.category_get_active(code=category_code).category
    location = point if point is not None else incident.location
    corrections: dict[str, object] = {}
    area = incident.area
    target = to_agency
    if point is not None or category != incident.category:
        routing = route_point(
            point=location,
            category_code=category.code,
            on=incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date(),
        )
        area = routing.commune
        target = to_agency or routing.agency
        if point is not None:
            corrections["previous_location"] = [incident.location.x, incident.location.y]
            corrections["location"] = [location.x, location.y]
        if category != incident.category:
            corrections["previous_category"] = incident.category.code
            corrections["category"] = category.code
            corrections["previous_attributes"] = incident.attributes
        if area.pk != incident.area_id:
            corrections["previous_area_id"] = incident.area_id
            corrections["area_id"] = area.pk
    assert target is not None
    if not target.is_active:
        raise InvalidInput(
            _("%(agency)s đã ngừng hoạt động.") % {"agency": target.name}, code="inactive_agency"
        )
    if target.pk == incident.agency_id and not corrections:
        raise InvalidInput(
            _("Phản ánh đã thuộc %(agency)s.") % {"agency": target.name}, code="same_agency"
        )

    actor_label = steps.staff_label(actor, incident)
    incident.location = location
    incident.area = area
    if category != incident.category:
        incident.category = category
        # The answers belonged to the old category's questions; they stay in the event's data.
        incident.attributes = {}
    if target.pk == incident.agency_id:
        incident.updated_at = moment
        incident.save()
        events.incident_corrected_event(
            at=moment,
            incident=incident,
            actor=actor,
            actor_label=actor_label,
            data={**corrections, "reason": reason},
        )
        return incident

    previous = {
        "from_agency_id": incident.agency_id,
        "from_agency": incident.agency.name,
        "previous_acknowledge_by": moment_text(incident.acknowledge_by),
        "previous_resolve_by": moment_text(incident.resolve_by),
        "previous_assignee_id": incident.assigned_to_id,
    }
    deadlines = deadlines_compute(
        calendar=working_calendar(),
        category=category,
        priority=incident.priority,
        counted_from=moment,
    )
    from_status = incident.status
    incident.agency = target
    incident.status = IncidentStatus.NEW
    incident.assigned_to = None
    incident.acknowledged_at = None
    incident.started_at = None
    incident.deadlines_from = moment
    incident.acknowledge_by = deadlines.acknowledge_by
    incident.resolve_by = deadlines.resolve_by
    incident.transferred_count += 1
    incident.updated_at = moment
    incident.save()
    resolve_by_local = deadlines.resolve_by.astimezone(VIETNAM_TIME_ZONE)
    event = events.incident_transferred_event(
        at=moment,
        incident=incident,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        note=_("Chuyển đến %(agency)s. Hạn giải quyết mới: %(deadline)s.")
        % {"agency": target.name, "deadline": resolve_by_local.strftime("%H:%M %d/%m/%Y")},
        data={
            **previous,
            **corrections,
            "reason": reason,
            "to_agency_id": target.pk,
            "to_agency": target.name,
            "deadline_rule": "restarted_at_transfer",
            "deadlines_from": moment_text(moment),
            "acknowledge_by": moment_text(deadlines.acknowledge_by),
            "resolve_by": moment_text(deadlines.resolve_by),
        },
    )
    notifications.notify_incident_transferred(incident.id, event.id)
    steps.public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_answer(
    *, actor: User, incident: Incident, answer: str, at: datetime | None = None
) -> Incident:
    """Publish the unit's answer to the reporter (and the public)."""
    moment = at or timezone.now()
    incident = steps.staff_action_begin(actor=actor, incident=incident, action="answer")
    answer = steps.required_text(answer, field=_("nội dung trả lời"))
    from_status = incident.status
    incident.status = IncidentStatus.ANSWERED
    incident.public_answer = answer
    incident.answered_at = moment
    incident.updated_at = moment
    incident.save(update_fields=["status", "public_answer", "answered_at", "updated_at"])
    event = events.incident_status_changed_event(
        at=moment,
        incident=incident,
        action=IncidentAction.ANSWERED,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        from_status=from_status,
        note=answer,
    )
    steps.public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_resolve(
    *,
    actor: User,
    incident: Incident,
    answer: str = "",
    evidence_photo: IO[bytes] | None = None,
    at: datetime | None = None,
) -> Incident:
    """The problem is fixed: the public answer (new, or the one already given) and an optional
    photo of the result."""
    moment = at or timezone.now()
    # Checked before taking the lock: decoding a photo is slow and needs no row.
    prepared = photo_prepare(evidence_photo) if evidence_photo is not None else None
    incident = steps.staff_action_begin(actor=actor, incident=incident, action="resolve")
    answer = str(answer or "").strip() or incident.public_answer
    answer = steps.required_text(answer, field=_("nội dung trả lời"))
    from_status = incident.status
    incident.status = IncidentStatus.RESOLVED
    incident.public_answer = answer
    incident.resolved_at = moment
    if incident.answered_at is None:
        incident.answered_at = moment
    incident.updated_at = moment
    incident.save(
        update_fields=["status", "public_answer", "resolved_at", "answered_at", "updated_at"]
    )
    photo = (
        steps.photo_store(at=moment, incident=incident, prepared=prepared, kind=PhotoKind.EVIDENCE)
        if prepared is not None
        else None
    )
    event = events.incident_status_changed_event(
        at=moment,
        incident=incident,
        action=IncidentAction.RESOLVED,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        from_status=from_status,
        note=answer,
        data={"evidence_photo_id": photo.id if photo else None},
    )
    steps.public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_reject(
    *,
    actor: User,
    incident: Incident,
    reason: RejectionReason | str,
    note: str = "",
    at: datetime | None = None,
) -> Incident:
    """Refuse the report: spam, a duplicate (of something not linked) or outside the scope.

    `note` is the explanation given to the reporter (public).
    """
    moment = at or timezone.now()
    incident = steps.staff_action_begin(actor=actor, incident=incident, action="reject")
    if reason not in RejectionReason.values:
        raise InvalidInput(
            _("Lý do từ chối “%(reason)s” không hợp lệ; chọn một trong: %(choices)s.")
            % {"reason": reason, "choices": ", ".join(RejectionReason.values)},
            code="invalid_rejection_reason",
        )
    note = steps.optional_text(note, field=_("giải thích"), limit=steps.TEXT_MAX_LENGTH)
    from_status = incident.status
    incident.status = IncidentStatus.REJECTED
    incident.rejection_reason = reason
    incident.rejected_at = moment
    incident.updated_at = moment
    incident.save(update_fields=["status", "rejection_reason", "rejected_at", "updated_at"])
    event = events.incident_status_changed_event(
        at=moment,
        incident=incident,
        action=IncidentAction.REJECTED,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        from_status=from_status,
        note=note or str(RejectionReason(reason).label),
        data={"reason": reason},
    )
    steps.public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_set_priority(
    *,
    actor: User,
    incident: Incident,
    priority: IncidentPriority | str,
    note: str = "",
    at: datetime | None = None,
) -> Incident:
    """Re-grade the report (urgent, normal, complex); deadlines are recomputed from
    `deadlines_from` with the new norm (the acknowledge deadline only while not yet met)."""
    moment = at or timezone.now()
    incident = steps.staff_action_begin(actor=actor, incident=incident, action="set_priority")
    if priority not in IncidentPriority.values:
        raise InvalidInput(_("Mức độ “%(priority)s” không hợp lệ.") % {"priority": priority})
    if priority == incident.priority:
        raise InvalidInput(
            _("Phản ánh đã ở mức độ “%(priority)s”.")
            % {"priority": IncidentPriority(priority).label},
            code="same_priority",
        )
    note = steps.optional_text(note, field=_("ghi chú"), limit=steps.TEXT_MAX_LENGTH)
    deadlines = deadlines_compute(
        calendar=working_calendar(),
        category=incident.category,
        priority=priority,
        counted_from=incident.deadlines_from,
    )
    data = {
        "previous_priority": incident.priority,
        "priority": priority,
        "previous_acknowledge_by": moment_text(incident.acknowledge_by),
        "previous_resolve_by": moment_text(incident.resolve_by),
    }
    incident.priority = priority
    if incident.acknowledged_at is None:
        incident.acknowledge_by = deadlines.acknowledge_by
    incident.resolve_by = deadlines.resolve_by
    incident.updated_at = moment
    incident.save(update_fields=["priority", "acknowledge_by", "resolve_by", "updated_at"])
    events.incident_priority_changed_event(
        at=moment,
        incident=incident,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        note=note,
        data={
            **data,
            "acknowledge_by": moment_text(incident.acknowledge_by),
            "resolve_by": moment_text(incident.resolve_by),
        },
    )
    return incident


@transaction.atomic
def incident_note_add(
    *, actor: User, incident: Incident, note: str, at: datetime | None = None
) -> Incident:
    """An internal note for the unit; never public."""
    moment = at or timezone.now()
    locked = steps.lock_for_update(incident)
    permissions.require_can_act(actor, locked)
    note = steps.required_text(note, field=_("ghi chú"))
    events.incident_note_added_event(
        at=moment,
        incident=locked,
        actor=actor,
        actor_label=steps.staff_label(actor, locked),
        note=note,
    )
    return locked


# Citizens' actions
