"""Reads behind the officials' pages: the unit's queue, one report with what may be done to it now,
and the unit's map.

Scope and rights come from the core (`incidents.selectors.incidents_visible_to`,
`incidents.permissions`); this module adds what only the pages need: the deadline a report is
being worked against now, how urgent it is on the working-day calendar, the counts per status in
one query, and the list of actions allowed now (`incidents.workflow`, judged for the actor). Nothing here writes.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE, vietnam_today
from geoapp.exceptions import NotFound
from geoapp.selectors import working_calendar
from incidents import permissions, selectors, workflow
from incidents.models import (
    OPEN_STATUSES,
    Category,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    IncidentStatus,
    incident_current_deadline,
)
from incidents.tracking_codes import tracking_code_normalize
from wards.models import Agency, AgencyMembership, Area

QUEUE_PAGE_SIZE = 50
# The most pins one answer of the unit's map carries; beyond it the map asks to zoom in.
MAP_REPORTS_LIMIT = 2000

URGENCY_OVERDUE = "overdue"
URGENCY_DUE_SOON = "due_soon"

STATUS_OPEN = "open"  # the queue's default: every status a unit still has to work on
STATUS_ALL = "all"

SORT_DEADLINE = "deadline"
SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"

# The deadline and its urgency


def due_soon_limit(now: datetime.datetime) -> datetime.datetime:
    """Deadlines up to this moment are due within one working day of `now` (working hours and
    days, holidays skipped: a deadline on Monday morning is close on Friday afternoon)."""
    return working_calendar().add_working_days(now, 1)


def urgency_of(
    deadline: datetime.datetime | None, *, now: datetime.datetime, due_soon_until: datetime.datetime
) -> str:
    if deadline is None:
        return ""
    if deadline < now:
        return URGENCY_OVERDUE
    if deadline <= due_soon_until:
        return URGENCY_DUE_SOON
    return ""


def _with_deadline_and_urgency(
    queryset: QuerySet[Incident], *, now: datetime.datetime, due_soon_until: datetime.datetime
) -> QuerySet[Incident]:
    return queryset.with_current_deadline().annotate(
        urgency=Case(
            When(current_deadline__lt=now, then=Value(URGENCY_OVERDUE)),
            When(current_deadline__lte=due_soon_until, then=Value(URGENCY_DUE_SOON)),
            default=Value(""),
        )
    )


def _localised_name(name_field: str, english_field: str) -> Coalesce | F:
    """The English name when the page is in English and one is recorded, else the Vietnamese."""
    if translation.get_language() == "en":
        return Coalesce(NullIf(F(english_field), Value("")), F(name_field))
    return F(name_field)


# The queue


@dataclass(frozen=True)
class QueueFilters:
    status: str = STATUS_OPEN
    category: str | None = None
    area_id: int | None = None
    agency_id: int | None = None
    reported_from: datetime.date | None = None
    reported_to: datetime.date | None = None
    assigned_to_me: bool = False
    overdue: bool = False
    sort: str = SORT_DEADLINE


@dataclass(frozen=True)
class StatusCounts:
    """How many reports of the queue (every filter applied except the status) are in each state."""

    by_status: dict[str, int]
    overdue: int
    due_soon: int

    @property
    def open(self) -> int:
        return sum(self.by_status[status] for status in OPEN_STATUSES)

    @property
    def all(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class Queue:
    page: Page
    counts: StatusCounts
    # Whether the user may act on any report (rows then get checkboxes); leaders read only.
    may_act: bool
    now: datetime.datetime


@dataclass(frozen=True)
class StaffScope:
    """Who the user is for the staff pages, read once per request."""

    sees_everything: bool
    acts_on_everything: bool
    agency_ids: frozenset[int]

    def may_act_on(self, agency_id: int) -> bool:
        return self.acts_on_everything or agency_id in self.agency_ids

    @property
    def is_staff(self) -> bool:
        return self.sees_everything or bool(self.agency_ids)


class _KnownCountPaginator(Paginator):
    """A paginator told the number of rows, already counted with the counts per status."""

    def __init__(self, object_list: QuerySet[Incident], per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


def staff_scope(*, user: AbstractBaseUser) -> StaffScope:
    administrator = permissions.is_administrator(user)
    return StaffScope(
        sees_everything=administrator or permissions.is_leader(user),
        acts_on_everything=administrator,
        agency_ids=frozenset(permissions.member_agency_ids(user)),
    )


def _scoped(scope: StaffScope) -> QuerySet[Incident]:
    # The same rule as incidents.selectors.incidents_visible_to, from the scope already read.
    if scope.sees_everything:
        return Incident.objects.all()
    return Incident.objects.filter(agency_id__in=scope.agency_ids)


def _filtered(
    queryset: QuerySet[Incident], *, user: AbstractBaseUser, filters: QueueFilters
) -> QuerySet[Incident]:
    """Every filter except the status (the counts per status are taken at this point)."""
    if filters.category:
        queryset = queryset.filter(category__code=filters.category)
    if filters.area_id is not None:
        queryset = queryset.filter(area_id=filters.area_id)
    if filters.agency_id is not None:
        queryset = queryset.filter(agency_id=filters.agency_id)
    if filters.reported_from is not None:
        queryset = queryset.filter(reported_at__gte=_start_of_vietnam_day(filters.reported_from))
    if filters.reported_to is not None:
        queryset = queryset.filter(
            reported_at__lt=_start_of_vietnam_day(filters.reported_to + datetime.timedelta(days=1))
        )
    if filters.assigned_to_me:
        queryset = queryset.filter(assigned_to=user)
    if filters.overdue:
        queryset = queryset.filter(urgency=URGENCY_OVERDUE)
    return queryset


def _start_of_vietnam_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=VIETNAM_TIME_ZONE)


def _status_counts(queryset: QuerySet[Incident]) -> StatusCounts:
    # One aggregate with a FILTER per status: one scan instead of a query per count.
    totals = queryset.order_by().aggregate(
        **{
            f"status_{status.value}": Count("id", filter=Q(status=status.value))
            for status in IncidentStatus
        },
        overdue=Count("id", filter=Q(urgency=URGENCY_OVERDUE)),
        due_soon=Count("id", filter=Q(urgency=URGENCY_DUE_SOON)),
    )
    return StatusCounts(
        by_status={status.value: totals[f"status_{status.value}"] for status in IncidentStatus},
        overdue=totals["overdue"],
        due_soon=totals["due_soon"],
    )


_QUEUE_ROW_FIELDS = (
    "tracking_code",
    "status",
    "priority",
    "reported_at",
    "address",
    "description",
    "acknowledge_by",
    "resolve_by",
    "supporters_count",
    "is_public",
    "agency_id",
    "category__code",
    "category__name",
    "category__name_en",
    "area__code",
    "area__name",
    "area__valid_from",
    "area__valid_to",
    "agency__name",
    "agency__name_en",
    "assigned_to__username",
    "assigned_to__first_name",
    "assigned_to__last_name",
)

_ORDERINGS = {
    # Most urgent first: the earliest deadline on top (overdue ones are the earliest); finished
    # reports, which have none, last.
    SORT_DEADLINE: (F("current_deadline").asc(nulls_last=True), "reported_at", "id"),
    SORT_NEWEST: ("-reported_at", "-id"),
    SORT_OLDEST: ("reported_at", "id"),
}


def staff_queue(
    *,
    user: AbstractBaseUser,
    filters: QueueFilters,
    page_number: int | str = 1,
    page_size: int = QUEUE_PAGE_SIZE,
    now: datetime.datetime | None = None,
    scope: StaffScope | None = None,
) -> Queue:
    """One page of the reports of the user's units (leaders and administrators: all), with each
    row's current deadline (`current_deadline`), urgency (`urgency`: "overdue", "due_soon" or "")
    and whether the user may act on it (`may_act`), and the counts per status.

    Two queries whatever the page size and the number of reports, once the user's scope is
    known: the counts per status (which also give the number of rows) and the page.
    """
    now = now or timezone.now()
    scope = scope or staff_scope(user=user)
    base = _with_deadline_and_urgency(_scoped(scope), now=now, due_soon_until=due_soon_limit(now))
    filtered = _filtered(base, user=user, filters=filters)
    counts = _status_counts(filtered)
    if filters.status == STATUS_OPEN:
        filtered = filtered.filter(status__in=OPEN_STATUSES)
        matching = counts.open
    elif filters.status == STATUS_ALL:
        matching = counts.all
    else:
        filtered = filtered.filter(status=filters.status)
        matching = counts.by_status.get(filters.status, 0)
    rows = (
        filtered.select_related("category", "area", "agency", "assigned_to")
        .only(*_QUEUE_ROW_FIELDS)
        .annotate(
            category_label=_localised_name("category__name", "category__name_en"),
            agency_label=_localised_name("agency__name", "agency__name_en"),
        )
        .order_by(*_ORDERINGS.get(filters.sort, _ORDERINGS[SORT_DEADLINE]))
    )
    page = _KnownCountPaginator(rows, page_size, count=matching).get_page(page_number)
    for incident in page.object_list:
        incident.may_act = scope.may_act_on(incident.agency_id)
    return Queue(
        page=page,
        counts=counts,
        may_act=scope.acts_on_everything or bool(scope.agency_ids),
        now=now,
    )


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class QueueChoices:
    categories: list[Choice]
    areas: list[Choice]
    agencies: list[Choice]


def staff_queue_choices(*, user: AbstractBaseUser, scope: StaffScope | None = None) -> QueueChoices:
    """What the queue's filters offer: every category, the areas the user's reports lie in
    (before and after the reform, each named with its period), and the units the user sees."""
    scope = scope or staff_scope(user=user)
    english = translation.get_language() == "en"
    categories = [
        Choice(category.code, (category.name_en if english else "") or category.name)
        for category in Category.objects.only("code", "name", "name_en").order_by("order", "code")
    ]
    areas = (
        Area.objects.filter(pk__in=_scoped(scope).values("area_id"))
        .only("id", "code", "name", "valid_from", "valid_to")
        .order_by("name", "valid_from")
    )
    if scope.sees_everything:
        agencies = Agency.objects.filter(is_active=True)
    else:
        agencies = Agency.objects.filter(pk__in=scope.agency_ids)
    return QueueChoices(
        categories=categories,
        areas=[Choice(str(area.pk), area_label(area)) for area in areas],
        agencies=[
            Choice(str(agency.pk), (agency.name_en if english else "") or agency.name)
            for agency in agencies.only("id", "name", "name_en").order_by("name")
        ],
    )


def area_label(area: Area) -> str:
    """ "Phường Cẩm Thành (21025)", and for an area no longer valid, the last day it was."""
    if area.valid_to is not None and area.valid_to < vietnam_today():
        return _("%(name)s (%(code)s, đến %(day)s)") % {
            "name": area.name,
            "code": area.code,
            "day": area.valid_to.strftime("%d/%m/%Y"),
        }
    return f"{area.name} ({area.code})"


# One report


@dataclass(frozen=True)
class TimelineEntry:
    event: IncidentEvent
    assignee: Any = None  # the user an "assigned" event gave the report to
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DuplicateSearch:
    """The outcome of looking up, by its code, the report this one would duplicate."""

    query: str
    found: Incident | None = None
    error: str = ""


@dataclass(frozen=True)
class StaffReport:
    incident: Incident
    actions: tuple[str, ...]  # allowed now, in the order of `workflow.OFFICER_PAGE_ACTIONS`
    may_act: bool
    may_see_contact: bool
    current_deadline: datetime.datetime | None
    urgency: str
    photos: list[IncidentPhoto]
    timeline: list[TimelineEntry]
    answers: list[tuple[str, str]]  # the category's extra questions and the reporter's answers
    duplicate_candidates: list[selectors.DuplicateCandidate]
    duplicate_search: DuplicateSearch | None
    map_data: dict[str, Any]

    def allows(self, action: str) -> bool:
        return action in self.actions


def _event_details(event: IncidentEvent) -> list[tuple[str, str]]:
    """The internal details of an event worth reading, labelled, in the page's language."""
    data = event.data or {}
    details: list[tuple[str, str]] = []
    if data.get("reason"):
        details.append((_("Lý do"), str(data["reason"])))
    if data.get("information"):
        details.append((_("Thông tin người phản ánh bổ sung"), str(data["information"])))
    if data.get("from_agency") and data.get("to_agency"):
        details.append((_("Chuyển đơn vị"), f"{data['from_agency']} → {data['to_agency']}"))
    if data.get("resolve_by"):
        moment = datetime.datetime.fromisoformat(str(data["resolve_by"]))
        details.append(
            (_("Hạn giải quyết"), moment.astimezone(VIETNAM_TIME_ZONE).strftime("%H:%M %d/%m/%Y"))
        )
    if data.get("escalation"):
        details.append((_("Cảnh báo quá hạn"), str(data["escalation"])))
    return details


def _attribute_answers(incident: Incident) -> list[tuple[str, str]]:
    """Each answered extra question with its answer, choice keys turned into their names."""
    english = translation.get_language() == "en"
    answers = []
    for question in incident.category.attributes.all():
        value = (incident.attributes or {}).get(question.code)
        if value in (None, "", []):
            continue
        names = {
            str(choice["key"]): (choice.get("name_en") if english else "") or choice.get("name")
            for choice in question.values or []
        }
        values = value if isinstance(value, list) else [value]
        answers.append(
            (
                (question.description_en if english else "") or question.description,
                ", ".join(str(names.get(str(item), item)) for item in values),
            )
        )
    return answers


def _timeline(incident: Incident) -> list[TimelineEntry]:
    events = list(incident.events.all())
    assignee_ids = {
        event.data.get("assignee_id") for event in events if event.data.get("assignee_id")
    }
    users = get_user_model().objects.in_bulk(assignee_ids) if assignee_ids else {}
    return [
        TimelineEntry(
            event=event,
            assignee=users.get(event.data.get("assignee_id")),
            details=_event_details(event),
        )
        for event in events
    ]


def unit_officers(*, agency_id: int) -> QuerySet[Any]:
    """The active accounts of a unit, by username: whom a report of the unit may be assigned to."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=AgencyMembership.objects.filter(agency_id=agency_id).values("user_id"),
        )
        .order_by("username")
    )


def transfer_targets(*, incident: Incident) -> QuerySet[Agency]:
    """The units a report may be transferred to: every active one but its own, except those
    whose whole jurisdiction ended (the committees of communes merged away in the reform stay
    active for routing reports dated before it, but take no new work)."""
    return (
        Agency.objects.filter(is_active=True)
        .filter(Q(jurisdiction__isnull=True) | Q(jurisdiction__in=Area.objects.current()))
        .distinct()
        .exclude(pk=incident.agency_id)
        .only("id", "name", "name_en")
        .order_by("name")
    )


def _duplicate_search(
    *, scope: StaffScope, incident: Incident, query: str
) -> DuplicateSearch | None:
    if not query.strip():
        return None
    code = tracking_code_normalize(query)
    found = None
    if code and code != incident.tracking_code:
        # Reports of the user's units are found whatever their visibility; another unit's report
        # only when it is public, so the search cannot probe which private codes exist.
        found = (
            _scoped(scope)
            .select_related("category", "area", "agency")
            .filter(tracking_code=code)
            .first()
        )
        if found is None:
            try:
                found = selectors.incident_get_public_by_code(tracking_code=code)
            except NotFound:
                found = None
    if found is None:
        return DuplicateSearch(
            query=query,
            error=_("Không tìm thấy phản ánh có mã “%(code)s”.") % {"code": query.strip()},
        )
    return DuplicateSearch(query=query, found=found)


def staff_report(
    *,
    user: AbstractBaseUser,
    tracking_code: str,
    duplicate_query: str = "",
    now: datetime.datetime | None = None,
    scope: StaffScope | None = None,
) -> StaffReport:
    """A report the user may see, with what the page shows about it and may do with it now.

    NotFound for reports outside the user's units, so that an officer of another unit learns
    nothing about which codes exist (the same rule as the staff API).
    """
    now = now or timezone.now()
    scope = scope or staff_scope(user=user)
    incident = selectors.incident_get_for_staff(user=user, tracking_code=tracking_code)
    actions = workflow.allowed_actions(user=user, incident=incident)
    deadline = incident_current_deadline(incident)
    candidates: list[selectors.DuplicateCandidate] = []
    if "mark_duplicate" in actions:
        candidates = [
            candidate
            for candidate in selectors.duplicate_candidates(
                point=incident.location,
                category_code=incident.category.code,
                now=now,
                exclude_incident_id=incident.pk,
                public_only=False,
            )
            if scope.sees_everything
            or candidate.incident.agency_id in scope.agency_ids
            or candidate.incident.is_public
        ]
    return StaffReport(
        incident=incident,
        actions=actions,
        may_act=bool(actions),
        may_see_contact=permissions.can_see_reporter_contact(user, incident),
        current_deadline=deadline,
        urgency=urgency_of(deadline, now=now, due_soon_until=due_soon_limit(now)),
        photos=list(incident.photos.all()),
        timeline=_timeline(incident),
        answers=_attribute_answers(incident),
        duplicate_candidates=candidates,
        duplicate_search=(
            _duplicate_search(scope=scope, incident=incident, query=duplicate_query)
            if "mark_duplicate" in actions
            else None
        ),
        map_data={
            "point": [incident.location.x, incident.location.y],
            "area": json.loads(incident.area.boundary.geojson),
            "area_name": incident.area.name,
        },
    )


def duplicate_original_get(
    *, user: AbstractBaseUser, incident: Incident, tracking_code: str
) -> Incident:
    """The report `incident` duplicates, named by its code, under the search's visibility rule."""
    search = _duplicate_search(scope=staff_scope(user=user), incident=incident, query=tracking_code)
    if search is None or search.found is None:
        raise NotFound(
            search.error if search else _("Vui lòng nhập mã phản ánh gốc."),
            code="original_not_found",
        )
    return search.found


def photo_for_staff(*, user: AbstractBaseUser, photo_id: int) -> IncidentPhoto:
    return selectors.photo_get_for_staff(user=user, photo_id=photo_id)


# The unit's map


def staff_map_areas(*, user: AbstractBaseUser, scope: StaffScope | None = None) -> str:
    """The boundaries the user's units answer for today, as a GeoJSON FeatureCollection string:
    the units' current jurisdiction, or every current commune for leaders and administrators."""
    scope = scope or staff_scope(user=user)
    today = vietnam_today()
    parameters: dict[str, object] = {"today": today}
    if scope.sees_everything:
        condition = "a.level = 'commune'"
    else:
        condition = (
            "a.id IN (SELECT area_id FROM wards_agency_jurisdiction "
            "WHERE agency_id = ANY(%(agency_ids)s))"
        )
        parameters["agency_ids"] = sorted(scope.agency_ids)
    # Raw SQL because the ORM cannot aggregate rows into one JSON document; the condition is one
    # of the two fixed texts above and every value a parameter.
    sql = f"""
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature',
                'id', a.id,
                'geometry', ST_AsGeoJSON(a.boundary, 6)::json,
                'properties', json_build_object('code', a.code, 'name', a.name)
            ) ORDER BY a.code), '[]'::json)
        )::text
        FROM wards_area a
        WHERE {condition}
          AND a.valid_from <= %(today)s AND (a.valid_to IS NULL OR a.valid_to >= %(today)s)
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone()[0]


def staff_map_reports(
    *,
    user: AbstractBaseUser,
    bbox: tuple[float, float, float, float],
    report_url_prefix: str,
    now: datetime.datetime | None = None,
    scope: StaffScope | None = None,
) -> str:
    """The open reports of the user's units inside `bbox` as a GeoJSON FeatureCollection string,
    most urgent first, with each one's status, urgency and current deadline; at most
    MAP_REPORTS_LIMIT (`numberMatched` says how many there were)."""
    now = now or timezone.now()
    scope = scope or staff_scope(user=user)
    min_lon, min_lat, max_lon, max_lat = bbox
    parameters: dict[str, object] = {
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        "open": sorted(OPEN_STATUSES),
        "now": now,
        "due_soon_until": due_soon_limit(now),
        "limit": MAP_REPORTS_LIMIT,
        "prefix": report_url_prefix,
        "english": translation.get_language() == "en",
    }
    conditions = [
        "i.status = ANY(%(open)s)",
        # && alone decides for points and uses the GiST index on location.
        "i.location && ST_MakeEnvelope(%(min_lon)s, %(min_lat)s, %(max_lon)s, %(max_lat)s, 4326)",
    ]
    if not scope.sees_everything:
        conditions.append("i.agency_id = ANY(%(agency_ids)s)")
        parameters["agency_ids"] = sorted(scope.agency_ids)
    status_labels = " ".join(
        f"WHEN '{status.value}' THEN %(status_label_{index})s"
        for index, status in enumerate(IncidentStatus)
    )
    for index, status in enumerate(IncidentStatus):
        parameters[f"status_label_{index}"] = str(status.label)
    # Raw SQL to assemble the collection in PostgreSQL (a per-row serializer is tens of times
    # slower at thousands of pins). The interpolated text is the fixed condition list and the
    # status values of IncidentStatus, never user input; every value is a parameter.
    sql = f"""
        WITH matching AS (
            SELECT i.id, i.tracking_code, i.location, i.status,
                   CASE WHEN i.status = 'new' THEN i.acknowledge_by ELSE i.resolve_by END
                       AS deadline,
                   CASE WHEN %(english)s AND c.name_en <> '' THEN c.name_en ELSE c.name END
                       AS category_name,
                   count(*) OVER () AS matched
            FROM incidents_incident i
            JOIN incidents_category c ON c.id = i.category_id
            WHERE {" AND ".join(conditions)}
        ), page AS (
            SELECT * FROM matching ORDER BY deadline, id LIMIT %(limit)s
        )
        SELECT json_build_object(
            'type', 'FeatureCollection',
            'numberMatched', COALESCE(max(matched), 0),
            'numberReturned', count(id),
            'features', COALESCE(json_agg(json_build_object(
                'type', 'Feature',
                'id', tracking_code,
                'geometry', ST_AsGeoJSON(location, 6)::json,
                'properties', json_build_object(
                    'tracking_code', tracking_code,
                    'url', %(prefix)s || tracking_code || '/',
                    'status', status,
                    'status_label', CASE status {status_labels} END,
                    'category_name', category_name,
                    'urgency', CASE WHEN deadline < %(now)s THEN 'overdue'
                                    WHEN deadline <= %(due_soon_until)s THEN 'due_soon'
                                    ELSE '' END,
                    'deadline', to_char(deadline AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                        'HH24:MI DD/MM/YYYY')
                )
            ) ORDER BY deadline, id), '[]'::json)
        )::text
        FROM page
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.fetchone()[0]


def tracking_codes_in(values: Iterable[str]) -> list[str]:
    """The distinct tracking codes among `values`, normalised, in the order given."""
    codes: list[str] = []
    for value in values:
        code = tracking_code_normalize(value)
        if code and code not in codes:
            codes.append(code)
    return codes
