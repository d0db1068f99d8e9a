"""Who is told what when a report changes: the bodies of the hooks in incidents/notifications.py.

To change who receives a message, change the table's function below; to change its words,
`incidents/notice_texts.py` and `templates/incidents/messages/<kind>.txt`.

| hook                   | the unit (agency.email) | the reporter (if they consented)   | followers of the report | followers of its area |
|------------------------|-------------------------|------------------------------------|-------------------------|-----------------------|
| created                | new report              | receipt with the tracking code     | -                       | new public report     |
| transferred            | the new unit            | (told by the public event, below)  | -                       | -                     |
| updated (public event) | -                       | the event, unless they made it     | the event               | when it is resolved   |
| moderated              | -                       | what was hidden or shown, and why  | -                       | -                     |

The reporter is written to only when they agreed to be contacted: by email when they gave one,
otherwise by SMS or Zalo (NOTIFICATION_PHONE_CHANNEL) when they gave a phone. Followers hear only
of public reports, get one message per address and event (following a report and its area at
once does not double it), and every message to them carries a one-click unsubscribe link.

A filed report's messages are written without their words, composed by the worker when it
sends them (`incidents/message_composers.py`), from the report as filed; the other hooks'
messages are composed here, when they are planned.

Each message's dedupe key names the report, the event (or "created") and the recipient, so that
running a hook twice (a retried request, a replayed callback) plans every message once.

Every function here runs inside the savepoint of `incidents.notifications._planned_safely`, so
none takes a savepoint of its own (`savepoint=False`): a failure rolls back to that one. The
exception, `incident_created_messages`, writes nothing: it gives the filing's own statement the
SQL that writes a filed report's messages with it (issue 10).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from geoapp.sql import AlsoInStatement, server_binding_cursor
from incidents import notice_texts as texts
from incidents.events import REPORTER_LABEL
from incidents.following import selectors
from incidents.models import Incident, IncidentAction, IncidentEvent, IncidentStatus
from incidents.notice_texts import IncidentNoticeKind
from notifications.message_texts import ComposedMessage
from notifications.models import (
    Notification,
    NotificationChannel,
    RecipientRole,
    Subscription,
)
from notifications.services import (
    notification_enqueue,
    notifications_dispatch_after_commit,
    to_compose_insert_sql,
)
from notifications.subscription_links import unsubscribe_headers, unsubscribe_url
from wards.models import Agency

# Public events the reporter made themselves: no need to tell them what they just did.
REPORTER_OWN_ACTIONS = frozenset(
    {IncidentAction.INFORMATION_PROVIDED, IncidentAction.REOPENED, IncidentAction.RATED}
)
# Public events that are no news for anyone: a rating changes nothing in the handling.
SILENT_ACTIONS = frozenset({IncidentAction.RATED})
# Moderation that puts something back on the public pages (the reporter gets its own message).
UNHIDING_ACTIONS = frozenset(
    {IncidentAction.UNHIDDEN, IncidentAction.TEXT_UNHIDDEN, IncidentAction.PHOTO_UNHIDDEN}
)


def _incident(incident_id: int) -> Incident | None:
    # Not the area's boundary and label point: messages need its name, and a commune's
    # MultiPolygon costs more to load and parse than the rest of the planning.
    return (
        Incident.objects.select_related("category", "agency", "area")
        .defer("area__boundary", "area__label_point")
        .filter(pk=incident_id)
        .first()
    )


def _public_event(incident_id: int, event_id: int) -> IncidentEvent | None:
    return (
        IncidentEvent.objects.select_related("incident__category", "incident__agency")
        .select_related("incident__area")
        .filter(pk=event_id, incident_id=incident_id, is_public=True)
        .first()
    )


def _reporter_contacts(incident: Incident) -> list[tuple[NotificationChannel, str]]:
    if not incident.reporter_may_be_contacted:
        return []
    if incident.reporter_email:
        return [(NotificationChannel.EMAIL, incident.reporter_email)]
    if incident.reporter_phone:
        return [(NotificationChannel(settings.NOTIFICATION_PHONE_CHANNEL), incident.reporter_phone)]
    return []


def _key(incident: Incident, occasion: str, recipient: str) -> str:
    """A message's dedupe key: its report, its occasion (an event, or "created") and recipient."""
    before, after = _key_around_id(occasion, recipient)
    return f"{before}{incident.pk}{after}"


def _key_around_id(occasion: str, recipient: str) -> tuple[str, str]:
    """A message's dedupe key before and after its report's id: for a statement that knows the
    id only in SQL (the one that writes the report)."""
    return "incident:", f":{occasion}:{recipient}"


def _reporter_key(channel: str) -> str:
    return f"reporter:{channel}"


def _unit_key(agency: Agency) -> str:
    return f"unit:{agency.pk}:email"


_FOLLOWER_KEY_PREFIX = "subscription:"


def _follower_key(subscription: Subscription) -> str:
    return f"{_FOLLOWER_KEY_PREFIX}{subscription.pk}"


def _one_per_address(
    followers: Iterable[tuple[Subscription, IncidentNoticeKind]],
) -> Iterator[tuple[Subscription, IncidentNoticeKind]]:
    """The followers whose address was not listed before: one message per address, the first
    subscription listed wins."""
    told: set[str] = set()
    for subscription, kind in followers:
        if subscription.email not in told:
            told.add(subscription.email)
            yield subscription, kind


def _body_for(channel: NotificationChannel, message: ComposedMessage) -> str:
    return message.body if channel == NotificationChannel.EMAIL else message.text


def _to_reporter(
    *,
    incident: Incident,
    kind: IncidentNoticeKind,
    context: dict[str, Any],
    occasion: str,
    event: IncidentEvent | None = None,
) -> list[Notification]:
    contacts = _reporter_contacts(incident)
    if not contacts:
        return []  # and no message composed: rendering it costs more than planning it
    message = texts.compose_notice(kind, context)
    return [
        notification_enqueue(
            dedupe_key=_key(incident, occasion, _reporter_key(channel)),
            kind=kind,
            channel=channel,
            recipient_role=RecipientRole.REPORTER,
            address=address,
            subject=message.subject,
            body=_body_for(channel, message),
            about=incident,
            occasioned_by=event,
        )
        for channel, address in contacts
    ]


def _to_unit(
    *,
    incident: Incident,
    agency: Agency,
    kind: IncidentNoticeKind,
    context: dict[str, Any],
    occasion: str,
    event: IncidentEvent | None = None,
) -> list[Notification]:
    if not agency.email:
        return []
    message = texts.compose_notice(kind, context)
    return [
        notification_enqueue(
            dedupe_key=_key(incident, occasion, _unit_key(agency)),
            kind=kind,
            channel=NotificationChannel.EMAIL,
            recipient_role=RecipientRole.UNIT,
            address=agency.email,
            subject=message.subject,
            body=message.body,
            about=incident,
            occasioned_by=event,
        )
    ]


def _to_followers(
    *,
    incident: Incident,
    followers: list[tuple[Subscription, IncidentNoticeKind]],
    context: dict[str, Any],
    occasion: str,
    event: IncidentEvent | None = None,
) -> list[Notification]:
    """One message per address: the first subscription listed for an address wins."""
    planned: list[Notification] = []
    for subscription, kind in _one_per_address(followers):
        url = unsubscribe_url(subscription)
        followed_area = selectors.followed_area_name(subscription) or context["area"]
        message = texts.compose_notice(
            kind, {**context, "unsubscribe_url": url, "followed_area": followed_area}
        )
        planned.append(
            notification_enqueue(
                dedupe_key=_key(incident, occasion, _follower_key(subscription)),
                kind=kind,
                channel=NotificationChannel.EMAIL,
                recipient_role=RecipientRole.FOLLOWER,
                address=subscription.email,
                subject=message.subject,
                body=message.body,
                headers=unsubscribe_headers(url),
                about=incident,
                occasioned_by=event,
                subscription_id=subscription.pk,
            )
        )
    return planned


def incident_created_messages(incident: Incident, *, at: datetime) -> AlsoInStatement | None:
    """The messages announcing a filed report (its unit's, its reporter's receipt, its area's
    followers'), for the statement that writes the report or names it; None when there are none.

    A common table expression `messages`, which reads the report's id and location from the
    statement's `parent` and writes the messages without their words (the worker composes them
    when it sends them, from the report as filed: `incidents/message_composers.py`); it selects
    the ids written, as an array, for `notifications_dispatch_after_commit`. `incident` is the
    report as filed, with its unit loaded.
    """
    # Each: kind, channel, recipient role, address, the dedupe key after the report's id.
    fixed: list[tuple[str, str, str, str, str]] = []
    agency = incident.agency
    if agency.email:
        fixed.append((
            IncidentNoticeKind.INCIDENT_NEW_FOR_UNIT,
            NotificationChannel.EMAIL,
            RecipientRole.UNIT,
            agency.email,
            _key_around_id("created", _unit_key(agency))[1],
        ))  # fmt: skip
    for channel, address in _reporter_contacts(incident):
        fixed.append((
            IncidentNoticeKind.INCIDENT_RECEIVED,
            channel,
            RecipientRole.REPORTER,
            address,
            _key_around_id("created", _reporter_key(channel))[1],
        ))  # fmt: skip
    about_type = ContentType.objects.get_for_model(Incident).pk
    key_before_id, followers_key_after_id = _key_around_id("created", _FOLLOWER_KEY_PREFIX)
    selects: list[str] = []
    values: list[Any] = []
    if fixed:
        rows = ", ".join(["(%s::text, %s::text, %s::text, %s::text, %s::text)"] * len(fixed))
        selects.append(
            "SELECT message.kind, message.channel, message.recipient_role, message.address, "
            "%s::integer, parent.id, NULL::integer, %s::text || parent.id || message.key_after_id, "
            f"%s::timestamptz FROM parent CROSS JOIN (VALUES {rows}) "
            "AS message (kind, channel, recipient_role, address, key_after_id)"
        )
        values += [about_type, key_before_id, at]
        values += [str(value) for message in fixed for value in message]
    if incident.is_publicly_visible:
        followers, followers_values = selectors.area_followers_by_address_sql(
            location="parent.location"
        )
        selects.append(
            "SELECT %s::text, %s::text, %s::text, follower.email, %s::integer, parent.id, "
            "follower.id, %s::text || parent.id || %s::text || follower.id, %s::timestamptz "
            f"FROM parent CROSS JOIN LATERAL ({followers}) AS follower"
        )
        values += [
            IncidentNoticeKind.FOLLOWED_AREA_NEW_INCIDENT.value,
            NotificationChannel.EMAIL.value,
            RecipientRole.FOLLOWER.value,
            about_type,
            key_before_id,
            followers_key_after_id,
            at,
            *followers_values,
        ]
    if not selects:
        return None
    return AlsoInStatement(
        ctes=f", messages AS ({to_compose_insert_sql(' UNION ALL '.join(selects))})",
        values=values,
        selected=", ARRAY(SELECT id FROM messages)",
    )


@transaction.atomic(savepoint=False)
def incident_created_notices_enqueue(*, incident_id: int) -> list[int]:
    """A report was filed: the messages of `incident_created_messages`, written for the report
    of `incident_id` as it is now (the filing writes them itself, in its own statement); the ids
    of the messages written, none twice."""
    incident = _incident(incident_id)
    if incident is None:
        return []
    messages = incident_created_messages(incident, at=timezone.now())
    if messages is None:
        return []
    with server_binding_cursor() as cursor:
        cursor.execute(
            "WITH parent AS (SELECT id, location FROM incidents_incident WHERE id = %s)"
            f"{messages.ctes} SELECT true{messages.selected}",
            [incident.pk, *messages.values],
        )
        _true, written = cursor.fetchone()
    notifications_dispatch_after_commit(written)
    return list(written)


@transaction.atomic(savepoint=False)
def incident_transferred_notices_enqueue(*, incident_id: int, event_id: int) -> list[Notification]:
    """A report moved to another unit: the new unit is told (the reporter hears of it through
    the public event, by `incident_updated_notices_enqueue`)."""
    event = _public_event(incident_id, event_id)
    if event is None or event.action != IncidentAction.TRANSFERRED:
        return []
    incident = event.incident
    # The unit the report went to at this event, even if it has moved on again since.
    agency = Agency.objects.filter(pk=event.data.get("to_agency_id")).first() or incident.agency
    from_agency = Agency.objects.filter(pk=event.data.get("from_agency_id")).first()
    from_names = texts.agency_names(from_agency) if from_agency else ("", "")
    agency_name, agency_name_en = texts.agency_names(agency)
    context = {
        **texts.unit_context(incident),
        "agency": agency_name,
        "agency_en": agency_name_en,
        "from_agency": from_names[0],
        "from_agency_en": from_names[1],
        "reason": event.data.get("reason", ""),
    }
    return _to_unit(
        incident=incident,
        agency=agency,
        kind=IncidentNoticeKind.INCIDENT_TRANSFERRED_TO_UNIT,
        context=context,
        occasion=f"event:{event.pk}",
        event=event,
    )


def _made_by_reporter(event: IncidentEvent) -> bool:
    return event.actor_id is None and event.actor_label == REPORTER_LABEL


@transaction.atomic(savepoint=False)
def incident_updated_notices_enqueue(*, incident_id: int, event_id: int) -> list[Notification]:
    """A public event: the reporter, the report's followers, and the area's when it is resolved."""
    event = _public_event(incident_id, event_id)
    if event is None or event.action in SILENT_ACTIONS:
        return []
    incident = event.incident
    occasion = f"event:{event.pk}"
    # A reporter's own words (the reason for reopening, added information) are theirs to share,
    # not the system's: other people are told what happened, never what the reporter wrote.
    by_reporter = _made_by_reporter(event) or event.action in REPORTER_OWN_ACTIONS
    context = {
        **texts.incident_context(incident),
        **texts.event_context(event, include_note=not by_reporter),
    }
    planned: list[Notification] = []
    if not by_reporter:
        planned += _to_reporter(
            incident=incident,
            kind=IncidentNoticeKind.INCIDENT_UPDATED,
            context=context,
            occasion=occasion,
            event=event,
        )
    if incident.is_publicly_visible:
        followers = [
            (subscription, IncidentNoticeKind.FOLLOWED_INCIDENT_UPDATED)
            for subscription in selectors.incident_followers(incident=incident)
        ]
        if event.to_status == IncidentStatus.RESOLVED and event.action == IncidentAction.RESOLVED:
            followers += [
                (subscription, IncidentNoticeKind.FOLLOWED_AREA_INCIDENT_RESOLVED)
                for subscription in selectors.area_followers(incident=incident)
            ]
        planned += _to_followers(
            incident=incident,
            followers=followers,
            context=context,
            occasion=occasion,
            event=event,
        )
    return planned


@transaction.atomic(savepoint=False)
def incident_moderated_notices_enqueue(*, incident_id: int, event_id: int) -> list[Notification]:
    """Part of a report was hidden from the public, or shown again: the reporter is told what
    and why. Followers are not: they see the step on the public timeline like everyone else."""
    event = _public_event(incident_id, event_id)
    if event is None:
        return []
    incident = event.incident
    context = {
        **texts.incident_context(incident),
        **texts.event_context(event),
    }
    return _to_reporter(
        incident=incident,
        kind=IncidentNoticeKind.INCIDENT_UNHIDDEN
        if event.action in UNHIDING_ACTIONS
        else IncidentNoticeKind.INCIDENT_MODERATED,
        context=context,
        occasion=f"event:{event.pk}",
        event=event,
    )
