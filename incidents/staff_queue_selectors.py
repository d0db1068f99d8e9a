"""Reads behind the officials' queue: which reports a user's units hold, the deadline each is worked
against now, how urgent it is on the working-day calendar, the counts per status in one query, and
the choices of the queue's filters. Also the user's scope, which the report page and the map share.

Scope and rights come from the core (`incidents.selectors.incidents_visible_to`,
`incidents.permissions`). Nothing here writes.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.contrib.auth.models import User
from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE, start_of_vietnam_day, vietnam_today
from geoapp.selectors import working_calendar
from incidents import permissions
from incidents.models import (
    OPEN_STATUSES,
    Category,
    Incident,
    IncidentDailySummary,
    IncidentQuerySet,
    IncidentStatus,
    IncidentUnitSummary,
)
from incidents.queue_keyset import (
    SORT_DEADLINE,
    SORT_NEWEST,
    SORT_OLDEST,
    SORT_OVERDUE,
    Cursor,
    keyset_slice,
    sort_normalize,
)
from incidents.tracking_codes import tracking_code_normalize
from wards.models import Agency, Area

QUEUE_PAGE_SIZE = 50

URGENCY_OVERDUE = "overdue"
URGENCY_DUE_SOON = "due_soon"

STATUS_OPEN = "open"  # the queue's default: every status a unit still has to work on
STATUS_ALL = "all"

__all__ = ["SORT_DEADLINE", "SORT_NEWEST", "SORT_OLDEST", "SORT_OVERDUE"]  # the sorts' home

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
    queryset: IncidentQuerySet, *, now: datetime.datetime, due_soon_until: datetime.datetime
) -> IncidentQuerySet:
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
class QueuePage:
    """The rows shown and the cursors of the pages beside them (issue 10: keyset pages).
    `number` is the page's number when it was asked by number (the first page, and the old
    `?page=N` links), none when it was reached by a cursor."""

    object_list: list[Incident]
    count: int
    number: int | None
    num_pages: int
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


@dataclass(frozen=True)
class Queue:
    page: QueuePage
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

    def incidents(self) -> IncidentQuerySet:
        # The same rule as incidents.selectors.incidents_visible_to, from the scope already read.
        if self.sees_everything:
            return Incident.objects.all()
        return Incident.objects.filter(agency_id__in=self.agency_ids)


def staff_scope(*, user: User) -> StaffScope:
    administrator = permissions.is_administrator(user)
    return StaffScope(
        sees_everything=administrator or permissions.is_leader(user),
        acts_on_everything=administrator,
        agency_ids=frozenset(permissions.member_agency_ids(user)),
    )


def _filtered(
    queryset: QuerySet[Incident], *, user: User, filters: QueueFilters, now: datetime.datetime
) -> QuerySet[Incident]:
    """Every filter except the status (the counts per status are taken at this point)."""
    if filters.category:
        queryset = queryset.filter(category__code=filters.category)
    if filters.area_id is not None:
        queryset = queryset.filter(area_id=filters.area_id)
    if filters.agency_id is not None:
        queryset = queryset.filter(agency_id=filters.agency_id)
    if filters.reported_from is not None:
        queryset = queryset.filter(reported_at__gte=start_of_vietnam_day(filters.reported_from))
    if filters.reported_to is not None:
        queryset = queryset.filter(
            reported_at__lt=start_of_vietnam_day(filters.reported_to + datetime.timedelta(days=1))
        )
    if filters.assigned_to_me:
        queryset = queryset.filter(assigned_to=user)
    if filters.overdue:
        # The stored column, not the `urgency` annotation: a range of the deadline indexes.
        queryset = queryset.filter(current_deadline__lt=now)
    return queryset


def _status_counts(queryset: QuerySet[Incident]) -> StatusCounts:
    """The counts from the reports themselves: for the filters the summaries do not hold (the
    user's own reports; overdue only with a filter by category, area or period)."""
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


def _summarised_status_counts(
    *,
    user: User,
    scope: StaffScope,
    filters: QueueFilters,
    now: datetime.datetime,
    due_soon_until: datetime.datetime,
) -> StatusCounts:
    """The counts from the summaries, which the triggers keep with the reports: per unit and
    status without filters, per day, area, unit and category with them. The cost is that of
    the summary rows, not of the unit's reports. Overdue and due soon move with the clock; each
    helper below says how it reads them."""
    units = Q()
    if not scope.sees_everything:
        units &= Q(agency_id__in=scope.agency_ids)
    if filters.agency_id is not None:
        units &= Q(agency_id=filters.agency_id)
    reports = _filtered(scope.incidents(), user=user, filters=filters, now=now)
    if _detailed(filters):
        return _daily_status_counts(
            units, filters=filters, reports=reports, now=now, due_soon_until=due_soon_until
        )
    return _unit_status_counts(
        units, reports=reports, now=now, due_soon_until=due_soon_until, overdue_only=filters.overdue
    )


def _detailed(filters: QueueFilters) -> bool:
    """Whether the counts need the summary per day, area and category."""
    return bool(
        filters.category
        or filters.area_id is not None
        or filters.reported_from
        or filters.reported_to
    )


def _unit_status_counts(
    units: Q,
    *,
    reports: QuerySet[Incident],
    now: datetime.datetime,
    due_soon_until: datetime.datetime,
    overdue_only: bool,
) -> StatusCounts:
    """From the summary per unit, which keeps the open reports by the day of their current
    deadline: overdue is its rows of the days before today plus the reports due earlier today,
    and due soon the reports due from now to a working day ahead, both read along the index of
    the current deadline (incident_unit_urgency): a few days' deadlines, whatever the size of
    the table. With `overdue_only` (the overdue list), every count is of overdue reports."""
    today = timezone.localdate(now, VIETNAM_TIME_ZONE)
    totals = dict.fromkeys(IncidentStatus.values, 0)
    overdue = dict.fromkeys(IncidentStatus.values, 0)
    rows = (
        IncidentUnitSummary.objects.filter(units)
        .order_by()
        .values("status")
        .annotate(
            total=Sum("reports"),
            before_today=Sum("reports", filter=Q(deadline_day__lt=today)),
        )
    )
    for row in rows:
        totals[row["status"]] = row["total"]
        if row["status"] in OPEN_STATUSES:
            overdue[row["status"]] = row["before_today"] or 0
    # Only open reports have a current deadline.
    due_soon = 0
    for row in (
        reports.filter(
            current_deadline__gte=start_of_vietnam_day(today),
            current_deadline__lte=due_soon_until,
        )
        .order_by()
        .values("status")
        .annotate(
            passed=Count("id", filter=Q(current_deadline__lt=now)),
            ahead=Count("id", filter=Q(current_deadline__gte=now)),
        )
    ):
        overdue[row["status"]] += row["passed"]
        due_soon += row["ahead"]
    return StatusCounts(
        by_status=overdue if overdue_only else totals,
        overdue=sum(overdue.values()),
        due_soon=0 if overdue_only else due_soon,
    )


def _daily_status_counts(
    units: Q,
    *,
    filters: QueueFilters,
    reports: QuerySet[Incident],
    now: datetime.datetime,
    due_soon_until: datetime.datetime,
) -> StatusCounts:
    """From the summary per day, area, unit and category, which holds no deadline: overdue and
    due soon come from the open reports whose current deadline is still ahead (the partial
    indexes incident_new_acknowledge_by, incident_working_resolve_by), which are only those
    filed, transferred or reopened within their deadline; every other open report is overdue."""
    summary = IncidentDailySummary.objects.filter(units)
    if filters.category:
        summary = summary.filter(category__code=filters.category)
    if filters.area_id is not None:
        summary = summary.filter(area_id=filters.area_id)
    if filters.reported_from is not None:
        summary = summary.filter(day__gte=filters.reported_from)
    if filters.reported_to is not None:
        summary = summary.filter(day__lte=filters.reported_to)
    by_status = dict.fromkeys(IncidentStatus.values, 0)
    for row in summary.order_by().values("status").annotate(reports=Sum("reports")):
        by_status[row["status"]] = row["reports"]
    # The current deadline still ahead, written per status so that PostgreSQL reads the partial
    # indexes incident_new_acknowledge_by and incident_working_resolve_by.
    ahead = (
        reports.filter(status__in=sorted(OPEN_STATUSES))
        .filter(
            Q(status=IncidentStatus.NEW, acknowledge_by__gte=now)
            | (~Q(status=IncidentStatus.NEW) & Q(resolve_by__gte=now))
        )
        .annotate(
            open_deadline=Case(
                When(status=IncidentStatus.NEW, then=F("acknowledge_by")),
                default=F("resolve_by"),
            )
        )
    )
    not_yet_due = ahead.order_by().aggregate(
        total=Count("id"), due_soon=Count("id", filter=Q(open_deadline__lte=due_soon_until))
    )
    open_reports = sum(by_status[status] for status in OPEN_STATUSES)
    return StatusCounts(
        by_status=by_status,
        overdue=open_reports - not_yet_due["total"],
        due_soon=not_yet_due["due_soon"],
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
    "current_deadline",
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


def staff_queue(
    *,
    user: User,
    filters: QueueFilters,
    page_number: int | str = 1,
    cursor: Cursor | None = None,
    page_size: int = QUEUE_PAGE_SIZE,
    now: datetime.datetime | None = None,
    scope: StaffScope | None = None,
) -> Queue:
    """One page of the reports of the user's units (leaders and administrators: all), with each
    row's current deadline (`current_deadline`), urgency (`urgency`: "overdue", "due_soon" or "")
    and whether the user may act on it (`may_act`), and the counts per status.

    The page is the one after (or before) `cursor`, else page `page_number` (the first page;
    later numbers still work for old links, but the links handed out are cursors). Four
    queries whatever the page and the number of reports, once the user's scope is known: the
    counts per status from the summaries (which also give the number of rows), the reports not
    yet due (for overdue and due soon), the keys of the page along the index of its sort
    (incidents.queue_keyset), and those rows with their joins, by id. With "assigned to me", or
    "overdue only" with a filter by category, area or period, which no summary holds, the
    counts are one aggregate over the reports.
    """
    now = now or timezone.now()
    scope = scope or staff_scope(user=user)
    if filters.sort == SORT_OVERDUE:
        # The overdue list is the urgency order with the overdue filter, counted as such.
        filters = replace(filters, overdue=True)
    due_soon_until = due_soon_limit(now)
    base = _with_deadline_and_urgency(scope.incidents(), now=now, due_soon_until=due_soon_until)
    filtered = _filtered(base, user=user, filters=filters, now=now)
    if filters.assigned_to_me or (filters.overdue and _detailed(filters)):
        counts = _status_counts(filtered)
    else:
        counts = _summarised_status_counts(
            user=user, scope=scope, filters=filters, now=now, due_soon_until=due_soon_until
        )
    if filters.status == STATUS_OPEN:
        matching = counts.open
    elif filters.status == STATUS_ALL:
        matching = counts.all
    else:
        matching = counts.by_status.get(filters.status, 0)
    page = _queue_page(
        scope, user=user, filters=filters, matching=matching, page_number=page_number,
        cursor=cursor, page_size=page_size, now=now,
    )  # fmt: skip
    for incident in page.object_list:
        # A per-row flag for the page, beside the annotations; the model does not declare it.
        incident.may_act = scope.may_act_on(incident.agency_id)  # type: ignore[attr-defined]
    return Queue(
        page=page,
        counts=counts,
        may_act=scope.acts_on_everything or bool(scope.agency_ids),
        now=now,
    )


def _queue_page(
    scope: StaffScope,
    *,
    user: User,
    filters: QueueFilters,
    matching: int,
    page_number: int | str,
    cursor: Cursor | None,
    page_size: int,
    now: datetime.datetime,
) -> QueuePage:
    sort = sort_normalize(filters.sort)
    # The keys are selected without the rows' joins and annotations, so that the index of the
    # sort is read for 51 entries and nothing else is computed for the rows not shown.
    selected = _filtered(scope.incidents(), user=user, filters=filters, now=now)
    # Which rows the filters leave, as the deadline sort's segments see them: an open report
    # has a deadline and a finished one has none (incident_current_deadline).
    with_deadline: bool | None = None
    if filters.status == STATUS_OPEN:
        selected = selected.filter(status__in=OPEN_STATUSES)
        with_deadline = True
    elif filters.status != STATUS_ALL:
        selected = selected.filter(status=filters.status)
        with_deadline = filters.status in OPEN_STATUSES
    if filters.overdue:
        with_deadline = True
    num_pages = max(1, math.ceil(matching / page_size))
    number = None
    skip = 0
    if cursor is None:
        number = min(max(_page_number(page_number), 1), num_pages)
        skip = (number - 1) * page_size
    keys = keyset_slice(
        selected, sort=sort, cursor=cursor, size=page_size, with_deadline=with_deadline, skip=skip
    )
    ids = [key.id for key in keys.keys]
    rows = (
        _with_deadline_and_urgency(
            Incident.objects.filter(pk__in=ids), now=now, due_soon_until=due_soon_limit(now)
        )
        .select_related("category", "area", "agency", "assigned_to")
        .only(*_QUEUE_ROW_FIELDS)
        .annotate(
            category_label=_localised_name("category__name", "category__name_en"),
            agency_label=_localised_name("agency__name", "agency__name_en"),
        )
    )
    by_id = {row.pk: row for row in rows}
    return QueuePage(
        # A row deleted between the two reads is left out.
        object_list=[by_id[pk] for pk in ids if pk in by_id],
        count=matching,
        number=number,
        num_pages=num_pages,
        next_cursor=keys.next_cursor,
        previous_cursor=keys.previous_cursor,
    )


def _page_number(value: int | str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class QueueChoices:
    categories: list[Choice]
    areas: list[Choice]
    agencies: list[Choice]


def staff_queue_choices(*, user: User, scope: StaffScope | None = None) -> QueueChoices:
    """What the queue's filters offer: every category, the areas the user's reports lie in
    (before and after the reform, each named with its period), and the units the user sees."""
    scope = scope or staff_scope(user=user)
    english = translation.get_language() == "en"
    categories = [
        Choice(category.code, (category.name_en if english else "") or category.name)
        for category in Category.objects.only("code", "name", "name_en").order_by("order", "code")
    ]
    areas = (
        Area.objects.filter(pk__in=scope.incidents().values("area_id"))
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


def tracking_codes_in(values: Iterable[str]) -> list[str]:
    """The distinct tracking codes among `values`, normalised, in the order given."""
    codes: list[str] = []
    for value in values:
        code = tracking_code_normalize(value)
        if code and code not in codes:
            codes.append(code)
    return codes
