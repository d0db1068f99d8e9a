"""What every benchmark shares: its own databases, Django set-up, statistics and tables.

The benchmarks never touch the developer's database: each data set lives in its own database
(`geoapp_benchmark_<data set>`), created from template1 (which carries PostGIS, see
scripts/lib.sh) by the `geoapp` role, which has CREATEDB, and migrated with `manage.py migrate`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIRECTORY = REPOSITORY_ROOT / "var" / "benchmarks"
# Several checkouts measuring at once (each with its own schema) each set their own prefix.
DATABASE_NAME_PREFIX = os.environ.get("GEOAPP_BENCHMARK_DATABASE_PREFIX", "geoapp_benchmark")

# The server the benchmark databases live on; the database name is appended per data set.
SERVER_URL = os.environ.get("GEOAPP_BENCHMARK_SERVER_URL", "postgis://geoapp:geoapp@127.0.0.1:5432")

# Only for the benchmark's own gunicorn and in-process Django: production settings refuse to
# start without a secret key, and nothing here signs anything that outlives the run.
BENCHMARK_SECRET_KEY = "benchmark-only-secret-key-not-used-for-anything-real-0123456789"


@dataclass(frozen=True)
class DatabaseServer:
    host: str
    port: int
    user: str
    password: str

    def url(self, database: str) -> str:
        return f"postgis://{self.user}:{self.password}@{self.host}:{self.port}/{database}"

    def conninfo(self, database: str) -> str:
        return psycopg.conninfo.make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database,
        )

    def libpq_environment(self, database: str) -> dict[str, str]:
        """Environment for psql and pgbench, so no password appears on a command line."""
        return {
            **os.environ,
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGDATABASE": database,
        }


def database_server() -> DatabaseServer:
    parts = urlsplit(SERVER_URL)
    return DatabaseServer(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "geoapp",
        password=parts.password or "",
    )


def database_name(dataset_key: str) -> str:
    return f"{DATABASE_NAME_PREFIX}_{dataset_key}"


def database_ensure(name: str) -> bool:
    """Create the database `name` from template1 unless it exists; True when it was created."""
    server = database_server()
    with psycopg.connect(server.conninfo("postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if exists:
            return False
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template1").format(sql.Identifier(name))
        )
    return True


def django_environment(database: str) -> dict[str, str]:
    """The environment of a production deployment pointed at a benchmark database."""
    return {
        **os.environ,
        "DATABASE_URL": database_server().url(database),
        "DJANGO_SETTINGS_MODULE": "geoapp.settings.production",
        "DJANGO_SECRET_KEY": BENCHMARK_SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        # Measured over plain HTTP on the loopback, without the TLS proxy a deployment has.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(REPOSITORY_ROOT),
    }


def database_copy_of_another_size(database: str, *, key_prefix: str) -> bool:
    """Create `database` as a copy of the first loaded database of the same data set (the names
    starting with `key_prefix` after the prefix), when there is one and `database` does not
    exist yet: creating 3,321 communes one by one through the services takes many minutes, and
    the load then keeps the communes and replaces the rest. True when it copied."""
    from psycopg import sql

    server = database_server()
    with psycopg.connect(server.conninfo("postgres"), autocommit=True) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s ORDER BY datname",
                [database_name(key_prefix) + "%"],
            )
        ]
        if database in names or not names:
            return False
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(database), sql.Identifier(names[0])
            )
        )
    return True


def database_migrate(name: str) -> None:
    completed = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input"],
        cwd=REPOSITORY_ROOT,
        env=django_environment(name),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise SystemExit(
            f"migrating the benchmark database {name} failed:\n{completed.stdout}{completed.stderr}"
        )


def django_setup(database: str) -> None:
    """Set Django up in this process against the benchmark database `database`."""
    os.environ.update(django_environment(database))
    if str(REPOSITORY_ROOT) not in sys.path:
        sys.path.insert(0, str(REPOSITORY_ROOT))
    import django

    django.setup()


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` (0–100) percentile with linear interpolation, as numpy's default."""
    # A share below 1 is a fraction written by mistake (0.95 for 95): it would give the minimum.
    if not 1 <= share <= 100:
        raise ValueError(f"percentile share {share} is not between 1 and 100")
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    position = (len(ordered) - 1) * share / 100
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def processes_cpu_seconds(matches: Callable[[str], bool]) -> float:
    """CPU time (user + system) used so far by the live processes whose command line `matches`.

    Linux only (/proc). With it a figure can say how much work a request took, whatever else
    the shared machine was doing at the time.
    """
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    total_ticks = 0
    for command_file in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            command = command_file.read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if not matches(command):
                continue
            # The fields after the command name, which may itself hold spaces and parentheses.
            fields = (command_file.parent / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue  # the process ended meanwhile
        total_ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return total_ticks / ticks_per_second


def process_cpu_seconds(process: int) -> float:
    """CPU time (user + system) used so far by the live process `process` (Linux, /proc)."""
    fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def served_cpu_seconds(base_url: str, database: str) -> float:
    """CPU time used so far by the gunicorn serving `base_url` and the PostgreSQL backends of
    `database`: read before and after some requests, their CPU per request.

    On the shared machine the wall-clock time of a page grows with the other jobs' load (a load
    of 10 on two cores makes a 10 ms page take 50); the CPU it costs hardly moves, so this is
    the figure to compare between runs. It leaves out waiting (for disk, for locks), which a
    page served from the cache does little of. The clock ticks are 10 ms: read it over many
    requests.
    """
    address = base_url.removeprefix("http://")
    return processes_cpu_seconds(
        lambda command: "gunicorn" in command and address in command
    ) + database_backends_cpu_seconds(database)


def database_backends_cpu_seconds(database: str) -> float:
    """CPU time used so far by the live PostgreSQL backends connected to `database`."""
    # The title PostgreSQL gives a backend: "postgres: 15/main: user database host …".
    return processes_cpu_seconds(
        lambda command: command.startswith("postgres: ") and f" {database} " in command
    )


def postgres_server_cpu_seconds() -> float:
    """CPU time used so far by the whole PostgreSQL server: its live processes and every backend
    that has ended (the postmaster reaps them, so their time is in its children's counters).

    Backends come and go during a run (CONN_MAX_AGE closes them after a minute), so summing the
    live ones at two moments loses the time of those that ended in between. This counts every
    database on the server: read it on a machine where only the benchmark uses PostgreSQL.
    """
    ticks_per_second = os.sysconf("SC_CLK_TCK")
    statuses: dict[int, list[str]] = {}
    postmaster = None
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            command = (stat_file.parent / "cmdline").read_bytes().split(b"\0")[0]
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        process = int(stat_file.parent.name)
        statuses[process] = fields
        if command.endswith(b"/postgres"):
            postmaster = process
    if postmaster is None:
        return 0.0
    total_ticks = sum(int(value) for value in statuses[postmaster][11:15])  # own and reaped
    for fields in statuses.values():
        if int(fields[1]) == postmaster:  # parent: the live backends and background workers
            total_ticks += int(fields[11]) + int(fields[12])
    return total_ticks / ticks_per_second


def load_average() -> float:
    """The one-minute load average: above 1 on two cores, another job competes with the run."""
    return os.getloadavg()[0]


@dataclass
class Figure:
    """One measured figure: the project's value beside the raw-SQL floor and the target."""

    dataset: str
    name: str
    unit: str
    project: float | None
    floor: float | None = None
    target_operator: str = ""  # "≤" or "≥"; empty when the figure has no target
    target_value: float | None = None
    note: str = ""
    runs: list[float] = field(default_factory=list)
    floor_runs: list[float] = field(default_factory=list)

    @property
    def target(self) -> str:
        if not self.target_operator or self.target_value is None:
            return ""
        return f"{self.target_operator} {number_text(self.target_value)} {self.unit}"

    @property
    def meets_target(self) -> bool | None:
        if self.project is None or self.target_value is None:
            return None
        if self.target_operator == "≤":
            return self.project <= self.target_value
        return self.project >= self.target_value


def number_text(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value < 1 else f"{value:.2f}"


def figures_write(figures: Iterable[Figure], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(figure) for figure in figures], ensure_ascii=False))


def figures_read(path: Path) -> list[Figure]:
    return [Figure(**record) for record in json.loads(path.read_text())]


def figures_median(runs: list[list[Figure]]) -> list[Figure]:
    """One figure per (data set, name): the median of the runs, each run's value kept."""
    merged: dict[tuple[str, str], Figure] = {}
    for run in runs:
        for figure in run:
            key = (figure.dataset, figure.name)
            if key not in merged:
                merged[key] = Figure(
                    dataset=figure.dataset,
                    name=figure.name,
                    unit=figure.unit,
                    project=None,
                    target_operator=figure.target_operator,
                    target_value=figure.target_value,
                    note=figure.note,
                )
            if figure.project is not None:
                merged[key].runs.append(figure.project)
            if figure.floor is not None:
                merged[key].floor_runs.append(figure.floor)
    for figure in merged.values():
        figure.project = statistics.median(figure.runs) if figure.runs else None
        figure.floor = statistics.median(figure.floor_runs) if figure.floor_runs else None
    return list(merged.values())


def figures_table(figures: Sequence[Figure]) -> str:
    """A Markdown table, so the output can go straight into docs/benchmarks.md."""
    headers = ["data set", "figure", "target", "project", "raw-SQL floor", "met", "note"]
    rows = [
        [
            figure.dataset,
            figure.name,
            figure.target,
            f"{number_text(figure.project)} {figure.unit}",
            f"{number_text(figure.floor)} {figure.unit}" if figure.floor is not None else "–",
            {True: "yes", False: "**no**", None: ""}[figure.meets_target],
            figure.note,
        ]
        for figure in figures
    ]
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]

    def line(cells: Sequence[str]) -> str:
        return (
            "| "
            + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
            + " |"
        )

    return "\n".join(
        [line(headers), "|" + "|".join("-" * (width + 2) for width in widths) + "|"]
        + [line(row) for row in rows]
    )
