"""Figure 3: the lookup API `GET /api/v1/areas/lookup/?lat=&lon=&date=` through gunicorn.

The benchmark starts gunicorn on 127.0.0.1 with the production settings against the data set's
database (persistent connections, as deployed), and drives it with wrk: every request asks for a
point drawn at random from the 10,000 sample points (benchmarks/lookup_points.lua). It reports
requests per second and latency percentiles at a fixed number of connections.

The raw-SQL floor is pgbench running the statement the lookup sends (captured from a real call)
as a prepared statement, with as many clients as wrk has connections, each transaction picking
one of the same sample points.

    .venv/bin/python -m benchmarks.lookup_api real      # or synthetic
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import (
    REPOSITORY_ROOT,
    RESULTS_DIRECTORY,
    Figure,
    database_server,
    django_environment,
    django_setup,
    figures_table,
    figures_write,
    percentile,
    processes_cpu_seconds,
)
from benchmarks.datasets import DATASETS, LOOKUP_DAY, SAMPLE_POINT_COUNT, Dataset
from benchmarks.routing import sample_points, statements_capture

LUA_SCRIPT = Path(__file__).with_name("lookup_points.lua")
TARGET_REQUESTS_PER_SECOND = 1_000.0
TARGET_P50_MILLISECONDS = 5.0
WARM_UP_SECONDS = 3
MEASURED_SECONDS = 10


@dataclass(frozen=True)
class ServerShape:
    """How gunicorn runs and how hard wrk pushes it."""

    # As `make run` serves the app (scripts/serve.sh: 3 sync workers): on two cores it answered
    # as fast as 4 sync workers or 2 gthread workers × 4 threads (docs/benchmarks.md).
    workers: int = 3
    threads: int = 1  # more than 1 means gthread workers
    connections: int = 4

    @property
    def description(self) -> str:
        kind = f"gthread × {self.threads}" if self.threads > 1 else "sync"
        return f"gunicorn {self.workers} {kind} workers, {self.connections} connections"


@dataclass(frozen=True)
class LoadResult:
    requests_per_second: float
    p50_milliseconds: float
    p99_milliseconds: float


def wrk_required() -> str:
    path = shutil.which("wrk")
    if path is None:
        raise SystemExit(
            "wrk is not installed: run 'apt-get install wrk' (or 'bash scripts/benchmark.sh', "
            "which installs it) and try again."
        )
    return path


def points_file(dataset: Dataset) -> Path:
    """The sample points as "latitude,longitude" lines, the list the wrk script draws from."""
    path = RESULTS_DIRECTORY / f"{dataset.key}_lookup_points.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(
            f"{latitude:.7f},{longitude:.7f}\n"
            for longitude, latitude in sample_points(SAMPLE_POINT_COUNT)
        )
    )
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn_serving(dataset: Dataset, shape: ServerShape, probe_query: str) -> Iterator[str]:
    """gunicorn serving the app on a free local port, stopped on exit; yields its base URL."""
    port = free_port()
    command = [
        str(REPOSITORY_ROOT / ".venv" / "bin" / "gunicorn"),
        "geoapp.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(shape.workers),
    ]
    if shape.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(shape.threads)]
    log_path = RESULTS_DIRECTORY / f"{dataset.key}_gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command,
            cwd=REPOSITORY_ROOT,
            env=django_environment(dataset.database),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_answering(f"{base_url}/api/v1/areas/lookup/?{probe_query}", server)
            yield base_url
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_answering(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped (exit status {server.returncode}); see its log")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within 60 s")


def wrk_run(base_url: str, points: Path, shape: ServerShape, seconds: int) -> LoadResult:
    completed = subprocess.run(
        [
            wrk_required(),
            "-t1",
            f"-c{shape.connections}",
            f"-d{seconds}s",
            "-s",
            str(LUA_SCRIPT),
            base_url,
            "--",
            str(points),
            LOOKUP_DAY.isoformat(),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(completed.stdout.strip().splitlines()[-1])
    if summary["non_2xx"] or summary["socket_errors"]:
        raise RuntimeError(f"wrk saw failed requests: {summary}")
    return LoadResult(
        requests_per_second=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_milliseconds=summary["p50_us"] / 1000,
        p99_milliseconds=summary["p99_us"] / 1000,
    )


def lookup_statement() -> tuple[str, dict]:
    """The statement the lookup API sends for one point, and its parameters."""
    from django.contrib.gis.geos import Point

    from wards.selectors import areas_containing_point

    ((longitude, latitude),) = sample_points(1)
    point = Point(longitude, latitude, srid=4326)
    statements = statements_capture(lambda: areas_containing_point(point=point, on=LOOKUP_DAY))
    if len(statements) != 1 or not isinstance(statements[0][1], dict):
        raise RuntimeError(f"expected one statement with named parameters, got {statements}")
    return statements[0]


def pgbench_script(statement: str, parameters: dict) -> str:
    """The lookup statement for pgbench: the point becomes a random one of the sample points."""
    text = statement
    for name, value in parameters.items():
        if isinstance(value, bytes):
            replacement = "(SELECT ST_AsEWKB(location) FROM benchmark_point WHERE id = :point_id)"
        elif isinstance(value, str):
            replacement = "'" + value.replace("'", "''") + "'"
        else:
            replacement = f"'{value.isoformat()}'::date"
        text = text.replace(f"%({name})s", replacement)
    body = " ".join(text.split())
    return f"\\set point_id random(1, {SAMPLE_POINT_COUNT})\n{body};\n"


def pgbench_run(dataset: Dataset, script: str, clients: int, seconds: int) -> LoadResult:
    with tempfile.TemporaryDirectory(prefix="geoapp-pgbench-") as directory:
        script_path = Path(directory) / "lookup.sql"
        script_path.write_text(script)
        completed = subprocess.run(
            ["pgbench", "-n", "-M", "prepared", "-c", str(clients), "-j", "1"]
            + ["-T", str(seconds), "-f", str(script_path), "-l"]
            + ["--log-prefix", str(Path(directory) / "transactions")],
            env=database_server().libpq_environment(dataset.database),
            capture_output=True,
            text=True,
            check=True,
        )
        latencies = [
            int(line.split()[2]) / 1000
            for log in Path(directory).glob("transactions*")
            for line in log.read_text().splitlines()
        ]
    match = re.search(r"tps = ([0-9.]+)", completed.stdout)
    if match is None:
        raise RuntimeError(f"pgbench printed no tps: {completed.stdout}{completed.stderr}")
    return LoadResult(
        requests_per_second=float(match.group(1)),
        p50_milliseconds=percentile(latencies, 50),
        p99_milliseconds=percentile(latencies, 99),
    )


def lookup_api_figures(dataset: Dataset, shape: ServerShape) -> list[Figure]:
    wrk_required()
    points = points_file(dataset)
    statement, parameters = lookup_statement()
    first_line = points.read_text().splitlines()[0]
    latitude, longitude = first_line.split(",")
    probe = f"lat={latitude}&lon={longitude}&date={LOOKUP_DAY.isoformat()}"

    with gunicorn_serving(dataset, shape, probe) as base_url:
        wrk_run(base_url, points, shape, WARM_UP_SECONDS)
        address = base_url.removeprefix("http://")

        def is_gunicorn(command: str) -> bool:
            return "gunicorn" in command and address in command

        def is_backend(command: str) -> bool:
            # The title PostgreSQL gives a backend: "postgres: 15/main: user database host …".
            return command.startswith("postgres: ") and f" {dataset.database} " in command

        gunicorn_before = processes_cpu_seconds(is_gunicorn)
        postgresql_before = processes_cpu_seconds(is_backend)
        served = wrk_run(base_url, points, shape, MEASURED_SECONDS)
        requests = served.requests_per_second * MEASURED_SECONDS
        gunicorn_milliseconds = (
            (processes_cpu_seconds(is_gunicorn) - gunicorn_before) / requests * 1e3
        )
        postgresql_milliseconds = (
            (processes_cpu_seconds(is_backend) - postgresql_before) / requests * 1e3
        )
    script = pgbench_script(statement, parameters)
    pgbench_run(dataset, script, shape.connections, WARM_UP_SECONDS)
    floor = pgbench_run(dataset, script, shape.connections, MEASURED_SECONDS)

    return [
        Figure(
            dataset=dataset.key,
            name="lookup API throughput",
            unit="requests/s",
            project=served.requests_per_second,
            floor=floor.requests_per_second,
            target_operator="≥",
            target_value=TARGET_REQUESTS_PER_SECOND,
            note=shape.description,
        ),
        Figure(
            dataset=dataset.key,
            name="lookup API p50",
            unit="ms",
            project=served.p50_milliseconds,
            floor=floor.p50_milliseconds,
            target_operator="≤",
            target_value=TARGET_P50_MILLISECONDS,
        ),
        Figure(
            dataset=dataset.key,
            name="lookup API p99",
            unit="ms",
            project=served.p99_milliseconds,
            floor=floor.p99_milliseconds,
        ),
        Figure(
            dataset=dataset.key,
            name="lookup API CPU per request",
            unit="ms",
            project=gunicorn_milliseconds + postgresql_milliseconds,
            note=(
                f"gunicorn and Django {gunicorn_milliseconds:.2f} ms, "
                f"PostgreSQL {postgresql_milliseconds:.2f} ms"
            ),
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", choices=sorted(DATASETS))
    parser.add_argument("--workers", type=int, default=ServerShape.workers)
    parser.add_argument("--threads", type=int, default=ServerShape.threads)
    parser.add_argument("--connections", type=int, default=ServerShape.connections)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    arguments = parser.parse_args()
    dataset = DATASETS[arguments.dataset]
    django_setup(dataset.database)
    shape = ServerShape(
        workers=arguments.workers, threads=arguments.threads, connections=arguments.connections
    )
    figures = lookup_api_figures(dataset, shape)
    if arguments.json:
        figures_write(figures, arguments.json)
    print(figures_table(figures))


if __name__ == "__main__":
    main()
