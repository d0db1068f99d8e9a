"""Pages of indicators for readers: the time series of one area (/chi-tieu/xu-huong/, its SVG
at /chi-tieu/xu-huong.svg), the ranking of areas with exports (/chi-tieu/xep-hang/,
`&format=csv|xlsx`) and the static PNG of the map (/chi-tieu/ban-do.png) and its HTML
(/chi-tieu/ban-do.html, folium). Public like the map: aggregates only, never a person.

Thin: parse, call one selector, render; bad input is a page (or a plain-text answer for a
file) with the message in the user's language and status 400.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geoapp.clock import vietnam_today
from geoapp.coordinates import parse_date
from geoapp.exceptions import DomainError, InvalidInput
from indicators.charts import series_svg
from indicators.map_html import choropleth_html
from indicators.map_image import choropleth_png
from indicators.models import Direction, Indicator
from indicators.periods import Period, period_parse
from indicators.selectors.aggregation import (
    SeriesPoint,
    indicator_aggregates_geojson,
    indicator_series,
)
from indicators.selectors.catalogue import areas_to_choose, indicator_list
from indicators.selectors.classification import (
    Classification,
    classification_parameters,
    classify,
)
from indicators.selectors.ranking import RankedRow, indicator_ranking
from indicators.services.values import today_period
from wards.models import Area

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RANKING_COLUMNS = (
    "rank", "area_code", "area_name", "value", "numerator", "denominator", "target",
    "achievement_percent", "status", "reported", "expected", "reaggregated",
)  # fmt: skip


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


def _name(indicator: Indicator) -> str:
    return indicator.name_en if _english() else indicator.name_vi


def _chosen_indicator(request: HttpRequest, indicators: list[Indicator]) -> Indicator | None:
    return next(
        (i for i in indicators if i.code == request.GET.get("indicator")),
        indicators[0] if indicators else None,
    )


@dataclass(frozen=True)
class Trend:
    indicator: Indicator
    area: Area
    boundaries: datetime.date
    points: list[SeriesPoint]


def _trend(request: HttpRequest, indicator: Indicator, areas: list[Area]) -> Trend:
    boundaries = parse_date(request.GET.get("boundaries"), default=vietnam_today())
    code = request.GET.get("area") or (areas[0].code if areas else "")
    area = next((a for a in areas if a.code == code), None)
    if area is None:
        raise InvalidInput(
            _("Không có đơn vị mã “%(code)s” có hiệu lực ngày %(date)s.")
            % {"code": code, "date": boundaries.strftime("%d/%m/%Y")},
            code="unknown_area",
        )
    end = period_parse(request.GET.get("to") or today_period(indicator, vietnam_today()))
    start = period_parse(request.GET.get("from") or str(end.start.year - 4))
    if start.start > end.end:
        raise InvalidInput(_("Kỳ bắt đầu phải trước kỳ kết thúc."), code="invalid_period")
    points = indicator_series(
        indicator=indicator, area_id=area.pk, level=area.level, boundaries=boundaries,
        start=start, end=end,
    )  # fmt: skip
    return Trend(indicator=indicator, area=area, boundaries=boundaries, points=points)


def _svg(trend: Trend) -> str:
    return series_svg(
        title=f"{_name(trend.indicator)} — {trend.area.name}",
        unit=trend.indicator.unit,
        periods=[p.period for p in trend.points],
        values=[p.value for p in trend.points],
        targets=[p.target for p in trend.points],
        reform_label=_("Sắp xếp đơn vị hành chính 1/7/2025"),
        value_label=_("Giá trị"),
        target_label=_("Mục tiêu"),
    )


def trend_page(request: HttpRequest) -> HttpResponse:
    indicators = indicator_list()
    indicator = _chosen_indicator(request, indicators)
    try:
        day = parse_date(request.GET.get("boundaries"), default=vietnam_today())
    except InvalidInput:
        day = vietnam_today()
    areas = areas_to_choose(day=day)
    context: dict[str, object] = {
        "indicators": [{"code": i.code, "name": _name(i), "unit": i.unit} for i in indicators],
        "chosen": indicator,
        "areas": areas,
        "query": request.GET.urlencode(),
    }
    status = 200
    if indicator is not None:
        try:
            trend = _trend(request, indicator, areas)
        except DomainError as problem:
            context["error"], status = problem.message, 400
        else:
            context.update(
                trend=trend,
                # Built by charts.series_svg from numbers and escaped text only.
                chart=mark_safe(_svg(trend)),
            )
    return render(request, "indicators/trend.html", context, status=status)


def trend_svg(request: HttpRequest) -> HttpResponse:
    indicators = indicator_list()
    indicator = _chosen_indicator(request, indicators)
    try:
        if indicator is None:
            raise InvalidInput(_("Chưa có chỉ tiêu nào."))
        day = parse_date(request.GET.get("boundaries"), default=vietnam_today())
        trend = _trend(request, indicator, areas_to_choose(day=day))
    except DomainError as problem:
        return HttpResponse(problem.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(_svg(trend), content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{indicator.code}-{trend.area.code}.svg"'
    return response


def _ranking_request(
    request: HttpRequest, indicator: Indicator
) -> tuple[Period, str, datetime.date, list[RankedRow]]:
    boundaries = parse_date(request.GET.get("boundaries"), default=vietnam_today())
    period = period_parse(request.GET.get("period") or today_period(indicator, vietnam_today()))
    level = request.GET.get("level") or "commune"
    rows = indicator_ranking(indicator=indicator, period=period, level=level, boundaries=boundaries)
    return period, level, boundaries, rows


def _cell(number: Decimal | None) -> str:
    return "" if number is None else format(number.normalize(), "f")


def _export_rows(rows: list[RankedRow]) -> list[list[object]]:
    return [
        [
            "" if r.rank is None else r.rank, r.row.area_code, r.row.area_name,
            _cell(r.row.value), _cell(r.row.numerator), _cell(r.row.denominator),
            _cell(r.row.target), _cell(r.achievement), r.status, r.row.reported,
            r.row.expected, "true" if r.row.reaggregated else "false",
        ]
        for r in rows
    ]  # fmt: skip


def _ranking_file(
    indicator: Indicator, period: Period, level: str, rows: list[RankedRow], kind: str
) -> HttpResponse:
    name = f"xep-hang-{indicator.code}-{period.text}-{level}"
    if kind == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(RANKING_COLUMNS)
        writer.writerows(_export_rows(rows))
        # With a BOM, so that Excel opens Vietnamese names as UTF-8.
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook  # only exports pay for loading openpyxl

        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = period.text
        sheet.append(list(RANKING_COLUMNS))
        for row in _export_rows(rows):
            sheet.append(row)
        body = io.BytesIO()
        workbook.save(body)
        response = HttpResponse(body.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


def ranking_page(request: HttpRequest) -> HttpResponse:
    indicators = indicator_list()
    indicator = _chosen_indicator(request, indicators)
    kind = request.GET.get("format", "")
    context: dict[str, object] = {
        "indicators": [{"code": i.code, "name": _name(i), "unit": i.unit} for i in indicators],
        "chosen": indicator,
        "level": request.GET.get("level") or "commune",
        "period": request.GET.get("period", ""),
        "boundaries": request.GET.get("boundaries", ""),
        "query": request.GET.urlencode(),
    }
    if indicator is None:
        return render(request, "indicators/ranking.html", context)
    try:
        if kind not in ("", "csv", "xlsx"):
            raise InvalidInput(_("format phải là csv hoặc xlsx."), code="invalid_format")
        period, level, boundaries, rows = _ranking_request(request, indicator)
    except DomainError as problem:
        if kind:
            return HttpResponse(
                problem.message, status=400, content_type="text/plain; charset=utf-8"
            )
        context["error"] = problem.message
        return render(request, "indicators/ranking.html", context, status=400)
    if kind:
        return _ranking_file(indicator, period, level, rows, kind)
    context.update(
        period=period.text, level=level, boundaries=boundaries.isoformat(), rows=rows,
        name=_name(indicator),
    )  # fmt: skip
    return render(request, "indicators/ranking.html", context)


def _bound(number: float) -> str:
    """At most two decimals and none that are zero (12.000, not 12.000,0)."""
    shown = Decimal(str(round(number, 2))).normalize()
    return number_format(shown, decimal_pos=None, use_l10n=True, force_grouping=True)


@dataclass(frozen=True)
class MapFile:
    """A choropleth for a file (PNG, HTML): the map page's parameters, its data, classified."""

    indicator: Indicator
    period: Period
    level: str
    boundaries: datetime.date
    collection: str
    values: list[Decimal | None]
    classification: Classification

    def legend(self) -> list[str]:
        classification = self.classification
        last = len(classification.colours) - 1
        return [
            f"[{_bound(classification.breaks[i])} – {_bound(classification.breaks[i + 1])}"
            f"{']' if i == last else ')'} {self.indicator.unit} ({classification.counts[i]})"
            for i in range(last + 1)
        ]

    def title(self) -> str:
        return f"{_name(self.indicator)} — {self.period.text}"

    def subtitle(self) -> str:
        return _("Ranh giới có hiệu lực ngày %(date)s") % {
            "date": self.boundaries.strftime("%d/%m/%Y")
        }

    def no_data_label(self) -> str:
        return f"{_('Không có số liệu')} ({self.classification.no_data})"

    def file_name(self, extension: str) -> str:
        return f"ban-do-{self.indicator.code}-{self.period.text}-{self.level}.{extension}"


def _map_file(request: HttpRequest) -> MapFile:
    parameters = request.GET
    indicator = next((i for i in indicator_list() if i.code == parameters.get("indicator")), None)
    if indicator is None:
        raise InvalidInput(
            _("Không có chỉ tiêu mã “%(code)s”.") % {"code": parameters.get("indicator", "")}
        )
    period = period_parse(parameters.get("period") or today_period(indicator, vietnam_today()))
    level = parameters.get("level") or "commune"
    boundaries = parse_date(parameters.get("boundaries"), default=vietnam_today())
    classes, fixed = classification_parameters(parameters)
    document, values = indicator_aggregates_geojson(
        indicator=indicator, period=period, level=level, boundaries=boundaries
    )
    classification = classify(
        values=values,
        method=parameters.get("classification") or "quantiles",
        classes=classes,
        higher_is_better=indicator.direction == Direction.HIGHER_IS_BETTER,
        fixed_breaks=fixed,
    )
    return MapFile(
        indicator=indicator, period=period, level=level, boundaries=boundaries,
        collection=document, values=values, classification=classification,
    )  # fmt: skip


def map_png(request: HttpRequest) -> HttpResponse:
    """The choropleth as a PNG for reports: the parameters of the map page."""
    try:
        chosen = _map_file(request)
    except DomainError as problem:
        return HttpResponse(problem.message, status=400, content_type="text/plain; charset=utf-8")
    body = choropleth_png(
        collection=chosen.collection,
        classification=chosen.classification,
        title=chosen.title(),
        subtitle=chosen.subtitle(),
        legend=chosen.legend(),
        no_data_label=chosen.no_data_label(),
    )
    response = HttpResponse(body, content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="{chosen.file_name("png")}"'
    return response


def map_html(request: HttpRequest) -> HttpResponse:
    """The choropleth as one HTML file built with folium, which opens offline: the parameters
    of the map page."""
    try:
        chosen = _map_file(request)
    except DomainError as problem:
        return HttpResponse(problem.message, status=400, content_type="text/plain; charset=utf-8")
    unit = chosen.indicator.unit
    source = chosen.indicator.source or "geoapp"
    body = choropleth_html(
        collection=chosen.collection,
        classification=chosen.classification,
        value_texts=[
            _("Không có số liệu") if value is None else f"{_bound(float(value))} {unit}"
            for value in chosen.values
        ],
        title=chosen.title(),
        subtitle=chosen.subtitle(),
        legend=chosen.legend(),
        no_data_label=chosen.no_data_label(),
        source=_("Nguồn: %(source)s") % {"source": source},
        labels=(_("Đơn vị"), _("Giá trị")),
    )
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{chosen.file_name("html")}"'
    return response
