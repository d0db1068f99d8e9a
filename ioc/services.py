"""The weekly report (issue 13, part 4): the week's figures as an XLSX workbook, a printable
page and its PDF, in Vietnamese, kept in `WeeklyReport`, listed on the dashboard, and a link sent
to every leader (`ioc/report_notices.py`).

Produced by the Celery beat task every Monday at 07:00 (Asia/Ho_Chi_Minh) for the week that
ended the day before, and on demand. Producing a week again replaces its report (the task may be
retried, and a leader may ask again after late data came in) and tells no leader twice.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from io import BytesIO

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput
from ioc import charts, print_maps, selectors
from ioc.models import WeeklyReport
from ioc.report_documents import pdf_from_printable_page
from ioc.report_notices import weekly_report_links_send

# The PDF and printable page list at most this many rows of each ranking (the best half and the
# worst half of the ranked rows, then the unranked ones while room is left); the workbook has
# every row. A province of 3,321 communes would otherwise print a ranking of some 70 pages, and
# lay it out for minutes.
REPORT_RANKING_ROWS = 40


@dataclass(frozen=True)
class RankingExcerpt:
    """What the printed report shows of a ranking: (position or None, row) pairs, and how many
    rows are left to the workbook."""

    rows: list[tuple[int | None, selectors.RankingRow]]
    left_out: int


def ranking_excerpt(
    ranking: selectors.Ranking, *, rows: int = REPORT_RANKING_ROWS
) -> RankingExcerpt:
    ranked = list(enumerate(ranking.ranked, start=1))
    if len(ranked) > rows:
        half = rows // 2
        ranked = ranked[:half] + ranked[-(rows - half) :]
    room = rows - len(ranked)
    shown: list[tuple[int | None, selectors.RankingRow]] = [*ranked]
    shown += [(None, row) for row in ranking.too_few[:room]]
    return RankingExcerpt(
        rows=shown, left_out=len(ranking.ranked) + len(ranking.too_few) - len(shown)
    )


def week_before(day: datetime.date) -> datetime.date:
    """The Monday of the last full week before `day`."""
    return day - datetime.timedelta(days=day.weekday() + 7)


def weekly_report_produce(*, week_start: datetime.date, now: datetime.datetime) -> WeeklyReport:
    """Compute the week starting on `week_start` (a Monday) and store its report. A week that
    has not ended by `now` (Vietnam's days) is refused: its figures would change."""
    if week_start.weekday() != 0:
        raise InvalidInput(_("Tuần báo cáo phải bắt đầu vào thứ Hai."), code="not_a_monday")
    if week_start + datetime.timedelta(days=6) >= now.astimezone(VIETNAM_TIME_ZONE).date():
        raise InvalidInput(
            _("Tuần %(day)s chưa kết thúc: chỉ lập báo cáo cho tuần đã qua.")
            % {"day": week_start.strftime("%d/%m/%Y")},
            code="week_not_over",
        )
    filters = selectors.Filters(
        date_from=week_start, date_to=week_start + datetime.timedelta(days=6), layer="on_time"
    )
    with translation.override("vi"):
        dashboard = selectors.dashboard(filters=filters, now=now)
        hotspots = selectors.dashboard(filters=replace(filters, layer="hotspots"), now=now)
        workbook = _workbook(dashboard)

        def link(outline: selectors.CommuneOutline) -> str:
            return reverse("ioc-area", args=[outline.code]) + "?" + filters.query(layer="")

        on_time_map = charts.area_map(
            outlines=dashboard.map_outlines, title="Tỷ lệ giải quyết đúng hạn",
            link=link, choropleth=dashboard.map_layer, for_print=True,
        )  # fmt: skip
        hotspot_map = charts.area_map(
            outlines=hotspots.map_outlines, title="Điểm nóng phản ánh", link=link,
            hexagons=hotspots.hexagons, for_print=True,
        )  # fmt: skip
        context = {
            "dashboard": dashboard,
            "produced_at": now,
            "commune_ranking": ranking_excerpt(dashboard.communes),
            "unit_ranking": ranking_excerpt(dashboard.units),
            "on_time_map": on_time_map,
            "hotspot_map": hotspot_map,
        }
        page = render_to_string("ioc/weekly_report.html", context)
        # The PDF's maps are the same drawings as images: WeasyPrint then neither parses
        # thousands of SVG elements as HTML nor computes their CSS (at 3,321 communes, two
        # thirds of its time), and it draws no link inside an SVG anyway.
        # Over each, a link box per commune to its page (ioc/print_maps.py): WeasyPrint makes
        # links of HTML boxes, not of SVG shapes.
        pdf_page = render_to_string(
            "ioc/weekly_report.html",
            context
            | {
                "on_time_map": print_maps.linked_map(
                    svg=on_time_map,
                    outlines=dashboard.map_outlines,
                    points=print_maps.commune_label_points(dashboard.map_outlines),
                    link=link,
                ),
                "hotspot_map": print_maps.linked_map(
                    svg=hotspot_map,
                    outlines=hotspots.map_outlines,
                    points=print_maps.commune_label_points(hotspots.map_outlines),
                    link=link,
                ),
            },
        )
    # Rendered before the transaction: the layout takes seconds and holds no lock.
    pdf = pdf_from_printable_page(pdf_page)
    with transaction.atomic():
        report, _created = WeeklyReport.objects.update_or_create(
            week_start=week_start,
            defaults={
                "produced_at": now,
                "workbook": workbook,
                "printable_html": page,
                "pdf": pdf,
            },
        )
        # In the report's transaction: the links are planned if and only if the report is
        # stored, and sent after the commit.
        weekly_report_links_send(report=report)
    return report


def _workbook(dashboard: selectors.Dashboard) -> bytes:
    book = Workbook()
    bold = Font(bold=True)
    sheet = book.active
    assert sheet is not None
    sheet.title = "Tổng hợp"
    card = dashboard.feedback.current
    dossiers = dashboard.dossiers
    tasks = dashboard.tasks
    filters = dashboard.filters
    rows: list[tuple[object, ...]] = [
        ("Báo cáo tuần", f"{filters.date_from:%d/%m/%Y} – {filters.date_to:%d/%m/%Y}"),
        (),
        ("Chỉ số", "Giá trị", "Tử số", "Mẫu số"),
        ("Phản ánh mới", card.filed),
        ("Phản ánh đang mở", card.open),
        ("Phản ánh quá hạn", card.overdue),
        ("Phản ánh đã giải quyết", card.resolved),
        ("Tỷ lệ giải quyết đúng hạn", dashboard.feedback.on_time.value,
         card.resolved_on_time, card.resolved),
        ("Tỷ lệ hài lòng", dashboard.feedback.satisfaction.value, card.satisfied, card.rated),
        ("Hồ sơ tiếp nhận", dossiers.received),
        ("Hồ sơ đang giải quyết", dossiers.in_progress),
        ("Hồ sơ quá hạn", dossiers.overdue),
        ("Tỷ lệ hồ sơ đúng hạn", dossiers.on_time.value, dossiers.on_time.numerator,
         dossiers.on_time.denominator),
        ("Tỷ lệ hồ sơ trực tuyến", dossiers.online.value, dossiers.online.numerator,
         dossiers.online.denominator),
        ("Nhiệm vụ đang thực hiện", tasks.open),
        ("Nhiệm vụ quá hạn", tasks.overdue),
        ("Tỷ lệ nhiệm vụ đúng hạn", tasks.on_time.value, tasks.on_time.numerator,
         tasks.on_time.denominator),
    ]  # fmt: skip
    for row in rows:
        sheet.append(row)
    sheet["A1"].font = bold
    for cell in sheet[3]:
        cell.font = bold
    for row_cells in sheet.iter_rows(min_row=4):
        if isinstance(row_cells[1].value, float):
            row_cells[1].number_format = "0.0%"
    sheet.column_dimensions["A"].width = 34
    for title, ranking in (
        ("Xếp hạng xã phường", dashboard.communes),
        ("Xếp hạng đơn vị", dashboard.units),
    ):
        ranked = book.create_sheet(title)
        ranked.append(("Hạng", "Tên", "Đã giải quyết", "Đúng hạn", "Tỷ lệ đúng hạn",
                       "Hài lòng", "Được đánh giá", "Đang mở", "Quá hạn"))  # fmt: skip
        for position, row in enumerate(ranking.ranked + ranking.too_few, start=1):
            ranked.append((
                position if row in ranking.ranked else "",
                row.name, row.resolved, row.on_time.numerator, row.on_time.value,
                row.satisfaction.numerator, row.satisfaction.denominator, row.open, row.overdue,
            ))  # fmt: skip
        ranked.column_dimensions["B"].width = 40
    overdue = book.create_sheet("Quá hạn")
    overdue.append(("Mã phản ánh", "Lĩnh vực", "Địa bàn", "Đơn vị", "Ngày phản ánh", "Hạn xử lý"))
    for report in dashboard.overdue:
        overdue.append((
            report.tracking_code, report.category_name,
            report.area_name, report.agency_name,
            report.reported_at.astimezone(VIETNAM_TIME_ZONE).replace(tzinfo=None),
            report.resolve_by.astimezone(VIETNAM_TIME_ZONE).replace(tzinfo=None),
        ))  # fmt: skip
    output = BytesIO()
    book.save(output)
    return output.getvalue()
