"""Indicators at national size: the choropleth data (values API as GeoJSON on the simplified
outlines) for 3,321 communes and a five-year monthly series of one area re-aggregated across a
merger, each beside the raw-SQL floor (the same rows read by the simplest statement, without
aggregation rules, successions or completeness).

On the `synthetic` data set (benchmarks/datasets.py): 3,321 communes. Values: a yearly indicator
with 3 years on every commune (9,963 values, "10,000") and a monthly one with 301 months on every
commune (999,621 values, "1,000,000"); the first commune is given two predecessors (a merger on
1 July 2025) that carry its values before the merger, so the series crosses a succession.

    GEOAPP_BENCHMARK_DATABASE_PREFIX=geoapp_bench_indicators .venv/bin/python -m benchmarks.indicators
"""

from __future__ import annotations

import datetime
import statistics
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import load_average
from benchmarks.datasets import DATASETS, dataset_prepare

RUNS = 7
BOUNDARIES = datetime.date(2026, 1, 1)


def _timed(action: Callable[[], object], runs: int = RUNS) -> float:
    """The median of `runs` calls, in milliseconds, after one warm-up call."""
    action()
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    return statistics.median(durations)


def _values_load() -> None:
    """The benchmark's indicators and values, written by SQL (generate_series) once."""
    from django.db import connection

    from indicators.models import Indicator

    if Indicator.objects.filter(code="bench-monthly").exists():
        return
    yearly = Indicator.objects.create(
        code="bench-yearly", name_vi="Dân số", name_en="Population", unit="người", kind="value",
        area_aggregation="sum", time_aggregation="last", direction="higher", period_type="year",
    )  # fmt: skip
    monthly = Indicator.objects.create(
        code="bench-monthly", name_vi="Phản ánh", name_en="Reports", unit="phản ánh",
        kind="value", area_aggregation="sum", time_aggregation="sum", direction="lower",
        period_type="month",
    )  # fmt: skip
    with connection.cursor() as cursor:
        # Values of the communes valid after the reform, period by period; the synthetic areas
        # are valid from 2025-07-01, so every period is entered on them, except that the first
        # commune's values before the merger go to its two predecessors below.
        cursor.execute(
            """
            INSERT INTO indicators_indicatorvalue
                (indicator_id, area_id, period, period_start, period_end, value, status,
                 comment, updated_at)
            SELECT %(yearly)s, area.id, to_char(day, 'YYYY'), day::date,
                   (day + interval '1 year' - interval '1 day')::date,
                   1000 + (area.id * 37) %% 9000, 'approved', '', now()
            FROM wards_area area, generate_series('2024-01-01'::date, '2026-01-01', '1 year') day
            WHERE area.level = 'commune'
            """,
            {"yearly": yearly.pk},
        )
        cursor.execute(
            """
            INSERT INTO indicators_indicatorvalue
                (indicator_id, area_id, period, period_start, period_end, value, status,
                 comment, updated_at)
            SELECT %(monthly)s, area.id, to_char(day, 'YYYY-MM'), day::date,
                   (day + interval '1 month' - interval '1 day')::date,
                   (area.id + extract(month FROM day)::int) %% 40, 'approved', '', now()
            FROM wards_area area,
                 generate_series('2001-12-01'::date, '2026-12-01', '1 month') day
            WHERE area.level = 'commune'
            """,
            {"monthly": monthly.pk},
        )
    _merger_create(monthly.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE indicators_indicatorvalue")


def _merger_create(monthly_id: int) -> None:
    """Two predecessors of the first commune, valid until 2025-06-30, carrying its monthly values
    before the merger (moved off the commune, so the series must follow the succession)."""
    from django.db import connection
    from shapely.geometry import box

    from wards import services
    from wards.models import Area

    first = Area.objects.filter(level="commune").order_by("code").first()
    assert first is not None
    reform = datetime.date(2025, 7, 1)
    predecessors = [
        services.area_create(
            code=f"9{index}{first.code}"[:10],
            name=f"Xã cũ {index}",
            area_type="Xã",
            level="commune",
            boundary=box(102.0 + index, 10.0, 102.5 + index, 10.5),
            valid_from=datetime.date(2000, 1, 1),
            valid_to=reform - datetime.timedelta(days=1),
        )  # fmt: skip
        for index in (1, 2)
    ]
    for predecessor in predecessors:
        services.area_succession_create(
            predecessor=predecessor, successor=first, effective_on=reform
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO indicators_indicatorvalue
                (indicator_id, area_id, period, period_start, period_end, value, status,
                 comment, updated_at)
            SELECT indicator_id, predecessor, period, period_start, period_end, value / 2,
                   status, comment, updated_at
            FROM indicators_indicatorvalue, unnest(%(predecessors)s::bigint[]) predecessor
            WHERE indicator_id = %(monthly)s AND area_id = %(first)s
              AND period_start < %(reform)s
            """,
            {
                "predecessors": [p.pk for p in predecessors],
                "monthly": monthly_id,
                "first": first.pk,
                "reform": reform,
            },
        )
        cursor.execute(
            "DELETE FROM indicators_indicatorvalue WHERE indicator_id = %s AND area_id = %s "
            "AND period_start < %s",
            [monthly_id, first.pk, reform],
        )


def main() -> None:
    dataset_prepare(DATASETS["synthetic"])
    _values_load()
    from django.db import connection

    from indicators.models import Indicator, IndicatorValue
    from indicators.periods import period_parse
    from indicators.selectors.aggregation import indicator_aggregates_geojson, indicator_series
    from wards.models import Area

    yearly = Indicator.objects.get(code="bench-yearly")
    monthly = Indicator.objects.get(code="bench-monthly")
    first = Area.objects.filter(level="commune", valid_from__gte=BOUNDARIES.replace(year=2025))
    area = first.order_by("code").first()
    assert area is not None
    print(f"values: {IndicatorValue.objects.count():,}; load average {load_average():.1f}")

    def choropleth(indicator: Indicator, period: str) -> Callable[[], object]:
        return lambda: indicator_aggregates_geojson(
            indicator=indicator, period=period_parse(period), level="commune",
            boundaries=BOUNDARIES,
        )  # fmt: skip

    def choropleth_floor(indicator: Indicator, start: str) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cursor:
                # The floor: the same outlines and one value per commune, joined, as GeoJSON.
                cursor.execute(
                    """
                    SELECT json_agg(json_build_object('type', 'Feature', 'id', area.id,
                        'geometry', ST_AsGeoJSON(area.outline, 5)::json,
                        'properties', json_build_object('value', value.value)))::text
                    FROM wards_area area
                    LEFT JOIN indicators_indicatorvalue value
                      ON value.area_id = area.id AND value.indicator_id = %s
                     AND value.period_start = %s
                    WHERE area.level = 'commune' AND area.valid_from <= %s
                      AND (area.valid_to IS NULL OR area.valid_to >= %s)
                    """,
                    [indicator.pk, start, BOUNDARIES, BOUNDARIES],
                )
                return cursor.fetchone()

        return run

    def series() -> object:
        return indicator_series(
            indicator=monthly, area_id=area.pk, level="commune", boundaries=BOUNDARIES,
            start=period_parse("2021-01"), end=period_parse("2025-12"),
        )  # fmt: skip

    def series_floor() -> object:
        with connection.cursor() as cursor:
            # The floor: the 60 months' values of the area and its predecessors, summed by month.
            cursor.execute(
                """
                SELECT period_start, SUM(value) FROM indicators_indicatorvalue
                WHERE indicator_id = %s AND area_id IN (
                    SELECT %s UNION SELECT predecessor_id FROM wards_areasuccession
                    WHERE successor_id = %s)
                  AND period_start BETWEEN '2021-01-01' AND '2025-12-01'
                GROUP BY 1 ORDER BY 1
                """,
                [monthly.pk, area.pk, area.pk],
            )
            return cursor.fetchall()

    document, _values = indicator_aggregates_geojson(
        indicator=yearly, period=period_parse("2025"), level="commune", boundaries=BOUNDARIES
    )
    print(f"choropleth document: {len(document) / 1e6:.2f} MB")
    figures = [
        ("choropleth, 3,321 communes, 10,000 values (yearly)", choropleth(yearly, "2025"),
         choropleth_floor(yearly, "2025-01-01"), 100),
        ("choropleth, 3,321 communes, 1,000,000 values (one month)", choropleth(monthly, "2025-11"),
         choropleth_floor(monthly, "2025-11-01"), 100),
        ("choropleth, 3,321 communes, 1,000,000 values (a year of months)",
         choropleth(monthly, "2025"), choropleth_floor(monthly, "2025-01-01"), 100),
        ("series, 60 months across a merger, 1,000,000 values", series, series_floor, 50),
    ]  # fmt: skip
    for name, project, floor, target in figures:
        print(
            f"{name}: {_timed(project):.1f} ms (floor {_timed(floor):.1f} ms, target ≤ {target} "
            f"ms), load average {load_average():.1f}",
            flush=True,
        )
    _cached_figures(yearly, monthly, choropleth_floor)


def _cached_figures(
    yearly: Any, monthly: Any, floor: Callable[[Any, str], Callable[[], object]]
) -> None:
    """The values API's `format=geojson` through Django's test client as a browser asks for it
    (gzip accepted): cold (the cache emptied before each call: the revision read, the answer
    built, compressed and stored) and warm (the revision read, the stored bytes sent), and the
    304 of a client that holds the answer."""
    from django.core.cache import cache
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for name, indicator, period, start in (
        ("10,000 values (yearly)", yearly, "2025", "2025-01-01"),
        ("1,000,000 values (one month)", monthly, "2025-11", "2025-11-01"),
        ("1,000,000 values (a year of months)", monthly, "2025", "2025-01-01"),
    ):
        url = (
            f"/api/v1/indicators/{indicator.code}/values/?format=geojson&period={period}"
            f"&level=commune&boundaries={BOUNDARIES.isoformat()}&classification=quantiles&classes=5"
        )

        def cold(url: str = url) -> Any:
            cache.clear()
            return client.get(url, HTTP_ACCEPT_ENCODING="gzip")

        def warm(url: str = url) -> Any:
            return client.get(url, HTTP_ACCEPT_ENCODING="gzip")

        answer = warm()
        assert answer.status_code == 200, answer.content[:200]

        def held(url: str = url, etag: str = answer["ETag"]) -> object:
            return client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)

        floor_ms = _timed(floor(indicator, start))
        print(
            f"values API as GeoJSON, 3,321 communes, {name}: cold {_timed(cold):.1f} ms, "
            f"warm {_timed(warm):.1f} ms, 304 {_timed(held):.1f} ms (floor {floor_ms:.1f} ms, "
            f"target ≤ 100 ms), {len(answer.content) / 1e6:.2f} MB gzip, "
            f"load average {load_average():.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
