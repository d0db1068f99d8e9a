"""Overdue reports: marked, written in the report's history, and reported up the hierarchy.

Every five minutes (Celery beat, task "incidents.escalate_overdue" in `incidents/tasks.py`)
`incidents_escalate_overdue(now=...)` finds:

- reports past `acknowledge_by` that no one acknowledged, still open (stage "acknowledge");
- reports past `resolve_by` not resolved, closed or rejected (stage "resolve").

Each is escalated once per stage and missed deadline (`IncidentEscalation`, unique on
report, stage and deadline): an `IncidentEscalation` row marks it, an internal event goes into
its history, and an email goes to the parent unit (agency.parent), to every active leader (group
"Lãnh đạo") with an email address, and to the unit itself as a reminder. A transfer or a
reopening gives a report new deadlines; missing one of those is escalated again.

Deadlines missed more than INCIDENT_ESCALATION_LOOKBACK_DAYS before `now` are not escalated:
the first run after an import of old reports, or after a long outage, must not send leaders a
mailbox of stale alerts (those reports still show as overdue in the lists, by their deadlines).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from geoapp.clock import VIETNAM_TIME_ZONE
from incidents import events as incidents_events
from incidents import notice_texts as texts
from incidents.models import (
    OPEN_STATUSES,
    EscalationStage,
    Incident,
    IncidentEscalation,
    IncidentEvent,
)
from incidents.notice_texts import IncidentNoticeKind
from notifications.message_texts import moment_text
from notifications.models import Notification, NotificationChannel, RecipientRole
from notifications.services import notification_enqueue

logger = logging.getLogger(__name__)

# The group created by the incidents data migration 0002_leader_and_administrator_groups.
LEADERS_GROUP = "Lãnh đạo"
# Reports escalated per stage and run; the rest wait five minutes for the next run.
BATCH_SIZE = 200

DEADLINE_FIELD = {
    EscalationStage.ACKNOWLEDGE: "acknowledge_by",
    EscalationStage.RESOLVE: "resolve_by",
}


def _overdue(stage: EscalationStage, *, now: datetime) -> QuerySet[Incident]:
    """Reports past the stage's deadline, in the state that makes them late, not yet escalated
    for that deadline."""
    deadline_field = DEADLINE_FIELD[stage]
    oldest = now - timedelta(days=settings.INCIDENT_ESCALATION_LOOKBACK_DAYS)
    incidents = Incident.objects.filter(
        status__in=OPEN_STATUSES,
        **{f"{deadline_field}__lt": now, f"{deadline_field}__gte": oldest},
    )
    if stage == EscalationStage.ACKNOWLEDGE:
        incidents = incidents.filter(acknowledged_at__isnull=True)
    already = IncidentEscalation.objects.filter(
        incident=OuterRef("pk"), stage=stage, deadline=OuterRef(deadline_field)
    )
    return incidents.exclude(Exists(already))


def _is_overdue(incident: Incident, stage: EscalationStage, *, now: datetime) -> bool:
    if incident.status not in OPEN_STATUSES:
        return False
    if stage == EscalationStage.ACKNOWLEDGE:
        return incident.acknowledged_at is None and incident.acknowledge_by < now
    return incident.resolve_by < now


def _leaders() -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(groups__name=LEADERS_GROUP, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _escalation_event(
    *, incident: Incident, stage: EscalationStage, deadline: datetime, data: dict[str, Any]
) -> IncidentEvent:
    vietnamese, _english = texts.STAGE_LABELS[stage]
    return incidents_events.incident_escalated_event(
        incident=incident,
        note=f"{vietnamese} (hạn {moment_text(deadline)}); đã báo cáo đơn vị cấp trên và lãnh đạo.",
        data={
            "escalation": str(stage),
            "deadline": deadline.astimezone(VIETNAM_TIME_ZONE).isoformat(),
            **data,
        },
    )


def _escalation_notices_enqueue(
    *, escalation: IncidentEscalation, incident: Incident
) -> list[Notification]:
    agency = incident.agency
    parent = agency.parent if agency.parent is not None and agency.parent.is_active else None
    leaders = _leaders()
    recipients: list[tuple[RecipientRole, str, str]] = []  # role, identity, address
    if parent is not None and parent.email:
        recipients.append((RecipientRole.PARENT_UNIT, f"agency:{parent.pk}", parent.email))
    recipients += [(RecipientRole.LEADER, f"user:{user.pk}", user.email) for user in leaders]
    if agency.email:
        recipients.append((RecipientRole.UNIT, f"agency:{agency.pk}", agency.email))

    told_vietnamese = ["lãnh đạo"]
    told_english = ["the leaders"]
    if parent is not None:
        told_vietnamese.insert(0, parent.name)
        told_english.insert(0, parent.name_en or parent.name)
    told_vietnamese.append(agency.name)
    told_english.append(agency.name_en or agency.name)
    context = {
        **texts.incident_context(incident),
        **texts.stage_context(escalation.stage, escalation.deadline),
        "recipients": ", ".join(told_vietnamese),
        "recipients_en": ", ".join(told_english),
    }
    message = texts.compose_notice(IncidentNoticeKind.INCIDENT_OVERDUE, context)
    planned: list[Notification] = []
    told: set[str] = set()
    for role, identity, address in recipients:
        if address.lower() in told:
            continue
        told.add(address.lower())
        planned.append(
            notification_enqueue(
                dedupe_key=f"escalation:{escalation.pk}:{role}:{identity}:email",
                kind=IncidentNoticeKind.INCIDENT_OVERDUE,
                channel=NotificationChannel.EMAIL,
                recipient_role=role,
                address=address,
                subject=message.subject,
                body=message.body,
                about=incident,
                occasioned_by=escalation.event,
            )
        )
    return planned


@transaction.atomic
def incident_escalate(
    *, incident_id: int, stage: EscalationStage, now: datetime
) -> IncidentEscalation | None:
    """Escalate one report for one stage, if it is still overdue and not yet escalated."""
    # SKIP LOCKED: an officer acting on this report holds its row right now (acknowledging it,
    # perhaps). Waiting would block the whole run behind one request and then judge a state that
    # just changed; skipping leaves the report to the next run, five minutes later, which sees
    # the officer's result. of=("self",): only the report's row, not its unit's.
    incident = (
        Incident.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("category", "area", "agency", "agency__parent")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None or not _is_overdue(incident, stage, now=now):
        return None
    deadline: datetime = getattr(incident, DEADLINE_FIELD[stage])
    # Under the report's lock no other run can escalate it between this check and the insert
    # (the unique constraint stays as a backstop).
    if IncidentEscalation.objects.filter(
        incident=incident, stage=stage, deadline=deadline
    ).exists():
        return None
    parent = incident.agency.parent
    event = _escalation_event(
        incident=incident,
        stage=stage,
        deadline=deadline,
        data={
            "agency_id": incident.agency_id,
            "parent_agency_id": parent.pk if parent is not None else None,
        },
    )
    escalation = IncidentEscalation.objects.create(
        incident=incident,
        stage=stage,
        deadline=deadline,
        escalated_at=now,
        agency=incident.agency,
        event=event,
    )
    notices = _escalation_notices_enqueue(escalation=escalation, incident=incident)
    escalation.notified_addresses = len(notices)
    escalation.save(update_fields=["notified_addresses"])
    return escalation


@dataclass(frozen=True)
class EscalationRun:
    escalated: list[IncidentEscalation]

    def count(self, stage: EscalationStage) -> int:
        return sum(1 for escalation in self.escalated if escalation.stage == stage)


def incidents_escalate_overdue(*, now: datetime, batch_size: int = BATCH_SIZE) -> EscalationRun:
    """Escalate every overdue report once per stage and deadline (the beat job's body)."""
    escalated: list[IncidentEscalation] = []
    for stage in (EscalationStage.ACKNOWLEDGE, EscalationStage.RESOLVE):
        incident_ids = list(
            _overdue(stage, now=now)
            .order_by(DEADLINE_FIELD[stage], "pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        for incident_id in incident_ids:
            # One transaction per report: one report's failure does not undo the others.
            escalation = incident_escalate(incident_id=incident_id, stage=stage, now=now)
            if escalation is not None:
                escalated.append(escalation)
    if escalated:
        logger.info("escalated %s overdue reports", len(escalated))
    return EscalationRun(escalated=escalated)


def escalations_of_incident(*, incident: Incident) -> list[IncidentEscalation]:
    return list(IncidentEscalation.objects.filter(incident=incident).order_by("escalated_at"))
