"""Moderation: taking a report, its text or a photo off the public pages, and putting it back, with
the reason told to the reporter. Permitted to the report's unit and administrators (for hiding and
un-hiding alike), audited like every step.

The six services differ only in which flag they flip and which way, so they share one body,
`_moderate`: lock the report, check who acts, require a reason, refuse a flip that would change
nothing, write the flag, stamp the report, write a public event (its note is the reason) and tell
the reporter. Un-hiding clears the stored reason as well, so the row reads as it did before the
hide and every public output shows the thing exactly as before; both reasons stay in the timeline.

A report rejected as spam is kept out of public outputs by its rejection, not by a flag here, and
un-hiding leaves that alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.exceptions import Conflict
from incidents import events, notifications, permissions
from incidents.models import Incident, IncidentAction, IncidentPhoto
from incidents.services import steps


@dataclass(frozen=True)
class _Flag:
    """One moderation flag: the field that says whether the thing is shown, its value while the
    thing is hidden, and the field that keeps the reason of the hide."""

    field: str
    hidden_value: bool
    reason_field: str

    def is_hidden(self, row: Incident | IncidentPhoto) -> bool:
        return bool(getattr(row, self.field)) is self.hidden_value

    def set(self, row: Incident | IncidentPhoto, *, hidden: bool, reason: str) -> list[str]:
        """Set the flag (and the reason, cleared when shown again); the fields to save."""
        setattr(row, self.field, self.hidden_value if hidden else not self.hidden_value)
        setattr(row, self.reason_field, reason if hidden else "")
        return [self.field, self.reason_field]


_REPORT = _Flag(field="is_public", hidden_value=False, reason_field="hidden_reason")
_TEXT = _Flag(
    field="description_hidden", hidden_value=True, reason_field="description_hidden_reason"
)
_PHOTO = _Flag(field="is_hidden", hidden_value=True, reason_field="hidden_reason")


def _moderate(
    *,
    actor: User,
    incident: Incident,
    photo: IncidentPhoto | None = None,
    flag: _Flag,
    hide: bool,
    action: IncidentAction,
    reason: str,
    refusal: str,
    at: datetime | None,
) -> Incident | IncidentPhoto:
    """Flip `flag` of the report (or of its `photo`) to hidden or shown; the row flipped."""
    moment = at or timezone.now()
    # The report's row is the lock for everything about the report, photos included.
    locked = steps.lock_for_update(incident)
    permissions.require_can_act(actor, locked)
    reason = steps.required_text(
        reason,
        field=_("lý do ẩn") if hide else _("lý do hiện lại"),
        limit=steps.REASON_MAX_LENGTH,
    )
    # The photo is read again under the report's lock: another officer may have just flipped it.
    row: Incident | IncidentPhoto = (
        locked if photo is None else IncidentPhoto.objects.get(pk=photo.pk)
    )
    if flag.is_hidden(row) is hide:
        raise Conflict(refusal, code="already_hidden" if hide else "not_hidden")
    changed = flag.set(row, hidden=hide, reason=reason)
    # The report changed in public (a photo is part of it): its last change is now, which
    # Open311 gives clients as `updated_datetime`.
    locked.updated_at = moment
    if row is locked:
        locked.save(update_fields=[*changed, "updated_at"])
    else:
        row.save(update_fields=changed)
        locked.save(update_fields=["updated_at"])
    event = events.incident_moderated_event(
        at=moment,
        incident=locked,
        action=action,
        actor=actor,
        actor_label=steps.staff_label(actor, locked),
        reason=reason,
        data={"photo_id": row.pk} if photo is not None else None,
    )
    # The reporter alone is told, like of the hide: followers hear nothing of moderation, and
    # see the public timeline's event (the step and its reason) like everyone else.
    notifications.notify_incident_moderated(locked.id, event.id)
    return row


def _report(row: Incident | IncidentPhoto) -> Incident:
    assert isinstance(row, Incident)
    return row


def _photo(row: Incident | IncidentPhoto) -> IncidentPhoto:
    assert isinstance(row, IncidentPhoto)
    return row


@transaction.atomic
def incident_hide(
    *, actor: User, incident: Incident, reason: str, at: datetime | None = None
) -> Incident:
    """Take the whole report off the public map and pages; the reporter is told why."""
    return _report(
        _moderate(
            actor=actor,
            incident=incident,
            flag=_REPORT,
            hide=True,
            action=IncidentAction.HIDDEN,
            reason=reason,
            refusal=_("Phản ánh đã không công khai."),
            at=at,
        )
    )


@transaction.atomic
def incident_unhide(
    *, actor: User, incident: Incident, reason: str, at: datetime | None = None
) -> Incident:
    """Put a hidden report back on the public map and pages; the reporter is told why."""
    return _report(
        _moderate(
            actor=actor,
            incident=incident,
            flag=_REPORT,
            hide=False,
            action=IncidentAction.UNHIDDEN,
            reason=reason,
            refusal=_("Phản ánh không bị ẩn khỏi công khai."),
            at=at,
        )
    )


@transaction.atomic
def incident_text_hide(
    *, actor: User, incident: Incident, reason: str, at: datetime | None = None
) -> Incident:
    """Hide the description from the public (the report stays on the map); the reporter is told."""
    return _report(
        _moderate(
            actor=actor,
            incident=incident,
            flag=_TEXT,
            hide=True,
            action=IncidentAction.TEXT_HIDDEN,
            reason=reason,
            refusal=_("Nội dung phản ánh đã được ẩn."),
            at=at,
        )
    )


@transaction.atomic
def incident_text_unhide(
    *, actor: User, incident: Incident, reason: str, at: datetime | None = None
) -> Incident:
    """Show the hidden description (and address and typed answers) again; the reporter is told."""
    return _report(
        _moderate(
            actor=actor,
            incident=incident,
            flag=_TEXT,
            hide=False,
            action=IncidentAction.TEXT_UNHIDDEN,
            reason=reason,
            refusal=_("Nội dung phản ánh không bị ẩn."),
            at=at,
        )
    )


@transaction.atomic
def photo_hide(
    *, actor: User, photo: IncidentPhoto, reason: str, at: datetime | None = None
) -> IncidentPhoto:
    """Hide one photo from the public; the reporter is told."""
    return _photo(
        _moderate(
            actor=actor,
            incident=photo.incident,
            photo=photo,
            flag=_PHOTO,
            hide=True,
            action=IncidentAction.PHOTO_HIDDEN,
            reason=reason,
            refusal=_("Ảnh đã được ẩn."),
            at=at,
        )
    )


@transaction.atomic
def photo_unhide(
    *, actor: User, photo: IncidentPhoto, reason: str, at: datetime | None = None
) -> IncidentPhoto:
    """Show a hidden photo to the public again; the reporter is told."""
    return _photo(
        _moderate(
            actor=actor,
            incident=photo.incident,
            photo=photo,
            flag=_PHOTO,
            hide=False,
            action=IncidentAction.PHOTO_UNHIDDEN,
            reason=reason,
            refusal=_("Ảnh không bị ẩn."),
            at=at,
        )
    )
