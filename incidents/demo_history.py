"""The demo reports' histories, planned before anything is written: where each report falls,
what happens to it, when, and how it ends.

Deterministic for a given random generator and territory: the counts per final status, the
reports before the reform and the overdue ones are fixed below; moments are placed on the
working-day calendar relative to the day of the load. `incidents/demo_data.py` replays the plan
through the real services.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput
from geoapp.working_calendar import WorkingCalendar
from incidents import demo_texts
from incidents.demo_places import DemoTerritory, PlacedArea, address_in, point_inside
from incidents.demo_reporters import random_reporter
from incidents.models import (
    IncidentChannel,
    IncidentPriority,
    IncidentStatus,
    RejectionReason,
)
from wards.demo_territory import REFORM_DAY

Status = IncidentStatus


REPORT_COUNT = 300
FINAL_STATUS_COUNTS: dict[str, int] = {
    Status.NEW: 20,
    Status.ACKNOWLEDGED: 12,
    Status.IN_PROGRESS: 24,
    Status.INFORMATION_REQUESTED: 10,
    Status.ANSWERED: 12,
    Status.RESOLVED: 40,
    Status.CLOSED: 148,
    Status.REJECTED: 34,
}
REJECTION_COUNTS: dict[str, int] = {
    RejectionReason.SPAM: 8,
    RejectionReason.OUTSIDE_SCOPE: 10,
    RejectionReason.DUPLICATE: 16,
}
# All finished (resolved, closed or rejected): reports of the first half of 2025.
PRE_REFORM_REPORT_COUNT = 80
# Open reports past their resolve deadline; the other open reports were filed in the last days.
OVERDUE_OPEN_REPORT_COUNT = 30

FIRST_REPORT_DAY = date(2025, 1, 6)
LAST_PRE_REFORM_REPORT_DAY = date(2025, 6, 27)
# Where the reports fall after the reform: three in four in the six units of the former city
# (weighted in incidents/demo_places.py); the rest anywhere else in the province.
FORMER_CITY_SHARE_AFTER_REFORM = 0.75
CATEGORY_WEIGHTS = {
    "giao-thong": 20,
    "ve-sinh-moi-truong": 18,
    "chieu-sang": 14,
    "cap-thoat-nuoc": 14,
    "trat-tu-do-thi": 12,
    "cay-xanh": 8,
    "xay-dung": 7,
    "an-ninh-trat-tu": 7,
}
CHANNEL_WEIGHTS = {
    IncidentChannel.WEB: 45,
    IncidentChannel.API: 25,
    IncidentChannel.OPEN311: 13,
    IncidentChannel.HOTLINE: 12,
    IncidentChannel.COUNTER: 5,
}
# When the open reports were filed, relative to the load: recent ones within the last hours (so
# that none is overdue yet; complex ones within a week, their norm being 10 working days or more),
# overdue ones long enough ago that even Tết cannot have kept their deadline in the future.
RECENT_REPORT_HOURS = 36
RECENT_COMPLEX_REPORT_DAYS = 7
OVERDUE_REPORT_DAYS = (25, 60)
OVERDUE_HISTORY_ENDS_DAYS_AGO = 21
# Finished reports after the reform are filed until this many days before the load.
FINISHED_REPORT_DAYS_AGO = 20


# --- the plan: every report's history -----------------------------------------------------------


@dataclass
class PlannedStep:
    moment: datetime
    action: str
    arguments: dict[str, Any] = field(default_factory=dict)


@dataclass
class PlannedReport:
    number: int
    final_status: str
    rejection: str  # a RejectionReason for rejected reports, else ""
    # "before" (the reform), "after" (finished since), "overdue" or "recent" (open reports)
    period: str
    placed: PlacedArea | None = None
    point: Point | None = None
    category_code: str = ""
    description: str = ""
    rejection_note: str = ""
    steps: list[PlannedStep] = field(default_factory=list)

    @property
    def reported_at(self) -> datetime:
        return self.steps[0].moment

    @property
    def open_until(self) -> datetime:
        """When the report first stopped being open (resolved or rejected), or its last step."""
        for step in self.steps:
            if step.action in ("resolve", "reject", "mark_duplicate"):
                return step.moment
        return self.steps[-1].moment


STAFF_ACTIONS = frozenset(
    {
        "acknowledge",
        "assign",
        "start",
        "request_information",
        "transfer",
        "answer",
        "resolve",
        "close",
        "reject",
        "mark_duplicate",
    }
)


Choice = TypeVar("Choice")


def _weighted(rng: random.Random, weights: Mapping[Choice, float]) -> Choice:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class HistoryPlanner:
    """Plans the history of every report: where, when, what the citizen wrote, each step."""

    def __init__(
        self,
        *,
        rng: random.Random,
        calendar: WorkingCalendar,
        territory: DemoTerritory,
        latest: datetime,
    ) -> None:
        self.rng = rng
        self.calendar = calendar
        self.territory = territory
        self.latest = latest

    def plan(self) -> list[PlannedReport]:
        reports = self._outcomes()
        for report in reports:
            if report.rejection != RejectionReason.DUPLICATE:
                self._plan_report(report)
        for report in reports:
            if report.rejection == RejectionReason.DUPLICATE:
                self._plan_duplicate(report, reports)
        for report in reports:
            if report.rejection not in (RejectionReason.SPAM, RejectionReason.DUPLICATE):
                self._plan_supporters(report)
        return reports

    # Which report ends how, and in which period.

    def _outcomes(self) -> list[PlannedReport]:
        outcomes: list[tuple[str, str]] = []
        for status, count in FINAL_STATUS_COUNTS.items():
            if status == Status.REJECTED:
                for reason, reason_count in REJECTION_COUNTS.items():
                    outcomes += [(status, reason)] * reason_count
            else:
                outcomes += [(status, "")] * count
        assert len(outcomes) == REPORT_COUNT
        self.rng.shuffle(outcomes)
        finished = [index for index, (status, _r) in enumerate(outcomes) if status not in _OPEN]
        still_open = [index for index, (status, _r) in enumerate(outcomes) if status in _OPEN]
        before = set(self.rng.sample(finished, PRE_REFORM_REPORT_COUNT))
        overdue = set(self.rng.sample(still_open, OVERDUE_OPEN_REPORT_COUNT))
        reports = []
        for index, (status, rejection) in enumerate(outcomes):
            if index in before:
                period = "before"
            elif index in overdue:
                period = "overdue"
            elif status in _OPEN:
                period = "recent"
            else:
                period = "after"
            reports.append(PlannedReport(index + 1, status, rejection, period))
        return reports

    # Moments.

    def _citizen_moment(self, day: date) -> datetime:
        # People write from early morning to late evening.
        return datetime.combine(
            day, time(self.rng.randint(6, 21), self.rng.randrange(60)), tzinfo=VIETNAM_TIME_ZONE
        )

    def _day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max((last - first).days, 0)))

    def _reported_at(self, report: PlannedReport, priority: str) -> datetime:
        latest_day = self.latest.astimezone(VIETNAM_TIME_ZONE).date()
        if report.period == "before":
            return self._citizen_moment(
                self._day_between(FIRST_REPORT_DAY, LAST_PRE_REFORM_REPORT_DAY)
            )
        if report.period == "after":
            return self._citizen_moment(
                self._day_between(REFORM_DAY, latest_day - timedelta(days=FINISHED_REPORT_DAYS_AGO))
            )
        if report.period == "overdue":
            return self.latest - timedelta(
                days=self.rng.uniform(*OVERDUE_REPORT_DAYS), minutes=self.rng.randrange(600)
            )
        if priority == IncidentPriority.COMPLEX:
            return self.latest - timedelta(
                hours=self.rng.uniform(1, 24 * RECENT_COMPLEX_REPORT_DAYS)
            )
        return self.latest - timedelta(hours=self.rng.uniform(1, RECENT_REPORT_HOURS))

    def _history_ends_by(self, report: PlannedReport) -> datetime:
        if report.period == "overdue":
            return self.latest - timedelta(days=OVERDUE_HISTORY_ENDS_DAYS_AGO)
        return self.latest

    # Place, category and words.

    def _place(self, report: PlannedReport, day: date) -> PlacedArea:
        if report.period == "before":
            candidates = self.territory.communes_before_reform_on(day)
        elif self.rng.random() < FORMER_CITY_SHARE_AFTER_REFORM:
            candidates = self.territory.former_city
        else:
            candidates = self.territory.elsewhere
        return self.rng.choices(candidates, weights=[placed.weight for placed in candidates])[0]

    def _fill(self, text: str) -> str:
        rng = self.rng
        street, other_street = rng.sample(demo_texts.STREETS, 2)
        return text.format(
            street=street,
            other_street=other_street,
            landmark=rng.choice(demo_texts.LANDMARKS),
            school=rng.choice(demo_texts.SCHOOLS),
            park=rng.choice(demo_texts.PARKS),
            hospital=rng.choice(demo_texts.HOSPITALS),
            village=rng.choice(demo_texts.VILLAGES),
            days=rng.randint(2, 7),
            count=rng.randint(2, 6),
            number=rng.randint(2, 420),
        )

    def _filing(self, report: PlannedReport) -> tuple[dict[str, Any], str]:
        """The arguments of incident_create (but the moment), and the category to correct to
        (empty when the citizen chose the right one)."""
        rng = self.rng
        corrected_category = ""
        if report.rejection == RejectionReason.SPAM:
            category, description, attributes = rng.choice(demo_texts.SPAM_REPORTS)
            priority = IncidentPriority.NORMAL
        elif report.rejection == RejectionReason.OUTSIDE_SCOPE:
            category, description, attributes, note = rng.choice(demo_texts.OUTSIDE_SCOPE_REPORTS)
            description = self._fill(description)
            report.rejection_note = note
            priority = IncidentPriority.NORMAL
        else:
            category = _weighted(rng, CATEGORY_WEIGHTS)
            text = rng.choice(demo_texts.REPORT_TEXTS[category])
            description = self._fill(text.description)
            attributes = dict(text.attributes)
            priority = text.priority
            if category == "an-ninh-trat-tu" and rng.random() < 0.5:
                # When it happened: answered once the moment of the report is known.
                attributes["thoi-diem-xay-ra"] = None
            # Some citizens file it in the wrong category; an officer corrects it (a transfer).
            if (
                category in demo_texts.MISFILED_AS
                and report.period != "before"
                and report.final_status in _TRANSFERABLE_OUTCOMES
                and rng.random() < 0.35
            ):
                corrected_category = category
                category, attributes = demo_texts.MISFILED_AS[category]
                attributes = dict(attributes)
        # Recent open reports must not be overdue yet, overdue ones must be: their priorities are
        # kept within the norms that make this certain (see RECENT_REPORT_HOURS).
        if report.period == "recent" and priority == IncidentPriority.URGENT:
            priority = IncidentPriority.NORMAL
        if report.period == "overdue" and priority == IncidentPriority.COMPLEX:
            priority = IncidentPriority.NORMAL
        report.category_code = corrected_category or category
        report.description = description
        arguments = {
            "category_code": category,
            "description": description,
            "attributes": attributes,
            "priority": priority,
            "channel": _weighted(rng, CHANNEL_WEIGHTS),
            "is_public": rng.random() > 0.03,
            **random_reporter(self.rng),
        }
        return arguments, corrected_category

    # One report's history.

    def _plan_report(self, report: PlannedReport) -> None:
        rng = self.rng
        arguments, corrected_category = self._filing(report)
        reported_at = self._reported_at(report, arguments["priority"])
        placed = self._place(report, reported_at.astimezone(VIETNAM_TIME_ZONE).date())
        report.placed = placed
        report.point = point_inside(rng, placed)
        arguments["point"] = report.point
        arguments["address"] = address_in(self.rng, placed)
        if "thoi-diem-xay-ra" in arguments["attributes"]:
            happened = reported_at - timedelta(minutes=rng.randint(20, 300))
            arguments["attributes"]["thoi-diem-xay-ra"] = happened.isoformat()
        report.steps = [PlannedStep(reported_at, "create", arguments)]

        # Urgent reports are handled about three times faster.
        pace = 0.35 if arguments["priority"] == IncidentPriority.URGENT else 1.0
        history = _History(self, reported_at, pace=pace)
        transfer: dict[str, Any] | None = None
        if corrected_category:
            transfer = {
                "category_code": corrected_category,
                "reason": demo_texts.CATEGORY_CORRECTION_REASONS[corrected_category],
            }
        elif (
            report.period == "before"
            and report.final_status in _TRANSFERABLE_OUTCOMES
            and rng.random() < 0.12
        ):
            neighbours = self.territory.neighbours(placed, day=reported_at.date())
            if neighbours:
                transfer = {
                    "point": point_inside(rng, rng.choice(neighbours)),
                    "reason": demo_texts.LOCATION_CORRECTION_REASON,
                }
        if transfer is not None:
            if rng.random() < 0.5:
                history.office("acknowledge", 0.5, 4, note=rng.choice(demo_texts.ACKNOWLEDGE_NOTES))
            history.office("transfer", 0.5, 6, **transfer)

        self._workflow(report, history)
        report.steps += history.steps
        self._fit(report, self._history_ends_by(report))

    def _workflow(self, report: PlannedReport, history: _History) -> None:
        """The steps from filing (or transfer) to the report's final status."""
        rng = self.rng
        status = report.final_status
        category = report.category_code
        if status == Status.NEW:
            return
        if report.rejection == RejectionReason.SPAM:
            history.office("reject", 0.5, 6, reason=RejectionReason.SPAM, note=demo_texts.SPAM_NOTE)
            return
        if report.rejection == RejectionReason.OUTSIDE_SCOPE:
            if rng.random() < 0.5:
                history.office("acknowledge", 0.5, 6)
            history.office(
                "reject", 1, 10, reason=RejectionReason.OUTSIDE_SCOPE, note=report.rejection_note
            )
            return

        # Acknowledged within the 8 working hours, mostly; one in seven late.
        late = rng.random() < 0.15
        history.office(
            "acknowledge",
            *((9, 20) if late else (0.3, 6)),
            note=rng.choice(demo_texts.ACKNOWLEDGE_NOTES),
        )
        if rng.random() < 0.6:
            history.office("assign", 0.1, 2)
        if status == Status.ACKNOWLEDGED:
            return
        if status == Status.INFORMATION_REQUESTED:
            if rng.random() < 0.5:
                history.office("start", 0.5, 6)
            history.office(
                "request_information", 0.5, 8, question=rng.choice(demo_texts.INFORMATION_QUESTIONS)
            )
            return
        if status == Status.ANSWERED:
            if rng.random() < 0.6:
                history.office("start", 0.5, 6)
            history.office("answer", 2, 16, answer=rng.choice(demo_texts.INTERIM_ANSWERS))
            return

        history.office("start", 0.5, 8, note=rng.choice(demo_texts.START_NOTES))
        if status == Status.IN_PROGRESS:
            variant = rng.random()
            if variant < 0.25:
                self._information_exchange(history)
            elif variant < 0.5:
                history.office("resolve", 2, 20, answer=self._resolution(category))
                history.citizen("reopen", 12, 120, reason=rng.choice(demo_texts.REOPEN_REASONS))
            return

        # Resolved or closed.
        if rng.random() < 0.1:
            self._information_exchange(history)
        if rng.random() < 0.15:
            history.office("answer", 2, 12, answer=rng.choice(demo_texts.INTERIM_ANSWERS))
        slow = rng.random() < 0.15
        history.office(
            "resolve", *((26, 60) if slow else (1, 14)), answer=self._resolution(category)
        )
        if rng.random() < (0.15 if status == Status.RESOLVED else 0.08):
            history.citizen("reopen", 12, 120, reason=rng.choice(demo_texts.REOPEN_REASONS))
            history.office("resolve", 4, 24, answer=self._resolution(category))
        resolved_at = history.moment
        if rng.random() < (0.5 if status == Status.RESOLVED else 0.65):
            stars, comment = rng.choice(demo_texts.RATINGS)
            history.citizen("rate", 2, 72, rating=stars, comment=comment)
        if status == Status.CLOSED:
            history.moment = resolved_at
            history.office("close", 4, 40, note=rng.choice(demo_texts.CLOSE_NOTES))

    def _information_exchange(self, history: _History) -> None:
        rng = self.rng
        history.office(
            "request_information", 0.5, 8, question=rng.choice(demo_texts.INFORMATION_QUESTIONS)
        )
        history.citizen(
            "provide_information",
            2,
            48,
            information=self._fill(rng.choice(demo_texts.INFORMATION_ANSWERS)),
        )

    def _resolution(self, category: str) -> str:
        return self.rng.choice(demo_texts.RESOLUTION_ANSWERS[category])

    def _fit(self, report: PlannedReport, ends_by: datetime) -> None:
        """Squeeze a history that would run past `ends_by` into the time there is, in proportion
        (ending at a random point of that time, so that squeezed histories do not all end at the
        same minute)."""
        report.steps.sort(key=lambda step: step.moment)
        start, end = report.steps[0].moment, report.steps[-1].moment
        if end <= ends_by:
            return
        share = (ends_by - start) / (end - start) * self.rng.uniform(0.4, 0.95)
        for step in report.steps[1:]:
            step.moment = start + (step.moment - start) * share

    # Duplicates and supporters.

    def _plan_duplicate(self, report: PlannedReport, reports: list[PlannedReport]) -> None:
        """A second report of a problem already reported nearby, marked as its duplicate while the
        original is still open."""
        rng = self.rng
        same_side = [
            other
            for other in reports
            if other.steps
            and not other.rejection
            and (other.period == "before") == (report.period == "before")
        ]
        reform_start = datetime.combine(REFORM_DAY, time.min, tzinfo=VIETNAM_TIME_ZONE)
        for _attempt in range(200):
            original = rng.choice(same_side)
            window_end = min(
                original.open_until - timedelta(hours=3),
                original.reported_at + timedelta(hours=48),
                self.latest - timedelta(hours=1),
            )
            if report.period == "before":
                window_end = min(window_end, reform_start - timedelta(hours=1))
            window_start = original.reported_at + timedelta(hours=1)
            if window_end <= window_start:
                continue
            reported_at = window_start + (window_end - window_start) * rng.random()
            marked_at = self.calendar.add_working_hours(reported_at, rng.uniform(0.3, 4))
            if marked_at >= min(original.open_until - timedelta(minutes=30), self.latest):
                continue
            break
        else:  # pragma: no cover - the plan always has open reports to duplicate
            raise InvalidInput(_("Không lập được phản ánh trùng cho dữ liệu mẫu."))

        assert original.placed is not None and original.point is not None
        point = Point(
            round(original.point.x + rng.uniform(-0.0006, 0.0006), 6),
            round(original.point.y + rng.uniform(-0.0006, 0.0006), 6),
            srid=4326,
        )
        if not original.placed.boundary.prepared.contains(point):
            point = original.point
        # The same problem, another citizen: the original's filing without its reporter.
        create = {
            name: value
            for name, value in original.steps[0].arguments.items()
            if not name.startswith("reporter_")
        }
        opening = rng.choice(demo_texts.DUPLICATE_OPENINGS)
        report.placed, report.point = original.placed, point
        report.category_code = original.category_code
        report.description = opening + original.description[0].lower() + original.description[1:]
        report.steps = [
            PlannedStep(
                reported_at,
                "create",
                {
                    **create,
                    "category_code": original.category_code,
                    "attributes": (
                        create["attributes"]
                        if original.category_code == create["category_code"]
                        else {}
                    ),
                    "description": report.description,
                    "point": point,
                    "channel": _weighted(rng, CHANNEL_WEIGHTS),
                    # Public like its original: a public report may not name a private one as
                    # its original (the public pages would link it).
                    "is_public": create.get("is_public", True),
                    **random_reporter(self.rng),
                },
            ),
            PlannedStep(marked_at, "mark_duplicate", {"original": original.number}),
        ]

    def _plan_supporters(self, report: PlannedReport) -> None:
        """ "+1" from other residents while the report is open: most reports have none, a few
        many."""
        rng = self.rng
        if rng.random() > 0.35:
            return
        count = rng.choices([1, 2, 3, 5, 8, 13, 21], weights=[30, 22, 16, 12, 9, 6, 5])[0]
        first = report.reported_at + timedelta(minutes=30)
        last = report.open_until - timedelta(minutes=30)
        if last <= first:
            return
        for supporter in range(count):
            moment = first + (last - first) * rng.random()
            report.steps.append(
                PlannedStep(moment, "support", {"identity": f"demo:{report.number}:{supporter}"})
            )
        report.steps.sort(key=lambda step: step.moment)


_OPEN = frozenset(
    {
        Status.NEW,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.INFORMATION_REQUESTED,
        Status.ANSWERED,
    }
)
# Outcomes a transfer fits in: the new unit goes on from "new".
_TRANSFERABLE_OUTCOMES = frozenset(
    {Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED}
)


class _History:
    """Appends steps after the previous one: officers work in working hours, citizens any time."""

    def __init__(self, planner: HistoryPlanner, start: datetime, *, pace: float = 1.0) -> None:
        self.planner = planner
        self.moment = start
        self.pace = pace
        self.steps: list[PlannedStep] = []

    def office(self, action: str, low_hours: float, high_hours: float, **arguments: Any) -> None:
        hours = self.planner.rng.uniform(low_hours, high_hours) * self.pace
        self.moment = self.planner.calendar.add_working_hours(self.moment, round(hours, 2))
        self.steps.append(PlannedStep(self.moment, action, arguments))

    def citizen(self, action: str, low_hours: float, high_hours: float, **arguments: Any) -> None:
        hours = self.planner.rng.uniform(low_hours, high_hours)
        self.moment = self.moment + timedelta(hours=hours)
        self.steps.append(PlannedStep(self.moment, action, arguments))
