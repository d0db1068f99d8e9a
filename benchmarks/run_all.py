"""Run every benchmark on both data sets, several times, and print the median figures.

    make benchmark
    .venv/bin/python benchmarks/run_all.py [--only routing] [--dataset real] [--runs 3]
                                           [--wait-for-load 1.0]
    .venv/bin/python benchmarks/run_all.py --only citizen_pages staff_pages filing_growth \
                                           --reports 10000 100000 1000000 --runs 1
    .venv/bin/python benchmarks/run_all.py --only weekly_report --reports 10000 1000000 --runs 1

Each benchmark runs in a process of its own (Django is set up once per process, for one
database). The data sets are prepared first (created, migrated and filled once, then reused;
see benchmarks/datasets.py). The figures of every run, the machine and the load averages are
written to var/benchmarks/results-<date>-<time>.json, and the table beside it in .md.

The machine has two cores shared with other work: timings are only meaningful when the load
average is low. `--wait-for-load 1.0` waits (up to ten minutes) before each measurement until the
one-minute load average is below 1.

The page benchmarks (citizen_pages, staff_pages, ioc), filing at any size (filing_growth) and the
weekly report (weekly_report) run only when named in `--only`: once per
number of reports in `--reports` (default 10,000), each size on its own database, loaded first
when it is not yet (see benchmarks/report_loader.py; a million reports take minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

# Run as a script (`python benchmarks/run_all.py`), the repository root is not on the path.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import (  # noqa: E402
    REPOSITORY_ROOT,
    RESULTS_DIRECTORY,
    Figure,
    database_server,
    figures_median,
    figures_read,
    figures_table,
    load_average,
)
from benchmarks.datasets import DATASETS, DEFAULT_REPORT_COUNT  # noqa: E402

BENCHMARKS = {
    "routing": "benchmarks.routing",
    "lookup_api": "benchmarks.lookup_api",
    "bulk_routing": "benchmarks.bulk_routing",
}
# Benchmarks on a database of their own, which they prepare themselves: run once per run.
OWN_DATABASE_BENCHMARKS = {
    "incidents": ("benchmarks.incidents", "demo"),
    "directives": ("benchmarks.directives", "directives"),
}
# The pages at a number of reports (their `--reports`), each size on its own database: run once
# per run and size, and only when asked for by name.
PAGE_BENCHMARKS = {
    "citizen_pages": ("benchmarks.citizen_pages", "citizen"),
    "staff_pages": ("benchmarks.staff_pages", "staff"),
    # The operations centre (issue 13), on the staff pages' databases.
    "ioc": ("benchmarks.ioc", "ioc"),
    # Filing through incident_create on the citizen pages' databases (issue 10: filing flat as
    # the table grows); rolled back, so the databases stay as loaded.
    "filing_growth": ("benchmarks.filing_growth", "citizen"),
    # The weekly report (issue 13, part 4): N reports and N dossiers over 3,321 communes, on a
    # database of its own per size; three reports per run.
    "weekly_report": ("benchmarks.weekly_report", "weekly_report"),
}
LONGEST_WAIT_SECONDS = 600


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    every_benchmark = [*BENCHMARKS, *OWN_DATABASE_BENCHMARKS]
    parser.add_argument(
        "--only",
        nargs="+",
        choices=sorted([*every_benchmark, *PAGE_BENCHMARKS]),
        default=every_benchmark,
    )
    parser.add_argument(
        "--reports",
        nargs="+",
        type=int,
        default=[DEFAULT_REPORT_COUNT],
        metavar="N",
        help="numbers of reports for the page benchmarks (default 10,000)",
    )
    parser.add_argument("--dataset", nargs="+", choices=sorted(DATASETS), default=list(DATASETS))
    parser.add_argument("--runs", type=int, default=3, help="runs per figure; the median counts")
    parser.add_argument(
        "--wait-for-load",
        type=float,
        metavar="LOAD",
        help="before each measurement, wait until the one-minute load average is below LOAD",
    )
    arguments = parser.parse_args()
    _tools_required(arguments.only)

    for key in arguments.dataset:
        _module_run("benchmarks.datasets", [key])
    for name in arguments.only:
        if name in PAGE_BENCHMARKS:
            module, key = PAGE_BENCHMARKS[name]
            for reports in arguments.reports:
                _module_run(module, [key, "--reports", str(reports), "--load-only"])

    machine = machine_description()
    print("\n".join(f"{name}: {value}" for name, value in machine.items()), flush=True)
    runs: list[list[Figure]] = []
    loads: list[dict[str, object]] = []
    for run in range(1, arguments.runs + 1):
        figures: list[Figure] = []
        measurements: list[tuple[str, str, str, list[str]]] = (
            [
                (name, BENCHMARKS[name], key, [])
                for key in arguments.dataset
                for name in arguments.only
                if name in BENCHMARKS
            ]
            + [
                (name, *OWN_DATABASE_BENCHMARKS[name], [])
                for name in arguments.only
                if name in OWN_DATABASE_BENCHMARKS
            ]
            + [
                (name, *PAGE_BENCHMARKS[name], ["--reports", str(reports)])
                for name in arguments.only
                if name in PAGE_BENCHMARKS
                for reports in arguments.reports
            ]
        )
        for name, module, key, extra in measurements:
            load_before = _quiet_enough(arguments.wait_for_load)
            print(
                f"run {run}/{arguments.runs}: {name} on {' '.join([key, *extra])} "
                f"(load {load_before:.2f})",
                flush=True,
            )
            measured = _benchmark_run(module, key, extra)
            loads.append(
                {
                    "run": run,
                    "benchmark": name,
                    "dataset": " ".join([key, *extra]),
                    "load_before": load_before,
                    "load_after": load_average(),
                }
            )
            figures.extend(measured)
        runs.append(figures)
        print(figures_table(figures), flush=True)

    medians = figures_median(runs)
    table = figures_table(medians)
    highest_load = max(float(entry["load_before"]) for entry in loads)  # type: ignore[arg-type]
    print(
        f"\nMedian of {arguments.runs} run(s); highest load before a measurement: "
        f"{highest_load:.2f}\n{table}"
    )
    RESULTS_DIRECTORY.mkdir(parents=True, exist_ok=True)
    # One file per invocation: several people run benchmarks on the shared machine.
    stem = time.strftime("results-%Y%m%d-%H%M%S")
    (RESULTS_DIRECTORY / f"{stem}.json").write_text(
        json.dumps(
            {
                "machine": machine,
                "loads": loads,
                "median": [asdict(figure) for figure in medians],
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    (RESULTS_DIRECTORY / f"{stem}.md").write_text(table + "\n")
    print(f"written: {RESULTS_DIRECTORY / stem}.json and .md")


def machine_description() -> dict[str, str]:
    import psycopg

    memory_kib = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    any_dataset = next(iter(DATASETS.values()))
    with psycopg.connect(database_server().conninfo(any_dataset.database)) as connection:
        postgresql, postgis, shared_buffers, jit = connection.execute(
            "SELECT current_setting('server_version'), postgis_full_version(), "
            "current_setting('shared_buffers'), current_setting('jit')"
        ).fetchone()  # type: ignore[misc]
    return {
        "cores": str(os.cpu_count()),
        "processor": model,
        "memory": f"{memory_kib / 1024 / 1024:.1f} GiB",
        "PostgreSQL": f"{postgresql} (shared_buffers {shared_buffers}, jit {jit})",
        "PostGIS": _postgis_versions(postgis),
        "Python": platform.python_version(),
    }


def _postgis_versions(full_version: str) -> str:
    """'3.3.2 (GEOS 3.11.1, PROJ 9.1.1)' from postgis_full_version()'s 'POSTGIS="3.3.2 …" …'."""
    versions = dict(re.findall(r'(\w+)="([^" ]+)', full_version))
    extras = ", ".join(f"{name} {versions[name]}" for name in ("GEOS", "PROJ") if name in versions)
    return f"{versions.get('POSTGIS', full_version)} ({extras})"


def _tools_required(benchmarks: list[str]) -> None:
    needed = ["psql"]
    if "lookup_api" in benchmarks:
        needed += ["wrk", "pgbench"]
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if missing:
        raise SystemExit(
            f"missing: {', '.join(missing)}. Install wrk with 'apt-get install wrk' (or run "
            "'bash scripts/benchmark.sh', which does); psql and pgbench come with PostgreSQL."
        )


def _quiet_enough(threshold: float | None) -> float:
    """The load average now, after waiting for it to fall below `threshold` when one is set."""
    if threshold is None:
        return load_average()
    deadline = time.monotonic() + LONGEST_WAIT_SECONDS
    announced = False
    while load_average() >= threshold and time.monotonic() < deadline:
        if not announced:
            print(
                f"waiting for the load average ({load_average():.2f}) to fall below {threshold} …",
                flush=True,
            )
            announced = True
        time.sleep(10)
    if load_average() >= threshold:
        print(f"load still {load_average():.2f} after {LONGEST_WAIT_SECONDS} s; measuring anyway")
    return load_average()


def _module_run(module: str, arguments: list[str]) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", module, *arguments], cwd=REPOSITORY_ROOT, check=False
    )
    if completed.returncode != 0:
        raise SystemExit(f"{module} {' '.join(arguments)} failed (exit {completed.returncode})")


def _benchmark_run(module: str, dataset_key: str, extra: list[str]) -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="geoapp-benchmark-") as directory:
        output = Path(directory) / "figures.json"
        completed = subprocess.run(
            [sys.executable, "-m", module, dataset_key, *extra, "--json", str(output)],
            cwd=REPOSITORY_ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode != 0:
            raise SystemExit(
                f"{module} {dataset_key} {' '.join(extra)} failed:\n"
                f"{completed.stdout}{completed.stderr}"
            )
        return figures_read(output)


if __name__ == "__main__":
    main()
