"""Reads of the notifications app: followers, feed entries, subscriptions from their links.

Which reports the public may see follows the incidents app's rule (`incidents.selectors`): a
report is public when `is_public` is set and it was not rejected as spam. Followers and feeds
only ever hear of public reports.

Areas are followed as places: a report belongs to a followed area when the area's boundary covers
the report's location (ST_Covers, through the GiST index on the reports' locations). This works
for an area of any level (a commune, a former district, the province) and does not depend on the
commune a report was routed to.
"""

from __future__ import annotations

from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput, NotFound
from incidents import selectors as incident_selectors
from incidents.models import Incident, IncidentStatus
from notifications import subscription_tokens
from notifications.models import IncidentEscalation, Subscription
from wards.models import Area
from wards.selectors import AREA_SUMMARY_FIELDS, area_get, server_binding_cursor

FEED_ENTRIES = 50


def _active(subscriptions: QuerySet[Subscription]) -> QuerySet[Subscription]:
    return subscriptions.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


def incident_followers(*, incident: Incident) -> list[Subscription]:
    """Confirmed subscriptions to the report itself."""
    return list(_active(Subscription.objects.filter(incident=incident)).order_by("id"))


def area_followers(*, incident: Incident) -> list[Subscription]:
    """Confirmed subscriptions to an area whose boundary covers the report's location, oldest
    first, each with its area (without the area's boundary and label point)."""
    location = incident.location
    if location.srid is None:
        location = Point(location.x, location.y, srid=4326)  # as the ORM does: the field's SRID
    elif location.srid != 4326:
        location = location.transform(4326, clone=True)
    with server_binding_cursor() as cursor:
        cursor.execute(_AREA_FOLLOWERS_SQL, {"location": bytes(location.ewkb)})
        rows = cursor.fetchall()
    followers = []
    for row in rows:
        subscription = Subscription.from_db(
            connection.alias, _SUBSCRIPTION_FIELD_NAMES, row[: len(_SUBSCRIPTION_FIELD_NAMES)]
        )
        subscription.area = Area.from_db(
            connection.alias, _AREA_FIELD_NAMES, row[len(_SUBSCRIPTION_FIELD_NAMES) :]
        )
        followers.append(subscription)
    return followers


_SUBSCRIPTION_FIELD_NAMES = [field.attname for field in Subscription._meta.concrete_fields]
_AREA_FIELD_NAMES = list(AREA_SUMMARY_FIELDS)


def _columns(table: str, model: type[Model], field_names: list[str]) -> str:
    return ", ".join(f'{table}."{model._meta.get_field(name).column}"' for name in field_names)


# Hand-written because it runs for every filed report. The EXISTS is uncorrelated: PostgreSQL
# evaluates it once, first (a "one-time filter"), and when no confirmed area subscription exists
# at all it skips the spatial test, which reads and tests the boundary of every area covering
# the point (the province's among them). When some exist, the plan is the ORM's was: the GiST
# index on the areas' boundaries first, then their subscriptions.
_AREA_FOLLOWERS_SQL = f"""
    SELECT {_columns("subscription", Subscription, _SUBSCRIPTION_FIELD_NAMES)},
           {_columns("area", Area, _AREA_FIELD_NAMES)}
    FROM notifications_subscription subscription
    JOIN wards_area area ON area.id = subscription.area_id
    WHERE EXISTS (
            SELECT FROM notifications_subscription
            WHERE area_id IS NOT NULL AND confirmed_at IS NOT NULL AND unsubscribed_at IS NULL
          )
      AND subscription.confirmed_at IS NOT NULL AND subscription.unsubscribed_at IS NULL
      AND ST_Covers(area.boundary, ST_GeomFromEWKB(%(location)s))
    ORDER BY subscription.id
"""


def incident_public_for_following(*, tracking_code: str) -> Incident:
    return incident_selectors.incident_get_public_by_code(tracking_code=tracking_code)


def area_current_for_following(*, area_id: int) -> Area:
    """An area valid today: following news of an area that no longer exists would be empty."""
    area = area_get(area_id=area_id)
    if not Area.objects.current().filter(pk=area.pk).exists():
        raise InvalidInput(
            _("%(area)s không còn hiệu lực; hãy theo dõi đơn vị hành chính hiện nay.")
            % {"area": area.name},
            code="area_not_current",
        )
    return area


def subscription_from_unsubscribe_token(*, token: str, for_update: bool = False) -> Subscription:
    invalid = NotFound(
        _("Liên kết không hợp lệ hoặc đã hết hạn. Bạn có thể đăng ký theo dõi lại."),
        code="invalid_subscription_link",
    )
    try:
        subscription_id = subscription_tokens.unsubscribe_subscription_id_read(token)
    except subscription_tokens.InvalidSubscriptionToken:
        raise invalid from None
    subscriptions = Subscription.objects.select_related("incident", "area")
    if for_update:
        subscriptions = subscriptions.select_for_update(of=("self",))
    subscription = subscriptions.filter(pk=subscription_id).first()
    if subscription is None:
        raise invalid
    return subscription


def feed_area_get(*, area_id: int) -> Area:
    return area_get(area_id=area_id)


def feed_incidents(*, area: Area | None = None, limit: int = FEED_ENTRIES) -> list[Incident]:
    """The latest public reports, new or resolved, newest news first, for an Atom feed.

    One entry per report: its news is its filing, then its resolution (`feed_updated_at`), so a
    report resolved today comes back to the top of the feed as an updated entry. Rejected
    reports are left out: they are neither new problems nor solved ones.
    """
    incidents = (
        Incident.objects.public()
        .exclude(status=IncidentStatus.REJECTED)
        .select_related("category")
        .annotate(feed_updated_at=Coalesce("resolved_at", "reported_at"))
    )
    if area is not None:
        incidents = incidents.filter(location__coveredby=area.boundary)
    return list(incidents.order_by("-feed_updated_at", "-id")[:limit])


def escalations_of_incident(*, incident: Incident) -> list[IncidentEscalation]:
    return list(IncidentEscalation.objects.filter(incident=incident).order_by("escalated_at"))
