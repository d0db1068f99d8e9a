"""The report builder's figures, exactly, from the daily summaries and from the reports' points."""

from __future__ import annotations

import json

import pytest

from spatial_reports.queries import report_query_parse
from spatial_reports.selectors import (
    Summary,
    report_count,
    report_points,
    report_rows,
    report_summary,
)
from tests.conftest import Territory
from tests.spatial_reports.conftest import Reports

SECOND_HALF = {"tu": "2025-07-01", "den": "2025-12-31"}
# West of longitude 108.86: every report, Nguyễn Nghiêm's whole area (counted from the daily
# summaries) and part of the other communes (counted from the reports' points).
WEST_OF_108_86 = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[108.0, 14.5], [108.86, 14.5], [108.86, 15.5], [108.0, 15.5], [108.0, 14.5]]
        ],
    }
)
# Over the south-west of Cẩm Thành (and of Nguyễn Nghiêm before the reform).
SOUTH_WEST = json.dumps(
    {
        "type": "Polygon",
        "coordinates": [
            [[108.7, 15.0], [108.82, 15.0], [108.82, 15.06], [108.7, 15.06], [108.7, 15.0]]
        ],
    }
)


def table(summary: Summary) -> list[tuple[object, ...]]:
    return [
        (row.key, row.label, row.reports, row.previous_reports, row.resolved, row.resolved_on_time)
        for row in summary.rows
    ]


def test_it_summarises_per_commune_with_the_previous_period(reports: Reports) -> None:
    summary = report_summary(report_query_parse(SECOND_HALF))

    # The previous period is the 184 days before 1 July 2025: the two reports filed in Nguyễn
    # Nghiêm, which code 21025 named before the reform.
    assert table(summary) == [
        ("21025", "Phường Nguyễn Nghiêm", 0, 2, 0, 0),
        ("21025", "Phường Cẩm Thành", 3, 0, 2, 1),
        ("21034", "Xã An Phú", 1, 0, 0, 0),
    ]
    assert [row.validity for row in summary.rows] == [
        "2014-04-01/2025-06-30",
        "2025-07-01/",
        "2025-07-01/",
    ]
    assert (summary.reports, summary.previous_reports, summary.resolved) == (4, 2, 2)
    assert summary.on_time_rate == 0.5
    cam_thanh = summary.rows[1]
    assert cam_thanh.change == 3
    # Cẩm Thành is 0.2° × 0.1° at latitude 15°: about 235 km² in the fixture.
    assert cam_thanh.area_km2 is not None
    assert cam_thanh.density_per_km2 == pytest.approx(3 / cam_thanh.area_km2)


def test_a_polygon_holding_every_report_gives_the_figures_without_it(reports: Reports) -> None:
    from_summaries = report_summary(report_query_parse(SECOND_HALF))
    mixed = report_summary(report_query_parse({**SECOND_HALF, "vung": WEST_OF_108_86}))

    assert table(mixed) == table(from_summaries)


def test_a_polygon_counts_the_reports_inside_it(reports: Reports) -> None:
    summary = report_summary(report_query_parse({**SECOND_HALF, "vung": SOUTH_WEST}))

    assert table(summary) == [
        ("21025", "Phường Nguyễn Nghiêm", 0, 1, 0, 0),
        ("21025", "Phường Cẩm Thành", 2, 0, 2, 1),
    ]
    assert report_count(report_query_parse({**SECOND_HALF, "vung": SOUTH_WEST})) == 2


def test_it_groups_per_unit_per_month_and_not_at_all(
    reports: Reports, territory: Territory
) -> None:
    year = {"tu": "2025-01-01", "den": "2025-12-31"}

    per_unit = report_summary(report_query_parse({**year, "nhom": "unit"}))
    per_month = report_summary(report_query_parse({**year, "nhom": "month"}))
    overall = report_summary(report_query_parse({**year, "nhom": "none"}))

    assert [(row.label, row.reports) for row in per_unit.rows] == [
        ("Ủy ban nhân dân Phường Cẩm Thành", 3),
        ("Ủy ban nhân dân Phường Nguyễn Nghiêm", 2),
        ("Ủy ban nhân dân Xã An Phú", 1),
    ]
    assert [(row.key, row.reports, row.previous_reports) for row in per_month.rows] == [
        ("2025-02", 1, None),
        ("2025-03", 1, None),
        ("2025-08", 1, None),
        ("2025-09", 1, None),
        ("2025-10", 1, None),
        ("2025-11", 1, None),
    ]
    assert per_month.previous_reports is None
    assert [(row.reports, row.resolved, row.resolved_on_time) for row in overall.rows] == [
        (6, 2, 1)
    ]


def test_it_filters_by_category_status_and_commune_code(reports: Reports) -> None:
    year = {"tu": "2025-01-01", "den": "2025-12-31"}

    trees = report_summary(report_query_parse({**year, "linh_vuc": ["cay-xanh"]}))
    resolved = report_summary(report_query_parse({**year, "trang_thai": ["resolved"]}))
    code = report_summary(report_query_parse({**year, "ma_xa": "21034"}))

    assert table(trees) == [("21034", "Xã An Phú", 1, 0, 0, 0)]
    assert table(resolved) == [("21025", "Phường Cẩm Thành", 2, 0, 2, 1)]
    # 21034 was Nghĩa Dũng before the reform (no report there) and is An Phú after it.
    assert table(code) == [("21034", "Xã An Phú", 1, 0, 0, 0)]


def test_rows_carry_no_personal_data(reports: Reports) -> None:
    rows = report_rows(report_query_parse({**SECOND_HALF, "vung": SOUTH_WEST}))
    first = reports.cam_thanh_2025[0]

    assert len(rows) == 2
    assert rows[0][:7] == (
        first.tracking_code,
        "giao-thong",
        "resolved",
        "2025-08-01T09:00:00+07:00",
        "21025",
        "Phường Cẩm Thành",
        first.agency.code,
    )
    assert rows[0][9] is True and rows[1][9] is False
    assert (rows[0][10], rows[0][11]) == (108.75, 15.02)
    text = repr(rows)
    assert not any(value in text for value in ("Bình", "0905", "example.vn", "Hùng Vương", "Ổ gà"))


def test_the_map_gets_the_newest_points(reports: Reports) -> None:
    points = report_points(report_query_parse(SECOND_HALF))

    assert points["truncated"] is False
    assert [feature["properties"]["code"] for feature in points["features"]] == [
        reports.an_phu_2025[0].tracking_code,
        *(r.tracking_code for r in reversed(reports.cam_thanh_2025)),
    ]
    assert points["features"][0]["geometry"] == {"type": "Point", "coordinates": [108.85, 15.15]}


def test_a_buffer_around_a_line_counts_the_reports_near_it(reports: Reports) -> None:
    # Along latitude 15.05 from 108.70 to 108.76, widened by 3.5 km: Cẩm Thành's report at
    # (108.75, 15.02), 3.3 km away, and before the reform Nguyễn Nghiêm's at (108.72, 15.05);
    # not the one at (108.80, 15.05), 4.3 km east of the line's end.
    line = json.dumps({"type": "LineString", "coordinates": [[108.70, 15.05], [108.76, 15.05]]})

    summary = report_summary(report_query_parse({**SECOND_HALF, "vung": line, "ban_kinh": "3500"}))

    assert table(summary) == [
        ("21025", "Phường Nguyễn Nghiêm", 0, 1, 0, 0),
        ("21025", "Phường Cẩm Thành", 1, 0, 1, 1),
    ]
