"""Moderation: taking a report, its text or a photo off the public pages, with the reason told to
the reporter. Permitted to the report's unit and administrators, audited like every step."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.exceptions import Conflict
from incidents import events, notifications, permissions
from incidents.models import Incident, IncidentAction, IncidentPhoto
from incidents.services import steps


def _moderation_notices_plan(incident: Incident, event_id: int) -> None:
    notifications.notify_incident_moderated(incident.id, event_id)


@transaction.atomic
def incident_hide(
    *, actor: User, incident: Incident, reason: str, at: datetime | None = None
) -> Incident:
    """Take the whole report off the public map and pages; the reporter is told why."""
    moment = at or timezone.now()
    locked = steps.lock_for_update(incident)
    permissions.require_can_act(actor, locked)
    reason = steps.required_text(reason, field=_("lý do ẩn"), limit=steps.REASON_MAX_LENGTH)
    if not locked.is_public:
        raise Conflict(_("Phản ánh đã không công khai."), code="already_hidden")
    locked.is_public = False
    locked.hidden_reason = reason
    locked.updated_at = moment
    locked.save(update_fields=["is_public", "hidden_reason", "updated_at"])
    event = events.incident_moderated_event(
        at=moment,
        incident=locked,
        action=IncidentAction.HIDDEN,
        actor=actor,
        actor_label=steps.staff_label(actor, locked),
        reason=reason,
    )
    _moderation_notices_plan(locked, event.id)
    return locked


@transaction.atomic
def incident_text_hide(
    *, actor: User, incident: Incident, reason: str, at: datetime | None = None
) -> Incident:
    """Hide the description from the public (the report stays on the map); the reporter is told."""
    moment = at or timezone.now()
    locked = steps.lock_for_update(incident)
    permissions.require_can_act(actor, locked)
    reason = steps.required_text(reason, field=_("lý do ẩn"), limit=steps.REASON_MAX_LENGTH)
    if locked.description_hidden:
        raise Conflict(_("Nội dung phản ánh đã được ẩn."), code="already_hidden")
    locked.description_hidden = True
    locked.description_hidden_reason = reason
    locked.updated_at = moment
    locked.save(update_fields=["description_hidden", "description_hidden_reason", "updated_at"])
    event = events.incident_moderated_event(
        at=moment,
        incident=locked,
        action=IncidentAction.TEXT_HIDDEN,
        actor=actor,
        actor_label=steps.staff_label(actor, locked),
        reason=reason,
    )
    _moderation_notices_plan(locked, event.id)
    return locked


@transaction.atomic
def photo_hide(
    *, actor: User, photo: IncidentPhoto, reason: str, at: datetime | None = None
) -> IncidentPhoto:
    """Hide one photo from the public; the reporter is told."""
    moment = at or timezone.now()
    # The report's row is the lock for everything about the report, photos included.
    incident = steps.lock_for_update(photo.incident)
    permissions.require_can_act(actor, incident)
    reason = steps.required_text(reason, field=_("lý do ẩn"), limit=steps.REASON_MAX_LENGTH)
    photo = IncidentPhoto.objects.get(pk=photo.pk)
    if photo.is_hidden:
        raise Conflict(_("Ảnh đã được ẩn."), code="already_hidden")
    photo.is_hidden = True
    photo.hidden_reason = reason
    photo.save(update_fields=["is_hidden", "hidden_reason"])
    event = events.incident_moderated_event(
        at=moment,
        incident=incident,
        action=IncidentAction.PHOTO_HIDDEN,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        reason=reason,
        data={"photo_id": photo.pk},
    )
    _moderation_notices_plan(incident, event.id)
    return photo
