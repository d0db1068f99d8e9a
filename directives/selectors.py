"""Reads of directives and tasks: the boards' lists, the figures per agency, the calendar of
deadlines, and what the operations centre (issue 13) shows.

Every list is scoped first (`TaskScope`: an agency sees the tasks it leads or coordinates,
leaders see all), then filtered (`TaskFilter`), then classified in SQL against the working-day
calendar (`directives/deadlines.py`): the standing is a CASE over the deadline, the completion day
and two dates computed once per request (today, and the last deadline that counts as due soon),
so the database sorts and counts 100,000 tasks without Python touching each one.
"""

from __future__ import annotations

import calendar as month_calendar
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)

from directives import permissions
from directives.deadlines import STANDING_RANK, Standing, due_soon_limit, standing
from directives.models import OPEN_STATUSES, Directive, Task, TaskStatus
from geoapp.clock import vietnam_today
from geoapp.exceptions import NotFound
from geoapp.selectors import working_calendar
from wards.models import Agency, Area, AreaLevel


@dataclass(frozen=True)
class TaskScope:
    """What a user may see: every task (leaders, administrators), or the tasks of some agencies."""

    sees_all: bool
    agency_ids: frozenset[int]

    @property
    def is_staff(self) -> bool:
        return self.sees_all or bool(self.agency_ids)


def task_scope(*, user: permissions.User) -> TaskScope:
    return TaskScope(
        sees_all=permissions.is_leader(user),
        agency_ids=frozenset(permissions.member_agency_ids(user)),
    )


@dataclass(frozen=True)
class TaskFilter:
    directive_id: int | None = None
    directive_number: str = ""
    agency_id: int | None = None
    field: str = ""
    deadline_from: datetime.date | None = None
    deadline_to: datetime.date | None = None
    standing: str = ""
    # Tasks located in this area: a commune named as the task's area (the area itself or one
    # of its communes, for a district or the province), or a point inside its boundary.
    area_id: int | None = None


@dataclass(frozen=True)
class Today:
    """Today and the last due-soon deadline: the two dates every classification needs."""

    day: datetime.date
    due_soon_until: datetime.date


def today_of(day: datetime.date | None = None) -> Today:
    day = day or vietnam_today()
    return Today(day=day, due_soon_until=due_soon_limit(working_calendar(), day))


def _standing_expression(today: Today) -> Case:
    return Case(
        When(status=TaskStatus.CANCELLED, then=Value(Standing.CANCELLED.value)),
        When(
            status=TaskStatus.DONE,
            completed_on__lte=F("deadline"),
            then=Value(Standing.DONE_ON_TIME.value),
        ),
        When(status=TaskStatus.DONE, then=Value(Standing.DONE_LATE.value)),
        When(deadline__lt=today.day, then=Value(Standing.OVERDUE.value)),
        When(deadline__lte=today.due_soon_until, then=Value(Standing.DUE_SOON.value)),
        default=Value(Standing.ON_TRACK.value),
        output_field=CharField(),
    )


def _standing_condition(standing: str, today: Today) -> Q:
    open_ = Q(status__in=OPEN_STATUSES)
    conditions = {
        Standing.CANCELLED: Q(status=TaskStatus.CANCELLED),
        Standing.DONE_ON_TIME: Q(status=TaskStatus.DONE, completed_on__lte=F("deadline")),
        Standing.DONE_LATE: Q(status=TaskStatus.DONE, completed_on__gt=F("deadline")),
        Standing.OVERDUE: open_ & Q(deadline__lt=today.day),
        Standing.DUE_SOON: open_ & Q(deadline__gte=today.day, deadline__lte=today.due_soon_until),
        Standing.ON_TRACK: open_ & Q(deadline__gt=today.due_soon_until),
    }
    return conditions[Standing(standing)]


def tasks_visible(*, scope: TaskScope) -> QuerySet[Task]:
    tasks = Task.objects.all()
    if scope.sees_all:
        return tasks
    coordinated = Task.coordinating_agencies.through.objects.filter(
        task_id=OuterRef("pk"), agency_id__in=scope.agency_ids
    )
    return tasks.filter(Q(lead_agency_id__in=scope.agency_ids) | Exists(coordinated))


def tasks_filtered(*, scope: TaskScope, task_filter: TaskFilter, today: Today) -> QuerySet[Task]:
    tasks = tasks_visible(scope=scope)
    if task_filter.directive_id is not None:
        tasks = tasks.filter(directive_id=task_filter.directive_id)
    if task_filter.directive_number:
        tasks = tasks.filter(directive__number__iexact=task_filter.directive_number)
    if task_filter.agency_id is not None:
        tasks = tasks.filter(lead_agency_id=task_filter.agency_id)
    if task_filter.field:
        tasks = tasks.filter(field=task_filter.field)
    if task_filter.deadline_from is not None:
        tasks = tasks.filter(deadline__gte=task_filter.deadline_from)
    if task_filter.deadline_to is not None:
        tasks = tasks.filter(deadline__lte=task_filter.deadline_to)
    if task_filter.standing:
        tasks = tasks.filter(_standing_condition(task_filter.standing, today))
    if task_filter.area_id is not None:
        tasks = tasks.filter(_located_in(task_filter.area_id))
    return tasks


def _located_in(area_id: int) -> Q:
    area = Area.objects.filter(pk=area_id).only("boundary").first()
    if area is None:
        return Q(pk__in=[])
    # Three levels at most: province > district > commune before 2025, province > commune after.
    # The ids are read first (a few hundred at most) and given as a list: as a subquery they
    # became a hashed subplan tested on every task of the period, which kept PostgreSQL from
    # combining the two indexes; and the cost of ST_Intersects on every row (a 600,000 estimate
    # at 100,000 tasks) set off JIT compilation with inlining and optimisation, 4.3 s of a
    # 4.7 s answer. With a list, `area_id = ANY(…) OR ST_Intersects(place, …)` is a BitmapOr of
    # the area index and the spatial index, ANDed with the deadline index (docs/benchmarks.md).
    within = list(
        Area.objects.filter(Q(pk=area_id) | Q(parent_id=area_id) | Q(parent__parent_id=area_id))
        .order_by()
        .values_list("id", flat=True)
    )
    return Q(area_id__in=within) | Q(place__intersects=area.boundary)


def _rank_expression(today: Today) -> Case:
    return Case(
        *(
            When(_standing_condition(standing, today), then=Value(STANDING_RANK[standing]))
            for standing in Standing
        ),
        output_field=IntegerField(),
    )


# The board's order in segments, each read in deadline order: among open tasks, deadline order
# is already overdue → due soon → on track (those are ranges of the deadline), so the first page
# is the first rows of an index on the open tasks' deadlines (`task_open_deadline`) instead of a
# sort of every task by a computed rank (200 ms at 100,000 tasks, under load).
LIST_SEGMENTS: tuple[str, ...] = (
    "open",
    Standing.DONE_LATE,
    Standing.DONE_ON_TIME,
    Standing.CANCELLED,
)


def task_list(
    *, scope: TaskScope, task_filter: TaskFilter, today: Today, limit: int | None = 200
) -> list[Task]:
    """The filtered tasks, what needs attention first (overdue, due soon, on track, done late,
    done on time, cancelled), each group by deadline.

    Each task carries `standing` (a Standing value). `limit` bounds a page; None for all.
    """
    tasks = (
        tasks_filtered(scope=scope, task_filter=task_filter, today=today)
        .select_related("directive", "lead_agency")
        .annotate(standing=_standing_expression(today))
        .order_by("deadline", "id")
    )
    found: list[Task] = []
    for segment in LIST_SEGMENTS:
        remaining = None if limit is None else limit - len(found)
        if remaining is not None and remaining <= 0:
            break
        condition = (
            Q(status__in=OPEN_STATUSES)
            if segment == "open"
            else _standing_condition(segment, today)
        )
        part = tasks.filter(condition)
        found.extend(part if remaining is None else part[:remaining])
    return found


def task_rows_for_export(
    *, scope: TaskScope, task_filter: TaskFilter, today: Today
) -> Iterator[Any]:
    """The rows of an export, in the board's order, read in chunks (any size of list)."""
    tasks = (
        tasks_filtered(scope=scope, task_filter=task_filter, today=today)
        .annotate(standing=_standing_expression(today), rank=_rank_expression(today))
        .order_by("rank", "deadline", "id")
        .values(
            "id", "external_id", "directive__number", "directive__issued_on",
            "directive__external_id", "lead_agency__code", "lead_agency__name", "content",
            "field", "deadline", "original_deadline", "status", "standing", "progress_percent",
            "completed_on", "extension_count",
        )
    )  # fmt: skip
    yield from tasks.iterator(chunk_size=2000)


@dataclass
class AgencyFigures:
    """What the boards and the operations centre show of one agency.

    The on-time rate is `on_time / finished_or_overdue`: of the tasks whose deadline falls in the
    period, those done by their deadline, out of those done plus those still open past it.
    Tasks not yet due, and cancelled ones, count in neither.
    """

    agency_id: int
    agency_code: str
    agency_name: str
    volume: int
    open: int
    overdue: int
    due_soon: int
    on_time: int
    finished_or_overdue: int

    @property
    def on_time_rate(self) -> float | None:
        if not self.finished_or_overdue:
            return None
        return self.on_time / self.finished_or_overdue

    @property
    def on_time_percent(self) -> str:
        rate = self.on_time_rate
        return "—" if rate is None else f"{rate * 100:.0f}%"


def agency_figures(
    *,
    scope: TaskScope,
    today: Today,
    task_filter: TaskFilter | None = None,
    tasks: QuerySet[Task] | None = None,
) -> list[AgencyFigures]:
    """The figures per lead agency over the filtered tasks, most overdue first.

    One aggregate query (COUNT … FILTER per figure, grouped by agency). `tasks`, when given, is
    `tasks_filtered(...)` already built by the caller for the same scope and filter (an area
    filter reads the area once, not per statement).
    """
    if tasks is None:
        tasks = tasks_filtered(scope=scope, task_filter=task_filter or TaskFilter(), today=today)
    live = ~Q(status=TaskStatus.CANCELLED)
    # Grouped by the agency's id alone, the names read after from the few agencies: joining
    # the agencies into the aggregate made PostgreSQL carry two more columns through every row.
    rows = list(
        tasks.values("lead_agency_id")
        .annotate(
            volume=Count("id", filter=live),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("id", filter=_standing_condition(Standing.OVERDUE, today)),
            due_soon=Count("id", filter=_standing_condition(Standing.DUE_SOON, today)),
            on_time=Count("id", filter=_standing_condition(Standing.DONE_ON_TIME, today)),
            finished_or_overdue=Count(
                "id",
                filter=Q(status=TaskStatus.DONE) | _standing_condition(Standing.OVERDUE, today),
            ),
        )
        .order_by()
    )
    names = {
        agency_id: (code, name)
        for agency_id, code, name in Agency.objects.filter(
            pk__in=[row["lead_agency_id"] for row in rows]
        ).values_list("id", "code", "name")
    }
    figures = [
        AgencyFigures(
            agency_id=row["lead_agency_id"],
            agency_code=names[row["lead_agency_id"]][0],
            agency_name=names[row["lead_agency_id"]][1],
            volume=row["volume"],
            open=row["open"],
            overdue=row["overdue"],
            due_soon=row["due_soon"],
            on_time=row["on_time"],
            finished_or_overdue=row["finished_or_overdue"],
        )
        for row in rows
    ]
    figures.sort(key=lambda figure: (-figure.overdue, figure.agency_name))
    return figures


def on_time_rate_per_agency(
    *, year: int, today: Today | None = None, scope: TaskScope | None = None
) -> list[AgencyFigures]:
    """The figures per agency for the tasks due in `year`."""
    return agency_figures(
        scope=scope or TaskScope(sees_all=True, agency_ids=frozenset()),
        today=today or today_of(),
        task_filter=TaskFilter(
            deadline_from=datetime.date(year, 1, 1), deadline_to=datetime.date(year, 12, 31)
        ),
    )


def operations_centre_figures(
    *, today: datetime.date | None = None, year: int | None = None
) -> list[AgencyFigures]:
    """For the operations centre (issue 13): per agency, the tasks open, overdue and due soon
    today, and the on-time rate (numerator `on_time`, denominator `finished_or_overdue`) of the
    tasks due in `year` (the current year by default). Every task of every agency: the operations
    centre is the leaders' view."""
    classified = today_of(today)
    return on_time_rate_per_agency(year=year or classified.day.year, today=classified)


@dataclass
class CalendarDay:
    day: datetime.date
    in_month: bool
    due: int = 0
    overdue: int = 0


@dataclass
class DeadlineCalendar:
    year: int
    month: int
    weeks: list[list[CalendarDay]] = field(default_factory=list)

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)


def deadline_calendar(
    *, scope: TaskScope, task_filter: TaskFilter, today: Today, year: int, month: int
) -> DeadlineCalendar:
    """A month of deadlines: per day, the open tasks due and, among them, those already overdue."""
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, month_calendar.monthrange(year, month)[1])
    counts = {
        row["deadline"]: row
        for row in tasks_filtered(scope=scope, task_filter=task_filter, today=today)
        .filter(deadline__gte=first, deadline__lte=last, status__in=OPEN_STATUSES)
        .values("deadline")
        .annotate(due=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today.day)))
    }
    result = DeadlineCalendar(year=year, month=month)
    for week in month_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        days = []
        for day in week:
            row = counts.get(day) if day.month == month else None
            days.append(
                CalendarDay(
                    day=day,
                    in_month=day.month == month,
                    due=row["due"] if row else 0,
                    overdue=row["overdue"] if row else 0,
                )
            )
        result.weeks.append(days)
    return result


def directive_get(*, directive_id: int) -> Directive:
    directive = Directive.objects.filter(pk=directive_id).first()
    if directive is None:
        raise NotFound(f"directive {directive_id}")
    return directive


def task_get(*, task_id: int, scope: TaskScope) -> Task:
    """A task the scope may see; another agency's task is NotFound, like one that does not
    exist, so that its existence is not revealed."""
    task = (
        tasks_visible(scope=scope)
        .select_related("directive", "lead_agency", "area")
        .filter(pk=task_id)
        .first()
    )
    if task is None:
        raise NotFound(f"task {task_id}")
    return task


FIELDS_CACHE_KEY = "directives:fields:v1"
FIELDS_CACHE_SECONDS = 10 * 60


def fields_for_filter() -> list[str]:
    """The fields tasks name, for the boards' filter. Cached for ten minutes: reading them is a
    scan of every task (40 ms at 100,000), and a new field may wait that long to be offered."""
    cached = cache.get(FIELDS_CACHE_KEY)
    if isinstance(cached, list):
        return cached
    fields = list(
        Task.objects.exclude(field="").order_by("field").values_list("field", flat=True).distinct()
    )
    cache.set(FIELDS_CACHE_KEY, fields, FIELDS_CACHE_SECONDS)
    return fields


def agencies_with_tasks() -> list[Agency]:
    return list(
        Agency.objects.filter(Exists(Task.objects.filter(lead_agency_id=OuterRef("pk")))).order_by(
            "name"
        )
    )


def agencies_for_assignment() -> QuerySet[Agency]:
    """The agencies a new task may go to: the active ones, by name."""
    return Agency.objects.filter(is_active=True).order_by("name")


def communes_for_assignment(*, on: datetime.date) -> QuerySet[Area]:
    """The communes and wards valid on `on`, for a new task's place."""
    return Area.objects.on(on).filter(level=AreaLevel.COMMUNE).order_by("name")


def areas_for_dashboard(*, on: datetime.date) -> QuerySet[Area]:
    """The province and its communes valid on `on`, for the map's area filter."""
    return (
        Area.objects.on(on)
        .filter(level__in=[AreaLevel.PROVINCE, AreaLevel.COMMUNE])
        .order_by("level", "name")
    )


def directive_signers() -> QuerySet[User]:
    """The accounts that may sign a directive: active leaders (who see every task)."""
    view_all = Q(groups__permissions__codename="view_all_tasks") | Q(
        user_permissions__codename="view_all_tasks"
    )
    return (
        User.objects.filter(view_all, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def tasks_on_map(*, today: Today | None = None) -> dict[str, Any]:
    """The open tasks that name a place (a point, or a commune: its label point), as a GeoJSON
    FeatureCollection for the operations map. Nothing personal: the content, the lead agency,
    the deadline and the standing. Few tasks name a place, so the features are built here."""
    classified = today or today_of()
    features = []
    for task in (
        Task.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(place__isnull=False) | Q(area__isnull=False))
        .select_related("lead_agency", "area")
        .order_by("deadline", "id")
    ):
        point = task.place or (task.area.label_point if task.area else None)
        if point is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": task.pk,
                "geometry": {
                    "type": "Point",
                    "coordinates": [round(point.x, 6), round(point.y, 6)],
                },
                "properties": {
                    "content": task.content,
                    "lead_agency": task.lead_agency.name,
                    "deadline": task.deadline.isoformat(),
                    "standing": _standing_of(task, classified).value,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _standing_of(task: Task, today: Today) -> Standing:
    return standing(
        status=task.status,
        deadline=task.deadline,
        completed_on=task.completed_on,
        today=today.day,
        due_soon_until=today.due_soon_until,
    )
