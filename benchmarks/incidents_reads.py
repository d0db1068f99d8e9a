"""The reads of `benchmarks/incidents.py` (figures 3 and 4): the public map's list and Open311's
requests.json through gunicorn, each beside its statements replayed on one psycopg connection.
Run through `python -m benchmarks.incidents demo --only map open311`."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode, urlsplit

from psycopg.adapt import Loader

from benchmarks.common import RESULTS_DIRECTORY, Figure, percentile
from benchmarks.incidents import DATASET, DATASET_KEY
from benchmarks.lookup_api import ServerShape, gunicorn_serving
from benchmarks.routing import floor_connection, statements_capture

# --- figures 3 and 4: reads through gunicorn ----------------------------------------------------

MAP_TARGET_P50_MILLISECONDS = 40.0
MAP_TARGET_FLOOR_RATIO = 3.0
OPEN311_TARGET_P50_MILLISECONDS = 200.0
WARM_UP_REQUESTS = 5
MEASURED_REQUESTS = 30


def territory_bbox() -> tuple[float, float, float, float]:
    from wards.models import Area, AreaLevel

    province = Area.objects.get(level=AreaLevel.PROVINCE, valid_to__isnull=True)
    min_x, min_y, max_x, max_y = province.boundary.extent
    return (round(min_x, 4), round(min_y, 4), round(max_x, 4), round(max_y, 4))


def http_milliseconds(
    base_url: str, path: str, *, check: Callable[[bytes], None], count: int
) -> list[float]:
    """`count` GET requests, one at a time on one kept-alive connection; each in milliseconds,
    from sending the request to having read the whole body."""
    parts = urlsplit(base_url)
    assert parts.hostname is not None, f"no host in {base_url}"
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    timings = []
    try:
        for _request in range(count):
            started = time.perf_counter_ns()
            connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = connection.getresponse()
            body = response.read()
            timings.append((time.perf_counter_ns() - started) / 1e6)
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
            check(body)
    finally:
        connection.close()
    return timings


class _Utf8BytesLoader(Loader):
    """Text as the bytes PostgreSQL sent, as the map list's selector fetches its document."""

    def load(self, data: Any) -> bytes:
        return bytes(data)


def statements_replay_timings(
    statements: list[tuple[str, Any]], *, count: int, text_as_bytes: bool = False
) -> list[float]:
    """Replay the statements `count` times (plus a warm-up) on a psycopg connection, prepared,
    fetching every row (text undecoded with `text_as_bytes`); each replay in milliseconds."""
    timings = []
    with floor_connection(DATASET) as floor:
        if text_as_bytes:
            floor.adapters.register_loader("text", _Utf8BytesLoader)
        for replay in range(WARM_UP_REQUESTS + count):
            started = time.perf_counter_ns()
            for sql, parameters in statements:
                floor.execute(sql, parameters, prepare=True).fetchall()
            if replay >= WARM_UP_REQUESTS:
                timings.append((time.perf_counter_ns() - started) / 1e6)
    return timings


@contextmanager
def serving() -> Iterator[str]:
    from django.contrib.gis.geos import Point

    from geoapp.clock import vietnam_today
    from wards.models import Area

    centre = Area.objects.get(code="21025", valid_to__isnull=True).label_point
    assert isinstance(centre, Point)
    probe = urlencode(
        {"lat": f"{centre.y:.6f}", "lon": f"{centre.x:.6f}", "date": vietnam_today().isoformat()}
    )
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)  # gunicorn's log goes there
    with gunicorn_serving(DATASET, ServerShape(workers=2, connections=1), probe) as base_url:
        yield base_url


def map_list_figures(base_url: str, expected_features: int) -> list[Figure]:
    import json

    from incidents import selectors

    bbox = territory_bbox()
    path = "/api/v1/incidents/?" + urlencode(
        {"bbox": ",".join(str(value) for value in bbox), "limit": expected_features}
    )

    def check(body: bytes) -> None:
        returned = json.loads(body)["numberReturned"]
        if returned != expected_features:
            raise RuntimeError(
                f"the map list returned {returned} features, not {expected_features}"
            )

    http_milliseconds(base_url, path, check=check, count=WARM_UP_REQUESTS)
    project = http_milliseconds(base_url, path, check=check, count=MEASURED_REQUESTS)
    statements = statements_capture(
        lambda: selectors.incidents_public_feature_collection(
            filters=selectors.PublicIncidentFilters(bbox=bbox), limit=expected_features
        )
    )
    floor = statements_replay_timings(statements, count=MEASURED_REQUESTS, text_as_bytes=True)
    size = len(
        selectors.incidents_public_feature_collection(
            filters=selectors.PublicIncidentFilters(bbox=bbox), limit=expected_features
        )
    )
    project_p50, floor_p50 = percentile(project, 50), percentile(floor, 50)
    return [
        Figure(
            dataset=DATASET_KEY,
            name=f"public map list, {expected_features:,} points, p50",
            unit="ms",
            project=project_p50,
            floor=floor_p50,
            target_operator="≤",
            target_value=MAP_TARGET_P50_MILLISECONDS,
            note=f"{project_p50 / floor_p50:.1f}× the floor (target ≤ "
            f"{MAP_TARGET_FLOOR_RATIO:.0f}×); {size / 1e6:.1f} MB of GeoJSON",
        ),
        Figure(
            dataset=DATASET_KEY,
            name=f"public map list, {expected_features:,} points, p95",
            unit="ms",
            project=percentile(project, 95),
            floor=percentile(floor, 95),
        ),
    ]


def open311_figures(base_url: str) -> list[Figure]:
    import json

    from django.test import RequestFactory

    from incidents.open311.views import ServiceRequestsView

    path = "/open311/v2/requests.json"

    def check(body: bytes) -> None:
        returned = len(json.loads(body))
        if returned != 1000:
            raise RuntimeError(f"requests.json returned {returned} requests, not 1,000")

    http_milliseconds(base_url, path, check=check, count=WARM_UP_REQUESTS)
    project = http_milliseconds(base_url, path, check=check, count=MEASURED_REQUESTS)
    request = RequestFactory().get(path, HTTP_HOST="127.0.0.1")
    statements = statements_capture(lambda: ServiceRequestsView.as_view()(request))
    floor = statements_replay_timings(statements, count=MEASURED_REQUESTS)
    return [
        Figure(
            dataset=DATASET_KEY,
            name="Open311 requests.json, 1,000 requests, p50",
            unit="ms",
            project=percentile(project, 50),
            floor=percentile(floor, 50),
            target_operator="≤",
            target_value=OPEN311_TARGET_P50_MILLISECONDS,
            note=f"floor: the view's {len(statements)} statement(s) replayed",
        ),
        Figure(
            dataset=DATASET_KEY,
            name="Open311 requests.json, 1,000 requests, p95",
            unit="ms",
            project=percentile(project, 95),
            floor=percentile(floor, 95),
        ),
    ]
