"""Reads of the leaders' operations centre: the filters, the cards and the dashboard (the area
pages read these in `ioc.area_selectors`).

The operations centre owns no domain data. Feedback comes from `incidents.operations_selectors`
(the summaries kept by triggers), dossiers from `procedures.selectors.dossier_statistics` (the
daily tally), tasks from `directives.selectors.operations_centre_figures`, indicators from
`indicators.selectors`; the boundaries are the communes valid on the period's last day.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from directives import selectors as directive_selectors
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput, NotFound
from incidents import operations_selectors as incident_figures
from incidents.page_selectors import categories_for_pages
from indicators.selectors.classification import classify
from ioc.hotspot_tiles import HotspotOverview, HotspotQuery, hotspot_overview
from procedures.selectors import dossier_statistics, dossiers_in_progress
from wards.models import Agency, Area, AreaLevel

# A unit or commune is ranked only with this many reports resolved in the period: three reports
# all on time would otherwise top the table. The volume is shown beside every rate.
MINIMUM_RANKING_VOLUME = 10
OVERDUE_LIST_LIMIT = 50
TREND_WEEKS = 12
TREND_MONTHS = 12
# The longest period a dashboard covers: a year and a day (a leap year from 1 January).
LONGEST_PERIOD_DAYS = 366
MAP_LAYERS = ("hotspots", "on_time", "satisfaction", "overdue", "filed")


@dataclass(frozen=True)
class Rate:
    """A rate with what it is made of: a zero denominator has no rate (never 100 %)."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> str:
        value = self.value
        return "—" if value is None else f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Filters:
    """A dashboard's question, every part of it in the URL so the view can be shared."""

    date_from: datetime.date
    date_to: datetime.date
    area: Area | None = None
    category_id: int | None = None
    category_code: str = ""
    layer: str = "hotspots"

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    def previous(self) -> Filters:
        """The period of the same length just before, for the changes."""
        length = datetime.timedelta(days=self.days)
        return replace(self, date_from=self.date_from - length, date_to=self.date_to - length)

    def scope(self) -> incident_figures.Scope:
        return incident_figures.Scope(
            date_from=self.date_from,
            date_to=self.date_to,
            area_ids=None if self.area is None else (self.area.pk,),
            category_id=self.category_id,
        )

    def query(self, **changes: str) -> str:
        """The URL query of these filters, with `changes`."""
        from urllib.parse import urlencode

        values = {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "area": "" if self.area is None else self.area.code,
            "category": self.category_code,
            "layer": self.layer,
        } | changes
        return urlencode({key: value for key, value in values.items() if value})


def _parse_day(text: str, name: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("“%(value)s” không phải ngày hợp lệ cho %(name)s (dùng YYYY-MM-DD).")
            % {"value": text, "name": name},
            code="bad_date",
        ) from None


def commune_on(*, code: str, on: datetime.date) -> Area:
    """The commune (or, before the reform, district-level unit) with `code` valid on `on`."""
    area = (
        Area.objects.on(on)
        .filter(code=code, level__in=[AreaLevel.COMMUNE, AreaLevel.DISTRICT])
        .only("id", "code", "name", "level", "valid_from", "valid_to", "parent_id")
        .first()
    )
    if area is None:
        raise NotFound(
            _("Không có đơn vị hành chính mã “%(code)s” vào ngày %(day)s.")
            % {"code": code, "day": on.strftime("%d/%m/%Y")},
            code="unknown_area",
        )
    return area


def filters_parse(*, query: Mapping[str, str], today: datetime.date) -> Filters:
    """The dashboard's filters from its URL query; by default the current week (Monday to today).

    Bad input (a malformed or future day, an end before the start, a period over a year, an
    unknown commune, category or layer) raises InvalidInput or NotFound with a message for the
    user."""
    monday = today - datetime.timedelta(days=today.weekday())
    date_from = _parse_day(query["from"], "from") if query.get("from") else monday
    date_to = _parse_day(query["to"], "to") if query.get("to") else today
    if date_to > today or date_from > today:
        raise InvalidInput(
            _("Khoảng thời gian không được ở tương lai (hôm nay là %(day)s).")
            % {"day": today.strftime("%d/%m/%Y")},
            code="future_period",
        )
    if date_to < date_from:
        raise InvalidInput(_("Ngày kết thúc phải sau ngày bắt đầu."), code="bad_period")
    if (date_to - date_from).days + 1 > LONGEST_PERIOD_DAYS:
        raise InvalidInput(
            _("Khoảng thời gian dài nhất là %(days)s ngày.") % {"days": LONGEST_PERIOD_DAYS},
            code="bad_period",
        )
    layer = query.get("layer") or "hotspots"
    if layer not in MAP_LAYERS:
        raise InvalidInput(
            _("Lớp bản đồ “%(layer)s” không có; dùng một trong %(layers)s.")
            % {"layer": layer, "layers": ", ".join(MAP_LAYERS)},
            code="bad_layer",
        )
    area = commune_on(code=query["area"], on=date_to) if query.get("area") else None
    category_code = query.get("category") or ""
    category_id = None
    if category_code:
        matching = [c.pk for c in categories_for_pages() if c.code == category_code]
        if not matching:
            raise NotFound(
                _("Không tìm thấy lĩnh vực “%(code)s”.") % {"code": category_code},
                code="unknown_category",
            )
        category_id = matching[0]
    return Filters(
        date_from=date_from, date_to=date_to, area=area, category_id=category_id,
        category_code=category_code, layer=layer,
    )  # fmt: skip


def start_of_day(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), VIETNAM_TIME_ZONE)


# Feedback


@dataclass(frozen=True)
class FeedbackCard:
    current: incident_figures.FeedbackFigures
    previous: incident_figures.FeedbackFigures

    @property
    def on_time(self) -> Rate:
        return Rate(self.current.resolved_on_time, self.current.resolved)

    @property
    def satisfaction(self) -> Rate:
        return Rate(self.current.satisfied, self.current.rated)

    @property
    def filed_change(self) -> int:
        return self.current.filed - self.previous.filed

    @property
    def resolved_change(self) -> int:
        return self.current.resolved - self.previous.resolved

    @property
    def previous_on_time(self) -> Rate:
        return Rate(self.previous.resolved_on_time, self.previous.resolved)


def feedback_card(
    *, filters: Filters, now: datetime.datetime, pending: incident_figures.NotYetDue
) -> FeedbackCard:
    """`pending`: the filters' open reports not yet due (the previous period has the same)."""
    return FeedbackCard(
        current=incident_figures.feedback_figures(scope=filters.scope(), now=now, pending=pending),
        previous=incident_figures.feedback_figures(
            scope=filters.previous().scope(), now=now, pending=pending
        ),
    )


# Dossiers


@dataclass(frozen=True)
class DossierCard:
    received: int
    finished: int
    in_progress: int
    overdue: int
    on_time: Rate
    online: Rate
    previous_received: int

    @property
    def received_change(self) -> int:
        return self.received - self.previous_received


def _dossier_totals(filters: Filters) -> dict[str, int]:
    """The period's receipts and finishes, from the daily tally (the dossiers are not read)."""
    rows = dossier_statistics(
        date_from=filters.date_from, date_to=filters.date_to, group_by="area", open_dossiers=False
    )
    if filters.area is not None:
        key = f"{filters.area.code}@{filters.area.valid_from.isoformat()}"
        rows = [row for row in rows if row["key"] == key]
    names = ("received", "finished", "early", "on_time")
    totals = {name: sum(int(row[name]) for row in rows) for name in names}
    totals["online"] = sum(int(row["online_rate"]["numerator"]) for row in rows)
    return totals


def dossier_card(*, filters: Filters) -> DossierCard:
    current = _dossier_totals(filters)
    previous = _dossier_totals(filters.previous())
    # Those in progress at the end of the period: one index-only count of the open dossiers.
    in_progress = dossiers_in_progress(
        on=filters.date_to, area_id=None if filters.area is None else filters.area.pk
    )
    return DossierCard(
        received=current["received"],
        finished=current["finished"],
        in_progress=in_progress.within + in_progress.overdue,
        overdue=in_progress.overdue,
        on_time=Rate(current["early"] + current["on_time"], current["finished"]),
        online=Rate(current["online"], current["received"]),
        previous_received=previous["received"],
    )


# Directives


@dataclass(frozen=True)
class TaskCard:
    open: int
    overdue: int
    due_soon: int
    on_time: Rate
    late_agencies: list[directive_selectors.AgencyFigures]


def task_card(*, today: datetime.date) -> TaskCard:
    agencies = directive_selectors.operations_centre_figures(today=today)
    return TaskCard(
        open=sum(a.open for a in agencies),
        overdue=sum(a.overdue for a in agencies),
        due_soon=sum(a.due_soon for a in agencies),
        on_time=Rate(
            sum(a.on_time for a in agencies), sum(a.finished_or_overdue for a in agencies)
        ),
        late_agencies=[a for a in agencies if a.overdue][:10],
    )


# Rankings and the choropleth


@dataclass(frozen=True)
class RankingRow:
    key: str
    name: str
    resolved: int
    on_time: Rate
    satisfaction: Rate
    open: int
    overdue: int


@dataclass(frozen=True)
class Ranking:
    ranked: list[RankingRow]
    too_few: list[RankingRow]


def _ranking(rows: list[RankingRow]) -> Ranking:
    ranked = [row for row in rows if row.resolved >= MINIMUM_RANKING_VOLUME]
    # Best on-time rate first; then the larger volume, then the better satisfaction.
    ranked.sort(
        key=lambda row: (
            -(row.on_time.value or 0.0),
            -row.resolved,
            -(row.satisfaction.value or 0.0),
            row.name,
        )
    )
    too_few = sorted(
        (row for row in rows if row.resolved < MINIMUM_RANKING_VOLUME), key=lambda r: r.name
    )
    return Ranking(ranked=ranked, too_few=too_few)


def _row(key: str, name: str, figures: incident_figures.FeedbackFigures) -> RankingRow:
    return RankingRow(
        key=key, name=name, resolved=figures.resolved,
        on_time=Rate(figures.resolved_on_time, figures.resolved),
        satisfaction=Rate(figures.satisfied, figures.rated),
        open=figures.open, overdue=figures.overdue,
    )  # fmt: skip


@dataclass(frozen=True)
class CommuneOutline:
    area_id: int
    code: str
    name: str
    svg_path: str


def commune_outlines(*, on: datetime.date) -> list[CommuneOutline]:
    """The communes valid on `on`, each with its simplified outline as SVG path data (x is the
    longitude, y minus the latitude: ST_AsSVG's convention)."""
    # Raw SQL for ST_AsSVG, which GeoDjango does not wrap; the day is a parameter. Three decimals
    # (about 110 m) are finer than a province-wide map shows, and keep the page a third smaller.
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT id, code, name, ST_AsSVG(outline, 0, 3)
            FROM wards_area
            WHERE level = %(level)s AND valid_from <= %(day)s
              AND (valid_to IS NULL OR valid_to >= %(day)s)
            ORDER BY code
            """,
            {"level": AreaLevel.COMMUNE.value, "day": on},
        )
        return [CommuneOutline(*row) for row in cursor.fetchall()]


@dataclass(frozen=True)
class AreaValue:
    outline: CommuneOutline
    value: float | None
    label: str
    colour: str = ""


@dataclass(frozen=True)
class Choropleth:
    layer: str
    areas: list[AreaValue]
    legend: list[dict[str, Any]] = field(default_factory=list)


def _layer_value(
    layer: str, figures: incident_figures.FeedbackFigures | None
) -> tuple[float | None, str]:
    if figures is None:
        return None, "—"
    if layer == "on_time":
        rate = Rate(figures.resolved_on_time, figures.resolved)
        return rate.value, f"{rate.percent} ({rate.numerator}/{rate.denominator})"
    if layer == "satisfaction":
        rate = Rate(figures.satisfied, figures.rated)
        return rate.value, f"{rate.percent} ({rate.numerator}/{rate.denominator})"
    count = figures.overdue if layer == "overdue" else figures.filed
    return float(count), str(count)


def choropleth(
    *,
    layer: str,
    outlines: list[CommuneOutline],
    by_area: dict[int, incident_figures.FeedbackFigures],
) -> Choropleth:
    """A KPI per commune, classed as the indicators' maps are (quantiles, five classes)."""
    pairs = [(outline, *_layer_value(layer, by_area.get(outline.area_id))) for outline in outlines]
    values = [None if value is None else Decimal(str(value)) for _, value, _ in pairs]
    # Fewer overdue reports is better; more of everything else.
    classes = classify(
        values=values, method="quantiles", classes=5, higher_is_better=layer != "overdue"
    )
    areas = [
        AreaValue(
            outline=outline, value=value, label=label,
            colour="" if index is None else classes.colours[index],
        )
        for (outline, value, label), index in zip(pairs, classes.classes, strict=True)
    ]  # fmt: skip
    return Choropleth(layer=layer, areas=areas, legend=classes.as_json()["classes"])


# The dashboard


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    feedback: FeedbackCard
    dossiers: DossierCard
    tasks: TaskCard
    communes: Ranking
    units: Ranking
    overdue: list[incident_figures.OverdueReport]
    area_names: dict[int, str]
    map_outlines: list[CommuneOutline]
    map_layer: Choropleth | None
    hexagons: list[incident_figures.Hexagon]
    # Set instead of `hexagons` when the map draws the hotspot tiles (see `dashboard`).
    hotspot_tiles: HotspotOverview | None
    weekly: list[incident_figures.PeriodCount]
    monthly: list[incident_figures.PeriodCount]
    dossier_months: list[dict[str, Any]]


def dashboard(
    *, filters: Filters, now: datetime.datetime, hotspot_tiles_above: int | None = None
) -> Dashboard:
    """The dashboard's figures. With `hotspot_tiles_above`, a hotspot layer over a period that
    holds more reports than that is left to the vector tiles (ioc/hotspot_tiles.py): only the
    number of hexagons and the colour classes' bounds are read, not the hexagons."""
    today = now.astimezone(VIETNAM_TIME_ZONE).date()
    outlines = commune_outlines(on=filters.date_to)
    names = {outline.area_id: outline.name for outline in outlines}
    scope = filters.scope()
    # Counted once: the cards, both rankings and the map all subtract it from the open reports.
    pending = incident_figures.not_yet_due(scope=scope, now=now)
    by_area = incident_figures.feedback_figures_by(
        key="area_id", scope=scope, now=now, pending=pending
    )
    by_unit = incident_figures.feedback_figures_by(
        key="agency_id", scope=scope, now=now, pending=pending
    )
    units = {
        pk: (code, name)
        for pk, code, name in Agency.objects.filter(pk__in=list(by_unit)).values_list(
            "id", "code", "name"
        )
    }
    missing = [pk for pk in by_area if pk not in names]
    names |= dict(Area.objects.filter(pk__in=missing).values_list("id", "name"))
    commune_codes = {outline.area_id: outline.code for outline in outlines}
    hexagons: list[incident_figures.Hexagon] = []
    feedback = feedback_card(filters=filters, now=now, pending=pending)
    tiles = None
    if (
        filters.layer == "hotspots"
        and hotspot_tiles_above is not None
        and feedback.current.filed > hotspot_tiles_above
    ):
        tiles = hotspot_overview(
            query=HotspotQuery(
                date_from=filters.date_from,
                date_to=filters.date_to,
                category_id=filters.category_id,
                area_ids=scope.area_ids,
            )
        )
    elif filters.layer == "hotspots":
        hexagons = incident_figures.hotspot_hexagons(
            date_from=filters.date_from,
            date_to=filters.date_to,
            category_id=filters.category_id,
            area_ids=scope.area_ids,
        )
    this_monday = filters.date_to - datetime.timedelta(days=filters.date_to.weekday())
    first_monday = this_monday - datetime.timedelta(weeks=TREND_WEEKS - 1)
    trend = replace(scope, date_from=first_monday)
    months = replace(scope, date_from=months_before(filters.date_to, TREND_MONTHS))
    return Dashboard(
        filters=filters,
        feedback=feedback,
        dossiers=dossier_card(filters=filters),
        tasks=task_card(today=today),
        communes=_ranking(
            [
                _row(commune_codes.get(pk, ""), names.get(pk, str(pk)), figures)
                for pk, figures in by_area.items()
            ]
        ),
        units=_ranking([_row(units[pk][0], units[pk][1], f) for pk, f in by_unit.items()]),
        overdue=incident_figures.overdue_reports(scope=scope, now=now, limit=OVERDUE_LIST_LIMIT),
        area_names=names,
        map_outlines=outlines,
        map_layer=None
        if filters.layer == "hotspots"
        else choropleth(layer=filters.layer, outlines=outlines, by_area=by_area),
        hexagons=hexagons,
        hotspot_tiles=tiles,
        weekly=_every_week(
            incident_figures.feedback_per_period(scope=trend, unit="week"), first_monday
        ),
        monthly=incident_figures.feedback_per_period(scope=months, unit="month"),
        # The monthly on-time rates only: from the tally.
        dossier_months=dossier_statistics(
            date_from=months.date_from,
            date_to=filters.date_to,
            group_by="month",
            open_dossiers=False,
        ),
    )


def _every_week(
    points: list[incident_figures.PeriodCount], first_monday: datetime.date
) -> list[incident_figures.PeriodCount]:
    """The weeks from `first_monday` to the trend's last, a week without reports as zero (the
    summaries hold no row for it)."""
    by_start = {point.start: point for point in points}
    return [
        by_start.get(monday, incident_figures.PeriodCount(monday, 0, 0, 0))
        for monday in (first_monday + datetime.timedelta(weeks=n) for n in range(TREND_WEEKS))
    ]


def months_before(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - (months - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)
