"""The words of a filed report's messages, written when the worker sends them.

Filing plans its messages (the unit's, the reporter's receipt, the area's followers') without
their words (`incidents/notices.py`): rendering three templates in the citizen's request cost
more than writing the rows (docs/benchmarks.md, "Composing in the worker (issue 10)"). The
`notifications` app imports this module at start-up and calls these composers when it sends
(notifications/message_composers.py).

A message announces the report **as it was filed**, whenever it is sent: a correction may change
the report's category, area and unit, and a transfer or a new priority its deadlines, before the
worker gets to it. Those facts are read from the report's first event, which records them at
filing (category, area, unit, deadlines, status); the report's own tracking code, description,
address and moment of reporting are never changed once filed. The words are then those of
`incidents/notice_texts.py` and `templates/incidents/messages/` with the same context as when
they were composed at planning: the same bytes for the same report.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType

from incidents import notice_texts as texts
from incidents.following.selectors import followed_area_name
from incidents.models import Category, Incident, IncidentAction, IncidentEvent
from incidents.notice_texts import IncidentNoticeKind
from notifications.message_composers import (
    ComposedWithHeaders,
    NothingToCompose,
    message_composer_register,
)
from notifications.models import Notification, Subscription
from notifications.subscription_links import unsubscribe_headers, unsubscribe_url
from wards.models import Agency, Area

# Messages need an area's name: not its boundary and label point, which cost more to load.
_AREA_HEAVY_FIELDS = ("boundary", "label_point")


def incident_as_filed(incident_id: int) -> Incident | None:
    """The report with the category, area, unit, deadlines and status it was filed with (read
    from its first event), whatever has changed since; None when it no longer exists. Not to
    be saved: only messages read it."""
    incident = (
        Incident.objects.select_related("category", "agency", "area")
        .defer(*(f"area__{name}" for name in _AREA_HEAVY_FIELDS))
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        return None
    first_event = (
        IncidentEvent.objects.filter(incident_id=incident_id, action=IncidentAction.CREATED)
        .order_by("id")
        .only("data", "to_status")
        .first()
    )
    if first_event is None:  # a report carried over from an older system without its history
        return incident
    filed: dict[str, Any] = first_event.data
    category_id = filed.get("category_id", incident.category_id)
    if category_id != incident.category_id:
        incident.category = Category.objects.get(pk=category_id)
    agency_id = filed.get("agency_id", incident.agency_id)
    if agency_id != incident.agency_id:
        incident.agency = Agency.objects.get(pk=agency_id)
    area_id = filed.get("area_id", incident.area_id)
    if area_id != incident.area_id:
        incident.area = Area.objects.defer(*_AREA_HEAVY_FIELDS).get(pk=area_id)
    # Stored as ISO 8601 in Vietnam's time (incidents/events.py): the same moments.
    if "acknowledge_by" in filed:
        incident.acknowledge_by = datetime.fromisoformat(filed["acknowledge_by"])
    if "resolve_by" in filed:
        incident.resolve_by = datetime.fromisoformat(filed["resolve_by"])
    incident.status = first_event.to_status
    return incident


def _filed_incident_of(notification: Notification) -> Incident:
    if notification.about_type_id != ContentType.objects.get_for_model(Incident).pk:
        raise NothingToCompose(f"message {notification.pk} is not about a report")
    incident = incident_as_filed(notification.about_id or 0)
    if incident is None:
        raise NothingToCompose(f"the report of message {notification.pk} no longer exists")
    return incident


def _new_for_unit(notification: Notification) -> ComposedWithHeaders:
    incident = _filed_incident_of(notification)
    return ComposedWithHeaders(
        texts.compose_notice(IncidentNoticeKind.INCIDENT_NEW_FOR_UNIT, texts.unit_context(incident))
    )


def _received(notification: Notification) -> ComposedWithHeaders:
    incident = _filed_incident_of(notification)
    return ComposedWithHeaders(
        texts.compose_notice(IncidentNoticeKind.INCIDENT_RECEIVED, texts.incident_context(incident))
    )


def _new_in_followed_area(notification: Notification) -> ComposedWithHeaders:
    incident = _filed_incident_of(notification)
    subscription = (
        Subscription.objects.filter(pk=notification.subscription_id).first()
        if notification.subscription_id is not None
        else None
    )
    if subscription is None:  # deleted since: no unsubscribe link to give, no one to tell
        raise NothingToCompose(f"the subscription of message {notification.pk} no longer exists")
    context = texts.incident_context(incident)
    followed_area = followed_area_name(subscription) or context["area"]
    url = unsubscribe_url(subscription)
    message = texts.compose_notice(
        IncidentNoticeKind.FOLLOWED_AREA_NEW_INCIDENT,
        {**context, "unsubscribe_url": url, "followed_area": followed_area},
    )
    return ComposedWithHeaders(message, headers=unsubscribe_headers(url))


message_composer_register(IncidentNoticeKind.INCIDENT_NEW_FOR_UNIT, _new_for_unit)
message_composer_register(IncidentNoticeKind.INCIDENT_RECEIVED, _received)
message_composer_register(IncidentNoticeKind.FOLLOWED_AREA_NEW_INCIDENT, _new_in_followed_area)
