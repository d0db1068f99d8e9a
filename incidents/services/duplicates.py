"""Marking a report as a duplicate of another: the duplicate is closed, and its sender and
supporters are moved to the original (each identity counted once). A step of the unit's
handling (`handling.py`), kept apart for its size.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.exceptions import Conflict, InvalidInput, NotFound
from incidents import events, permissions, workflow
from incidents.models import (
    OPEN_STATUSES,
    Incident,
    IncidentStatus,
    IncidentSupporter,
    RejectionReason,
)
from incidents.services import steps


def _duplicate_reporter_identity(duplicate: Incident) -> str:
    # The duplicate's sender, hashed like a supporter's identity: if they had also supported the
    # original from the same account or address, they are not counted twice.
    if duplicate.client_fingerprint:
        return duplicate.client_fingerprint
    return steps.identity_fingerprint(f"report:{duplicate.tracking_code}")


# Duplicates point straight at an original that is not itself a duplicate; a longer chain could
# only come from data written by hand, and is not followed further than this.
_DUPLICATE_CHAIN_LIMIT = 10


def _first_original(original: Incident) -> Incident:
    """`original`, or the report it duplicates (that report's own original, and so on)."""
    for _step in range(_DUPLICATE_CHAIN_LIMIT):
        if original.duplicate_of_id is None:
            return original
        original = Incident.objects.get(pk=original.duplicate_of_id)
    return original


@transaction.atomic
def incident_mark_duplicate(
    *,
    actor: User,
    incident: Incident,
    original: Incident,
    note: str = "",
    at: datetime | None = None,
) -> Incident:
    """Close `incident` as a duplicate of the open report `original`; its sender and its
    supporters become supporters of the original (each identity counted once).

    The original must be one the actor may see (their units', every report for administrators)
    or a public one: any other is answered as a code that does not exist, so that neither its
    status nor its existence leaks. A public duplicate needs a public original, since its public
    outputs link it. A duplicate named as the original is followed to its own original.
    """
    moment = at or timezone.now()
    named = original
    original = _first_original(original)
    if incident.pk == original.pk:
        raise InvalidInput(
            _("Không thể đánh dấu phản ánh trùng với chính nó."), code="duplicate_of_itself"
        )
    # Both rows are locked, always in id order, so two officers merging A into B and B into A at
    # the same time wait for each other instead of deadlocking.
    locked = {
        row.pk: row
        for row in Incident.objects.select_for_update()
        .filter(pk__in=[incident.pk, original.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise NotFound(_("Không tìm thấy phản ánh."))
    incident, original = locked[incident.pk], locked[original.pk]
    permissions.require_can_act(actor, incident)
    workflow.require_status(incident, "mark_duplicate")
    if not (permissions.can_view(actor, original) or original.is_publicly_visible):
        raise NotFound(
            _("Không tìm thấy phản ánh có mã “%(code)s”.") % {"code": named.tracking_code},
            code="incident_not_found",
        )
    if incident.is_publicly_visible and not original.is_publicly_visible:
        raise InvalidInput(
            _(
                "Phản ánh %(code)s đang công khai nên không thể trùng với phản ánh không công "
                "khai %(original)s."
            )
            % {"code": incident.tracking_code, "original": original.tracking_code},
            code="original_not_public",
        )
    if original.status not in OPEN_STATUSES:
        raise Conflict(
            _("Phản ánh gốc %(code)s không còn mở (%(status)s).")
            % {"code": original.tracking_code, "status": original.get_status_display()},
            code="original_not_open",
        )
    note = steps.optional_text(note, field=_("ghi chú"), limit=steps.TEXT_MAX_LENGTH)

    original_identities = set(original.supporters.values_list("identity_hash", flat=True))
    moving = incident.supporters.exclude(identity_hash__in=original_identities)
    moved_count = moving.update(incident=original)
    incident.supporters.all().delete()  # those the original already had
    reporter_identity = _duplicate_reporter_identity(incident)
    reporter_added = reporter_identity not in original_identities and not (
        original.supporters.filter(identity_hash=reporter_identity).exists()
    )
    if reporter_added:
        IncidentSupporter.objects.create(
            created_at=moment, incident=original, identity_hash=reporter_identity
        )
    previous_original_count = original.supporters_count
    original.supporters_count = original.supporters.count()
    original.updated_at = moment
    original.save(update_fields=["supporters_count", "updated_at"])

    from_status = incident.status
    incident.status = IncidentStatus.REJECTED
    incident.rejection_reason = RejectionReason.DUPLICATE
    incident.rejected_at = moment
    incident.duplicate_of = original
    incident.supporters_count = 0
    incident.updated_at = moment
    incident.save(
        update_fields=[
            "status",
            "rejection_reason",
            "rejected_at",
            "duplicate_of",
            "supporters_count",
            "updated_at",
        ]
    )
    marked, _received = events.incident_duplicate_events(
        at=moment,
        duplicate=incident,
        original=original,
        actor=actor,
        actor_label=steps.staff_label(actor, incident),
        from_status=from_status,
        note=note
        or _("Trùng với phản ánh %(code)s; mời theo dõi tại phản ánh đó.")
        % {"code": original.tracking_code},
        data={
            "supporters_moved": moved_count,
            "reporter_added_as_supporter": reporter_added,
            "original_supporters_before": previous_original_count,
            "original_supporters_after": original.supporters_count,
        },
    )
    steps.public_event_notices_plan(incident, marked.id)
    return incident
