"""Reads of following: who follows a report, what may be followed, the feeds' entries.

Which reports the public may see follows the incidents app's rule (`incidents.selectors`): a
report is public when `is_public` is set and it was not rejected as spam. Followers and feeds
only ever hear of public reports.

Areas are followed as places: a report belongs to a followed area when the area's boundary covers
the report's location (ST_Covers, through the GiST index on the reports' locations). This works
for an area of any level (a commune, a former district, the province) and does not depend on the
commune a report was routed to.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import Point
from django.db import connection
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from geoapp.sql import model_columns, server_binding_cursor
from incidents import selectors as incident_selectors
from incidents.models import Incident, IncidentStatus
from notifications.models import Subscription
from notifications.selectors import subject_followers
from wards.models import Area
from wards.selectors import AREA_SUMMARY_FIELDS, area_get, area_successions

FEED_ENTRIES = 50


def incident_followers(*, incident: Incident) -> list[Subscription]:
    """Confirmed subscriptions to the report itself."""
    return subject_followers(subject=incident)


def area_content_type_id() -> int:
    """The subject type of a subscription to an area (cached by Django after the first call)."""
    return ContentType.objects.get_for_model(Area).pk


def followed_area_name(subscription: Subscription) -> str | None:
    """The name of the area a subscription follows, or None for a report's (or an area since
    deleted): from the area `area_followers` loaded with it, else read alone (not the area's
    boundary and label point, which the messages never need)."""
    if subscription.subject_type_id != area_content_type_id():
        return None
    if Subscription.subject.is_cached(subscription):
        area: Area | None = subscription.subject
        return area.name if area is not None else None
    return Area.objects.filter(pk=subscription.subject_id).values_list("name", flat=True).first()


def area_followers(*, incident: Incident) -> list[Subscription]:
    """Confirmed subscriptions to an area whose boundary covers the report's location, oldest
    first, each with its area as subject (without the area's boundary and label point)."""
    location = incident.location
    if location.srid is None:
        location = Point(location.x, location.y, srid=4326)  # as the ORM does: the field's SRID
    elif location.srid != 4326:
        location = location.transform(4326, clone=True)
    with server_binding_cursor() as cursor:
        cursor.execute(
            _AREA_FOLLOWERS_SQL,
            [*_area_followed_parameters(), bytes(location.ewkb)],
        )
        rows = cursor.fetchall()
    followers = []
    for row in rows:
        subscription = Subscription.from_db(
            connection.alias, _SUBSCRIPTION_FIELD_NAMES, row[: len(_SUBSCRIPTION_FIELD_NAMES)]
        )
        # Sets the generic reference's cache: the planning reads the area without a query.
        subscription.subject = Area.from_db(
            connection.alias, _AREA_FIELD_NAMES, row[len(_SUBSCRIPTION_FIELD_NAMES) :]
        )
        followers.append(subscription)
    return followers


_SUBSCRIPTION_FIELD_NAMES = [field.attname for field in Subscription._meta.concrete_fields]
_AREA_FIELD_NAMES = list(AREA_SUMMARY_FIELDS)


# Hand-written because it runs for every filed report. The EXISTS is uncorrelated: PostgreSQL
# evaluates it once, first (a "one-time filter"), and when no confirmed area subscription exists
# at all it skips the spatial test, which reads and tests the boundary of every area covering
# the point (the province's among them). When some exist, the plan is the ORM's was: the GiST
# index on the areas' boundaries first, then their subscriptions (by the subscriptions' index
# on subject type and id). Its parameters: `_area_followed_parameters()`, then the location's.
def _area_followed_sql(*, location: str) -> str:
    return f"""
        FROM notifications_subscription subscription
        JOIN wards_area area
          ON subscription.subject_type_id = %s AND area.id = subscription.subject_id
        WHERE EXISTS (
                SELECT FROM notifications_subscription
                WHERE subject_type_id = %s
                  AND confirmed_at IS NOT NULL AND unsubscribed_at IS NULL
              )
          AND subscription.confirmed_at IS NOT NULL AND subscription.unsubscribed_at IS NULL
          AND ST_Covers(area.boundary, {location})
    """  # an expression of the calling code's, never input


def _area_followed_parameters() -> list[int]:
    area_type = area_content_type_id()
    return [area_type, area_type]


_AREA_FOLLOWERS_SQL = f"""
    SELECT {model_columns(Subscription, _SUBSCRIPTION_FIELD_NAMES, table="subscription")},
           {model_columns(Area, _AREA_FIELD_NAMES, table="area")}
    {_area_followed_sql(location="ST_GeomFromEWKB(%s)")}
    ORDER BY subscription.id
"""


def area_followers_by_address_sql(*, location: str) -> tuple[str, list[int]]:
    """A query of (id, email) of the confirmed subscriptions to an area whose boundary covers
    `location` (an SQL expression of the calling statement: a point in SRID 4326), one per
    address, the oldest (the rule of the messages: one per address, the first subscription
    wins); and its parameters' values. For a statement that writes a filed report's messages."""
    return (
        "SELECT DISTINCT ON (subscription.email) subscription.id, subscription.email "
        f"{_area_followed_sql(location=location)} ORDER BY subscription.email, subscription.id",
        _area_followed_parameters(),
    )


def incident_public_for_following(*, tracking_code: str) -> Incident:
    return incident_selectors.incident_get_public_by_code(tracking_code=tracking_code)


def _is_current(area: Area) -> bool:
    return Area.objects.current().filter(pk=area.pk).exists()


def area_current_for_following(*, area_id: int) -> Area:
    """An area valid today: following news of an area that no longer exists would be empty."""
    area = area_get(area_id=area_id)
    if not _is_current(area):
        raise InvalidInput(
            _("%(area)s không còn hiệu lực; hãy theo dõi đơn vị hành chính hiện nay.")
            % {"area": area.name},
            code="area_not_current",
        )
    return area


AREA_PAGE_INCIDENTS = 10


@dataclass(frozen=True)
class AreaPage:
    """What an area's public page shows: the area, whether it can be followed (it is valid
    today), where it went at a reform when it is not, and its latest public reports."""

    area: Area
    is_current: bool
    successors: list[Area]
    latest_incidents: list[Incident]


def area_page_get(*, area_id: int) -> AreaPage:
    """An area's public page (NotFound for an unknown id): any area, past or present, as its
    feed is; only a current one offers the follow form."""
    area = area_get(area_id=area_id)
    is_current = _is_current(area)
    successors = [] if is_current else [edge.successor for edge in area_successions(area=area)]
    return AreaPage(
        area=area,
        is_current=is_current,
        successors=successors,
        latest_incidents=feed_incidents(area=area, limit=AREA_PAGE_INCIDENTS),
    )


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
