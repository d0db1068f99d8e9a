"""The words of citizen feedback's messages: Vietnamese first, English below, public facts only.

Bodies are plain-text templates in `templates/incidents/messages/<kind>.txt` (both languages in
one file, so an editor sees the pair; they extend the frame `notifications/messages/base.txt`);
subjects and the short SMS/Zalo text are the pairs in `SUBJECTS`. The contexts below hold no
reporter name, phone or email, and only a unit's messages carry the reporter's own words
(`unit_context`): nothing a message to anyone else says about a report is more than its public
tracking page shows, and no text a citizen wrote.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from incidents.models import EscalationStage, Incident, IncidentAction, IncidentEvent
from notifications.message_texts import ComposedMessage, compose, moment_text, site_url
from wards.models import Agency, Area


class IncidentNoticeKind(models.TextChoices):
    """The `kind` of citizen feedback's messages in the outbox (`Notification.kind`)."""

    INCIDENT_RECEIVED = "incident_received", _("Xác nhận đã nhận phản ánh")
    INCIDENT_NEW_FOR_UNIT = "incident_new_for_unit", _("Phản ánh mới cho đơn vị")
    INCIDENT_TRANSFERRED_TO_UNIT = "incident_transferred_to_unit", _("Phản ánh được chuyển đến")
    INCIDENT_UPDATED = "incident_updated", _("Phản ánh có diễn biến mới")
    INCIDENT_MODERATED = "incident_moderated", _("Phản ánh bị ẩn một phần")
    INCIDENT_UNHIDDEN = "incident_unhidden", _("Phản ánh được hiện lại")
    INCIDENT_OVERDUE = "incident_overdue", _("Phản ánh quá hạn")
    FOLLOWED_INCIDENT_UPDATED = "followed_incident_updated", _("Phản ánh đang theo dõi")
    FOLLOWED_AREA_NEW_INCIDENT = "followed_area_new_incident", _("Phản ánh mới trong khu vực")
    FOLLOWED_AREA_INCIDENT_RESOLVED = (
        "followed_area_incident_resolved",
        _("Phản ánh trong khu vực đã giải quyết"),
    )


# (Vietnamese, English) subject of each kind, formatted with the message's context.
SUBJECTS: dict[str, tuple[str, str]] = {
    IncidentNoticeKind.INCIDENT_RECEIVED: (
        "Đã nhận phản ánh %(code)s",
        "Report %(code)s received",
    ),
    IncidentNoticeKind.INCIDENT_NEW_FOR_UNIT: (
        "Phản ánh mới %(code)s: %(category)s",
        "New report %(code)s: %(category_en)s",
    ),
    IncidentNoticeKind.INCIDENT_TRANSFERRED_TO_UNIT: (
        "Phản ánh %(code)s được chuyển đến đơn vị",
        "Report %(code)s transferred to your unit",
    ),
    IncidentNoticeKind.INCIDENT_UPDATED: (
        "Phản ánh %(code)s: %(headline)s",
        "Report %(code)s: %(headline_en)s",
    ),
    IncidentNoticeKind.INCIDENT_MODERATED: (
        "Phản ánh %(code)s: %(action)s",
        "Report %(code)s: %(action_en)s",
    ),
    IncidentNoticeKind.INCIDENT_UNHIDDEN: (
        "Phản ánh %(code)s: %(action)s",
        "Report %(code)s: %(action_en)s",
    ),
    IncidentNoticeKind.INCIDENT_OVERDUE: (
        "%(stage)s: phản ánh %(code)s",
        "%(stage_en)s: report %(code)s",
    ),
    IncidentNoticeKind.FOLLOWED_INCIDENT_UPDATED: (
        "Phản ánh %(code)s bạn theo dõi: %(headline)s",
        "Report %(code)s you follow: %(headline_en)s",
    ),
    IncidentNoticeKind.FOLLOWED_AREA_NEW_INCIDENT: (
        "Phản ánh mới tại %(area)s: %(category)s",
        "New report in %(area)s: %(category_en)s",
    ),
    IncidentNoticeKind.FOLLOWED_AREA_INCIDENT_RESOLVED: (
        "Đã giải quyết phản ánh %(code)s tại %(area)s",
        "Report %(code)s in %(area)s resolved",
    ),
}

STAGE_LABELS = {
    EscalationStage.ACKNOWLEDGE: ("Quá hạn tiếp nhận", "Acknowledgement overdue"),
    EscalationStage.RESOLVE: ("Quá hạn giải quyết", "Resolution overdue"),
}


def compose_notice(kind: IncidentNoticeKind, context: dict[str, Any]) -> ComposedMessage:
    return compose(
        template=f"incidents/messages/{kind}.txt", subject=SUBJECTS[kind], context=context
    )


def tracking_page_path(tracking_code: str) -> str:
    """The public tracking page of a report (built by the pages; the path is the contract)."""
    return f"/phan-anh/{tracking_code}/"


def tracking_page_url(tracking_code: str) -> str:
    return site_url(tracking_page_path(tracking_code))


def _display_labels(instance: Any, field_name: str) -> tuple[str, str]:
    """The (Vietnamese, English) label of a choice field."""
    field = type(instance)._meta.get_field(field_name)
    assert isinstance(field, models.Field)  # a column with choices, not a relation
    return _choice_labels(field, getattr(instance, field_name))


# Remembered per choice: `get_<field>_display` rebuilds the field's choices into a dictionary,
# hashing every lazy label (so translating each), on every call, in each language: 0.2 ms per
# message of a filed report (docs/benchmarks.md, "Filing in one process (issue 9)"). The
# translations are fixed for the life of the process.
@functools.cache
def _choice_labels(field: models.Field[Any, Any], value: Any) -> tuple[str, str]:
    label = dict(field.flatchoices).get(value, value)
    vietnamese_and_english = []
    for language in ("vi", "en"):
        with translation.override(language):
            vietnamese_and_english.append(str(label))
    return vietnamese_and_english[0], vietnamese_and_english[1]


def agency_names(agency: Agency) -> tuple[str, str]:
    return agency.name, agency.name_en or agency.name


def incident_context(incident: Incident) -> dict[str, Any]:
    """The public facts of a report, in both languages: nothing its reporter wrote.

    Followers' and reporters' messages are built from these. A description, address or answer
    goes out at once, before a moderator has read it, and an email cannot be taken back once
    the text is hidden: the tracking page, which hides it, is linked instead.
    """
    category = incident.category
    agency_name, agency_name_en = agency_names(incident.agency)
    status, status_en = _display_labels(incident, "status")
    link = tracking_page_url(incident.tracking_code)
    return {
        "code": incident.tracking_code,
        "category": category.name,
        "category_en": category.name_en or category.name,
        "status": status,
        "status_en": status_en,
        "area": incident.area.name,
        "agency": agency_name,
        "agency_en": agency_name_en,
        "reported_at": moment_text(incident.reported_at),
        "acknowledge_by": moment_text(incident.acknowledge_by),
        "resolve_by": moment_text(incident.resolve_by),
        "tracking_url": link,
        "link": link,
    }


def event_context(event: IncidentEvent, *, include_note: bool = True) -> dict[str, Any]:
    """A public event: what happened and the public note (the unit's message to the reporter)."""
    action, action_en = _display_labels(event, "action")
    status, status_en = _display_labels(event, "to_status")
    # The subject names the new status ("Đã tiếp nhận"), except for a transfer, whose status
    # ("Mới", at the new unit) would mislead: there the action says what happened.
    headline, headline_en = (
        (action, action_en) if event.action == IncidentAction.TRANSFERRED else (status, status_en)
    )
    return {
        "headline": headline,
        "headline_en": headline_en,
        "action": action,
        "action_en": action_en,
        "status": status,
        "status_en": status_en,
        "event_at": moment_text(event.created_at),
        "note": event.note if include_note else "",
    }


def unit_context(incident: Incident) -> dict[str, Any]:
    """For the unit that handles the report: its full text (even when hidden from the public).

    Not the reporter's contact: the unit's officers see it in the system, where access is
    checked and logged; an email can be forwarded anywhere.
    """
    return {
        **incident_context(incident),
        "description": incident.description,
        "address": incident.address,
    }


def stage_context(stage: EscalationStage | str, deadline: datetime) -> dict[str, Any]:
    vietnamese, english = STAGE_LABELS[EscalationStage(stage)]
    return {"stage": vietnamese, "stage_en": english, "deadline": moment_text(deadline)}


def subscription_target_context(*, incident: Incident | None, area: Area | None) -> dict[str, str]:
    """What the confirmation email of a subscription says is followed, and where to see it."""
    if incident is not None:
        return {
            "target": f"phản ánh {incident.tracking_code}",
            "target_en": f"report {incident.tracking_code}",
            "target_url": tracking_page_url(incident.tracking_code),
        }
    assert area is not None
    return {
        "target": f"các phản ánh tại {area.name}",
        "target_en": f"reports in {area.name}",
        "target_url": site_url(reverse("area-incidents-feed", args=[area.pk])),
    }
