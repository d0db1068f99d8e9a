"""What a citizen does to a report after filing it: the reporter (with the secret of their
private link) provides information, reopens and rates; anyone supports ("+1")."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.exceptions import Conflict, InvalidInput
from geoapp.selectors import working_calendar
from incidents import events, workflow
from incidents.deadlines import deadlines_compute
from incidents.events import moment_text
from incidents.models import Incident, IncidentAction, IncidentStatus, IncidentSupporter
from incidents.services import steps


@transaction.atomic
def incident_provide_information(
    *, incident: Incident, reporter_token: str | None, information: str, at: datetime | None = None
) -> Incident:
    """The reporter answers a request for information; the report goes back to "in progress".

    The reporter's words may identify them, so they are kept for staff (event data), not shown.
    """
    moment = at or timezone.now()
    incident = steps.reporter_action_begin(
        incident=incident, reporter_token=reporter_token, action="provide_information"
    )
    information = steps.required_text(information, field=_("thông tin bổ sung"))
    from_status = incident.status
    incident.status = IncidentStatus.IN_PROGRESS
    if incident.started_at is None:
        incident.started_at = moment
    incident.updated_at = moment
    incident.save(update_fields=["status", "started_at", "updated_at"])
    event = events.incident_status_changed_event(
        at=moment,
        incident=incident,
        action=IncidentAction.INFORMATION_PROVIDED,
        actor=None,
        actor_label=events.REPORTER_LABEL,
        from_status=from_status,
        data={"information": information},
    )
    steps.public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_reopen(
    *, incident: Incident, reporter_token: str | None, reason: str, at: datetime | None = None
) -> Incident:
    """The reporter says the problem is not fixed, within INCIDENT_REOPEN_DAYS of its resolution.

    The report returns to "in progress" with the same unit; its resolve deadline restarts from
    the reopening with the full norm (`deadlines_from` is the reopening moment); the acknowledge
    deadline, already met, is kept.
    """
    moment = at or timezone.now()
    incident = steps.reporter_action_begin(
        incident=incident, reporter_token=reporter_token, action="reopen"
    )
    reason = steps.required_text(reason, field=_("lý do mở lại"))
    window = timedelta(days=settings.INCIDENT_REOPEN_DAYS)
    if incident.resolved_at is None or moment > incident.resolved_at + window:
        raise Conflict(
            _("Chỉ có thể mở lại phản ánh trong %(days)d ngày kể từ khi giải quyết xong.")
            % {"days": settings.INCIDENT_REOPEN_DAYS},
            code="reopen_window_passed",
        )
    deadlines = deadlines_compute(
        calendar=working_calendar(),
        category=incident.category,
        priority=incident.priority,
        counted_from=moment,
    )
    from_status = incident.status
    previous_resolve_by = incident.resolve_by
    incident.status = IncidentStatus.IN_PROGRESS
    incident.reopened_at = moment
    incident.reopened_count += 1
    incident.resolved_at = None
    incident.closed_at = None
    incident.deadlines_from = moment
    incident.resolve_by = deadlines.resolve_by
    incident.updated_at = moment
    incident.save()
    event = events.incident_status_changed_event(
        at=moment,
        incident=incident,
        action=IncidentAction.REOPENED,
        actor=None,
        actor_label=events.REPORTER_LABEL,
        from_status=from_status,
        data={
            "reason": reason,
            "deadline_rule": "restarted_at_reopening",
            "previous_resolve_by": moment_text(previous_resolve_by),
            "resolve_by": moment_text(deadlines.resolve_by),
        },
    )
    steps.public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_support(
    *, incident: Incident, supporter_identity: str, at: datetime | None = None
) -> Incident:
    """ "+1": one more person affected. Each identity (account, API key or network address, as
    `geoapp.throttling.client_identity` says) counts once.

    No event is written: support is a counter, not a change in the handling.
    """
    moment = at or timezone.now()
    if not str(supporter_identity or "").strip():
        raise InvalidInput(_("Không xác định được người ủng hộ."), code="missing_identity")
    locked = steps.lock_for_update(incident)
    workflow.require_status(locked, "support")
    identity_hash = steps.identity_fingerprint(str(supporter_identity))
    # Under the row lock no other support of this report can slip in between this check and
    # the insert, so the check is exact (the unique constraint stays as a backstop).
    if locked.supporters.filter(identity_hash=identity_hash).exists():
        raise Conflict(_("Bạn đã ủng hộ phản ánh này rồi."), code="already_supported")
    IncidentSupporter.objects.create(
        created_at=moment, incident=locked, identity_hash=identity_hash
    )
    locked.supporters_count += 1
    locked.updated_at = moment
    locked.save(update_fields=["supporters_count", "updated_at"])
    return locked


@transaction.atomic
def incident_rate(
    *,
    incident: Incident,
    reporter_token: str | None,
    rating: int,
    comment: str = "",
    at: datetime | None = None,
) -> Incident:
    """The reporter's satisfaction with the result, 1 to 5, once."""
    moment = at or timezone.now()
    locked = steps.reporter_action_begin(
        incident=incident, reporter_token=reporter_token, action="rate"
    )
    if locked.rating is not None:
        raise Conflict(_("Phản ánh này đã được đánh giá."), code="already_rated")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("Điểm đánh giá phải là số nguyên từ 1 đến 5."), code="invalid_rating")
    locked.rating = rating
    locked.rating_comment = steps.optional_text(comment, field=_("nhận xét"), limit=2000)
    locked.rated_at = moment
    locked.updated_at = moment
    locked.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    event = events.incident_rated_event(at=moment, incident=locked)
    steps.public_event_notices_plan(locked, event.id)
    return locked


# Moderation
