"""Indicators, second part (issue 12): the ranking of 3,321 communes, the map as a PNG, the
import with validation rules, and outlier flags, each beside its raw-SQL floor.

On the `synthetic` data set (3,321 communes) with the values of benchmarks/indicators.py (a
yearly indicator on every commune for 3 years, "10,000 values"; a monthly one with 301 months
on every commune, "1,000,000 values").

- ranking: `indicator_ranking` (aggregation, achievement, status) for 3,321 communes; floor: the
  3,321 values read and sorted by one statement;
- PNG: `/chi-tieu/ban-do.png`'s work (the GeoJSON of the outlines, classification, drawing);
  floor: the GeoJSON statement alone;
- import: 10,000 and 100,000 rows of a CSV through `values_import` (dry run: everything
  checked and written, then rolled back; and once committed), without rules and with a growth
  rule of -20 % to +50 % that every row passes (each commune's rows repeat its December 2026
  value); floor: the same rows copied in (COPY) and inserted by one INSERT … SELECT, rolled back;
- outliers: `outlier_flags` for 500 values, each judged against its area's 300 other months and
  its 3,320 peers; floor: the two statements that read those rows.

    GEOAPP_BENCHMARK_DATABASE_PREFIX=geoapp_bench_indicators .venv/bin/python -m benchmarks.indicator_reports [ranking png import outliers]
"""

from __future__ import annotations

import csv
import datetime
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from benchmarks.common import load_average
from benchmarks.datasets import DATASETS, dataset_prepare
from benchmarks.indicators import _timed, _values_load

BOUNDARIES = datetime.date(2026, 1, 1)


def main() -> None:
    # `python -m benchmarks.indicator_reports import outliers` measures those parts alone.
    parts = set(sys.argv[1:]) or {"ranking", "png", "import", "outliers"}
    dataset_prepare(DATASETS["synthetic"])
    _values_load()
    from django.db import connection, transaction

    from geoapp.file_imports import DryRun
    from indicators.map_image import choropleth_png
    from indicators.models import Indicator, IndicatorValue, RuleKind, ValidationRule
    from indicators.periods import period_parse
    from indicators.selectors.aggregation import indicator_aggregates_geojson
    from indicators.selectors.classification import classify
    from indicators.selectors.outliers import outlier_flags
    from indicators.selectors.ranking import indicator_ranking
    from indicators.services.value_import import VALUE_COLUMNS, values_import
    from wards.models import Area

    yearly = Indicator.objects.get(code="bench-yearly")
    monthly = Indicator.objects.get(code="bench-monthly")
    print(f"values: {IndicatorValue.objects.count():,}; load average {load_average():.1f}")

    def ranking() -> object:
        return indicator_ranking(
            indicator=yearly, period=period_parse("2025"), level="commune", boundaries=BOUNDARIES
        )

    def ranking_floor() -> object:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT area.code, area.name, value.value FROM wards_area area
                LEFT JOIN indicators_indicatorvalue value
                  ON value.area_id = area.id AND value.indicator_id = %s
                 AND value.period_start = '2025-01-01'
                WHERE area.level = 'commune' AND area.valid_from <= %s
                  AND (area.valid_to IS NULL OR area.valid_to >= %s)
                ORDER BY value.value DESC NULLS LAST, area.code
                """,
                [yearly.pk, BOUNDARIES, BOUNDARIES],
            )
            return cursor.fetchall()

    def png() -> object:
        document, values = indicator_aggregates_geojson(
            indicator=yearly, period=period_parse("2025"), level="commune", boundaries=BOUNDARIES
        )
        classification = classify(
            values=values, method="quantiles", classes=5, higher_is_better=True
        )
        return choropleth_png(
            collection=document, classification=classification, title="bench", subtitle="",
            legend=["class"] * len(classification.colours), no_data_label="no data",
        )  # fmt: skip

    def png_floor() -> object:
        return indicator_aggregates_geojson(
            indicator=yearly, period=period_parse("2025"), level="commune", boundaries=BOUNDARIES
        )

    communes = list(
        Area.objects.filter(level="commune", valid_from__gte=datetime.date(2025, 7, 1))
        .order_by("code")
        .values_list("code", "id")[:3321]
    )
    # Each commune's rows carry its December 2026 value again, month after month: growth 0 %,
    # so the file passes a realistic growth rule (-20 % to +50 %) that every row is checked
    # against. (A constant 25 did not: after a month of 1 it is a growth of 2,400 %.)
    last_month = dict(
        IndicatorValue.objects.filter(indicator=monthly, period="2026-12").values_list(
            "area_id", "value"
        )
    )
    directory = Path(tempfile.mkdtemp())

    def values_file(count: int) -> tuple[Path, list[tuple[str, int, str]]]:
        months = [f"{2027 + index // 12}-{index % 12 + 1:02d}" for index in range(40)]
        rows = [(code, area_id, month) for month in months for code, area_id in communes][:count]
        path = directory / f"values-{count}.csv"
        with path.open("w", encoding="utf-8", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(VALUE_COLUMNS)
            for code, area_id, month in rows:
                number = format((last_month.get(area_id) or Decimal(20)).normalize(), "f")
                writer.writerow(["bench-monthly", code, month, number, "", "", ""])
        return path, rows

    files = {count: values_file(count) for count in (10_000, 100_000)}

    def importing(count: int) -> Callable[[], object]:
        return lambda: values_import(path=files[count][0], commit=False)

    def import_floor(count: int) -> Callable[[], object]:
        """The least any import of the file does: its rows copied in (COPY) and inserted by one
        statement, rolled back. (The floor used to pass the rows as two array parameters, which
        psycopg quotes element by element on the client: 20 s at 100,000 rows under load.)"""
        rows = files[count][1]

        def run() -> object:
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        "CREATE TEMPORARY TABLE floor_row (area_id bigint, period text, "
                        "value numeric) ON COMMIT DROP"
                    )
                    with cursor.copy("COPY floor_row FROM STDIN") as copy:
                        for _code, area_id, month in rows:
                            copy.write_row((area_id, month, 20))
                    cursor.execute(
                        """
                        INSERT INTO indicators_indicatorvalue
                            (indicator_id, area_id, period, period_start, period_end, value,
                             status, comment, updated_at)
                        SELECT %s, area_id, period, (period || '-01')::date,
                               ((period || '-01')::date + interval '1 month - 1 day')::date,
                               value, 'submitted', '', now()
                        FROM floor_row
                        ON CONFLICT DO NOTHING
                        """,
                        [monthly.pk],
                    )
                    raise DryRun
            except DryRun:
                return None

        return run

    def committed(count: int) -> float:
        """One committed import, then its rows and their events removed again."""
        started = time.perf_counter()
        report = values_import(path=files[count][0], commit=True)
        elapsed = (time.perf_counter() - started) * 1000
        assert report.created == count, report
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM indicators_indicatorvalueevent WHERE value_id IN (SELECT id FROM "
                "indicators_indicatorvalue WHERE indicator_id = %s AND period_start >= %s)",
                [monthly.pk, datetime.date(2027, 1, 1)],
            )
            cursor.execute(
                "DELETE FROM indicators_indicatorvalue WHERE indicator_id = %s "
                "AND period_start >= %s",
                [monthly.pk, datetime.date(2027, 1, 1)],
            )
        return elapsed

    sample = list(
        IndicatorValue.objects.filter(indicator=monthly, period="2025-11").order_by("area_id")[:500]
    )

    def outliers() -> object:
        return outlier_flags(values=sample)

    def outliers_floor() -> object:
        area_ids = [value.area_id for value in sample]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT area_id, period, value FROM indicators_indicatorvalue "
                "WHERE indicator_id = %s AND area_id = ANY(%s)",
                [monthly.pk, area_ids],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT area_id, value FROM indicators_indicatorvalue "
                "WHERE indicator_id = %s AND period = '2025-11'",
                [monthly.pk],
            )
            return cursor.fetchall()

    figures: list[tuple[str, str, Callable[[], object], Callable[[], object], str]] = [
        ("ranking", "ranking, 3,321 communes, 10,000 values", ranking, ranking_floor,
         "≤ 100 ms"),
        ("png", "map PNG, 3,321 communes", png, png_floor, "≤ 1,000 ms"),
        ("import", "import 10,000 rows, no rules (dry run)", importing(10_000),
         import_floor(10_000), "≤ 1,000 ms"),
        ("import", "import 100,000 rows, no rules (dry run)", importing(100_000),
         import_floor(100_000), "≤ 10,000 ms"),
    ]  # fmt: skip
    for part, name, project, floor, target in figures:
        if part not in parts:
            continue
        runs = 3 if "100,000" in name else 7  # the median of 3 for the long imports
        print(
            f"{name}: {_timed(project, runs):.1f} ms (floor {_timed(floor, runs):.1f} ms, "
            f"target {target}), "
            f"load average {load_average():.1f}",
            flush=True,
        )
    if "import" in parts:
        for count in (10_000, 100_000):
            print(
                f"import {count:,} rows, no rules, committed (once): {committed(count):.1f} ms "
                f"(target ≤ {count // 10:,} ms), load average {load_average():.1f}",
                flush=True,
            )
        rule = ValidationRule.objects.create(
            indicator=monthly, kind=RuleKind.GROWTH, lower=Decimal(-20), upper=Decimal(50)
        )
        try:
            for count in (10_000, 100_000):
                print(
                    f"import {count:,} rows, a growth rule (dry run): "
                    f"{_timed(importing(count), 3):.1f} ms "
                    f"(floor {_timed(import_floor(count), 3):.1f} "
                    f"ms, target ≤ {count // 10:,} ms), load average {load_average():.1f}",
                    flush=True,
                )
        finally:
            rule.delete()
    if "outliers" in parts:
        print(
            f"outlier flags, 500 values against 1,000,000: {_timed(outliers):.1f} ms "
            f"(floor {_timed(outliers_floor):.1f} ms, target ≤ 1,000 ms), "
            f"load average {load_average():.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
