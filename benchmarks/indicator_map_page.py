"""The choropleth page (/chi-tieu/ban-do/) interactive in a real browser, at national size.

On the `synthetic` data set (3,321 communes) with the values of benchmarks/indicators.py. The app
is served by gunicorn (1 sync worker, production settings); the Debian Chromium, driven by
Playwright, opens the page in a fresh browser context each time (nothing cached: a first visit)
and the figure is the time from the navigation's start until the map is drawn and answers
clicks: the page's script sets `data-ready=true` on `#indicator-map` once the values API's
GeoJSON (classification included) has been read and every commune is painted on the map's
canvas (the frame after Leaflet drew them). Two
clocks: `performance.now()` read by the page at that moment (the browser's own figure, from
navigation start) and the wall time around Playwright's navigation and wait (an upper bound).
Every request outside the server is aborted and counted: there must be none.

Floor: the raw SQL of the same GeoJSON (the outlines and one value per commune, one statement),
as in benchmarks/indicators.py.

The production settings serve static files from `var/static`: run `manage.py collectstatic`
(with the production environment) first, or the page's script never loads.

    GEOAPP_BENCHMARK_DATABASE_PREFIX=geoapp_bench_indicators .venv/bin/python -m benchmarks.indicator_map_page
"""

from __future__ import annotations

import statistics
import time
from urllib.parse import urlencode, urlsplit

from benchmarks.common import RESULTS_DIRECTORY, load_average
from benchmarks.datasets import DATASETS, dataset_prepare
from benchmarks.indicators import BOUNDARIES, _timed, _values_load
from benchmarks.lookup_api import ServerShape, gunicorn_serving

RUNS = 5
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGUMENTS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def main() -> None:
    dataset = DATASETS["synthetic"]
    dataset_prepare(dataset)
    _values_load()
    from django.db import connection
    from playwright.sync_api import Route, sync_playwright

    from indicators.models import Indicator
    from wards.models import Area

    first = Area.objects.filter(level="commune").order_by("code").first()
    assert first is not None
    centre = first.label_point
    probe = urlencode({"lat": f"{centre.y:.6f}", "lon": f"{centre.x:.6f}"})
    communes = Area.objects.on(BOUNDARIES).filter(level="commune").count()
    cases = [
        ("choropleth page, 3,321 communes, 10,000 values (yearly)", "bench-yearly", "2025"),
        ("choropleth page, 3,321 communes, 1,000,000 values (one month)", "bench-monthly",
         "2025-11"),
    ]  # fmt: skip

    def floor(code: str, period: str) -> float:
        indicator = Indicator.objects.get(code=code)
        start = f"{period}-01-01" if len(period) == 4 else f"{period}-01"

        def run() -> object:
            with connection.cursor() as cursor:
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

        return _timed(run)

    # Before Playwright starts: its event loop makes Django refuse database calls.
    floors = {code: floor(code, period) for _name, code, period in cases}
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)  # gunicorn's log goes there
    outside: list[str] = []
    with (
        gunicorn_serving(dataset, ServerShape(workers=1, connections=1), probe) as base_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGUMENTS)
        host = urlsplit(base_url).netloc

        def guard(route: Route) -> None:
            if urlsplit(route.request.url).netloc != host:
                outside.append(route.request.url)
                route.abort()
            else:
                route.continue_()

        def visit(path: str) -> tuple[float, float, int]:
            context = browser.new_context(
                base_url=base_url, viewport={"width": 1280, "height": 800}, locale="vi-VN"
            )
            page = context.new_page()
            page.route("**/*", guard)
            started = time.perf_counter()
            page.goto(path)
            page.wait_for_selector("#indicator-map[data-ready=true]", timeout=60_000)
            wall = (time.perf_counter() - started) * 1000
            browser_ms = page.evaluate("performance.now()")
            # Drawn on a canvas: the page lists the class it gave each area.
            drawn = page.evaluate(
                "Object.keys(JSON.parse(document.getElementById('indicator-map')"
                ".dataset.areaClasses)).length"
            )
            context.close()
            return browser_ms, wall, drawn

        for name, code, period in cases:
            path = "/chi-tieu/ban-do/?" + urlencode(
                {"indicator": code, "period": period, "level": "commune",
                 "boundaries": BOUNDARIES.isoformat(), "classification": "quantiles",
                 "classes": 5},
            )  # fmt: skip
            visit(path)  # warm-up: the server's first request, the browser's first start
            runs = [visit(path) for _ in range(RUNS)]
            browser_ms = statistics.median(run[0] for run in runs)
            wall = statistics.median(run[1] for run in runs)
            drawn = runs[-1][2]
            assert drawn == communes, f"{drawn} areas drawn, {communes} communes"
            print(
                f"{name}: interactive {browser_ms:.0f} ms by the browser's clock, {wall:.0f} ms "
                f"wall (floor {floors[code]:.1f} ms, target ≤ 1,000 ms), {drawn} areas drawn, "
                f"requests outside the server: {len(outside)}, "
                f"load average {load_average():.1f}",
                flush=True,
            )
        browser.close()
    if outside:
        raise SystemExit(f"the page requested outside the server: {outside[:5]}")


if __name__ == "__main__":
    main()
