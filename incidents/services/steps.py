"""What every action on a report is built from: lock the row, check who acts and whether the state
machine allows it, clean the text typed, label the actor in the timeline, store a photo (its files
deleted again if the transaction rolls back).

Concurrency: `lock_for_update` serialises every action on one report. Two officers pressing
"resolve" at once, or the reporter reopening while an officer closes, are applied one after the
other, and the second is judged on the state the first left (and refused if no longer allowed),
instead of both reading the same old state and the last write silently winning.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput, NotFound
from geoapp.file_transactions import field_file_save
from incidents import events, notifications, permissions, workflow
from incidents.models import Incident, IncidentPhoto, PhotoKind
from incidents.photos import PreparedPhoto

TEXT_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 500


def identity_fingerprint(identity: str) -> str:
    """A client's or supporter's identity as stored: hashed, so the table holds no address."""
    return hashlib.sha256(identity.encode()).hexdigest()


def lock_for_update(incident: Incident) -> Incident:
    # The lock is taken on a fresh read: the caller's instance may be stale, and every decision
    # below must be made on the state as it is now, not as it was when the caller loaded it.
    try:
        return Incident.objects.select_for_update().get(pk=incident.pk)
    except Incident.DoesNotExist:
        raise NotFound(_("Không tìm thấy phản ánh.")) from None


def staff_label(actor: User, incident: Incident) -> str:
    # The public timeline shows the unit, not the officer's name.
    if incident.agency_id in permissions.member_agency_ids(actor):
        return incident.agency.name
    return events.ADMINISTRATOR_LABEL


def staff_action_begin(*, actor: User, incident: Incident, action: str) -> Incident:
    """Lock the row, then check the role and the state on the locked row."""
    locked = lock_for_update(incident)
    permissions.require_can_act(actor, locked)
    workflow.require_status(locked, action)
    return locked


def reporter_action_begin(
    *, incident: Incident, reporter_token: str | None, action: str
) -> Incident:
    locked = lock_for_update(incident)
    permissions.require_reporter(locked, reporter_token)
    workflow.require_status(locked, action)
    return locked


def clean_text(value: object) -> str:
    # NUL cannot be stored in a PostgreSQL text column and never means anything in a message.
    return str(value or "").replace("\x00", "").strip()


# `field` names the field in the error, in the user's language: a lazy translation is translated
# only when there is an error to tell (filing checks four fields per report).
def optional_text(value: object, *, field: str | Promise, limit: int) -> str:
    text = clean_text(value)
    if len(text) > limit:
        raise InvalidInput(
            _("%(field)s dài tối đa %(limit)d ký tự.")
            % {"field": str(field).capitalize(), "limit": limit},
            code="too_long",
        )
    return text


def required_text(value: object, *, field: str | Promise, limit: int = TEXT_MAX_LENGTH) -> str:
    text = optional_text(value, field=field, limit=limit)
    if not text:
        raise InvalidInput(_("Vui lòng nhập %(field)s.") % {"field": str(field)}, code="required")
    return text


def public_event_notices_plan(incident: Incident, event_id: int) -> None:
    """Tell the reporter and the followers of a public change (after the commit)."""
    notifications.notify_incident_updated(incident.id, event_id)


def photo_store(
    *, incident: Incident, prepared: PreparedPhoto, kind: PhotoKind, at: datetime
) -> IncidentPhoto:
    photo = IncidentPhoto(
        created_at=at,
        incident=incident,
        kind=kind,
        content_type=prepared.content_type,
        width=prepared.width,
        height=prepared.height,
        taken_at=prepared.metadata.taken_at,
        exif_location=prepared.metadata.point,
    )
    name = prepared.file_name()
    # Written before the row (the row holds their names) and deleted again if the report's
    # transaction rolls back: a refused or failed filing leaves no citizen's photo on disk.
    field_file_save(field_file=photo.image, name=name, content=ContentFile(prepared.content))
    field_file_save(
        field_file=photo.thumbnail,
        name=name.rsplit(".", 1)[0] + ".jpg",
        content=ContentFile(prepared.thumbnail),
    )
    photo.save()
    return photo
