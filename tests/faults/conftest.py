"""The parts the fault tests kill, of their own: a Redis server, Celery workers, gunicorn, and a
PostgreSQL cluster, each a real process on a free port of this machine.

The shared PostgreSQL and Redis that the rest of the suite (and other people) use are never
stopped: every part that a test kills is started here, in the test's temporary directory, and
stopped afterwards. Waits are on conditions with a deadline, never fixed sleeps.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis

from geoapp.celery import app as celery_app
from tests.notifications.conftest import categories, units  # noqa: F401 (fixtures used here)

PROJECT_DIR = Path(__file__).resolve().parent.parent.parent


def _postgresql_binaries() -> Path:
    """The newest PostgreSQL installed (Debian's layout; scripts/setup.sh installs it)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda path: int(path.parts[-3])
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/15/bin")


POSTGRESQL_BINARIES = _postgresql_binaries()
Value = TypeVar("Value")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for(
    condition: Callable[[], Value], *, timeout: float, what: str, every: float = 0.05
) -> Value:
    """The first true value of `condition()`, polled until `timeout` seconds passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        time.sleep(every)


class ServedProcess:
    """A subprocess whose output goes to a log file in the test's directory."""

    def __init__(self, command: list[str], *, environment: dict[str, str], log: Path) -> None:
        self.command = command
        self.environment = environment
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_DIR,
                env=self.environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL, as the kernel's OOM killer or a pulled plug does: no clean-up runs."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if not self.alive():
            return
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


class RedisServer(ServedProcess):
    """A throwaway Redis, without persistence: restarted, it comes back empty."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        super().__init__(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(directory)],
            environment=dict(os.environ),
            log=directory / "redis.log",
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        super().start()
        wait_for(self.answers, timeout=15, what=f"Redis on port {self.port}")


@pytest.fixture
def fault_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def app_environment(*, database_url: str, redis_url: str, delivery_log: Path) -> dict[str, str]:
    """The environment of a web or worker process under test: the test settings pointed at the
    given database and Redis, messages delivered through the recording provider."""
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"GEOAPP_TEST_WORKER_DATABASE", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    return {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "geoapp.settings.test",
        "DATABASE_URL": database_url,
        "TEST_REDIS_URL": redis_url,
        "NOTIFICATION_SMS_GATEWAY": "tests.faults.delivery.RecordingGateway",
        "DJANGO_EMAIL_BACKEND": "tests.faults.delivery.RecordingEmailBackend",
        "FAULT_DELIVERY_LOG": str(delivery_log),
        # Every filing of a test comes from 127.0.0.1: the limit is not what is tested here.
        "INCIDENT_CREATE_RATE": "100000/hour",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(PROJECT_DIR),
    }


class Worker(ServedProcess):
    """A real Celery worker (solo pool, one task at a time, acknowledged after it ran)."""

    def __init__(self, *, environment: dict[str, str], log: Path) -> None:
        self.name = f"fault-{uuid.uuid4().hex[:8]}@localhost"
        super().__init__(
            [sys.executable, "-m", "celery", "-A", "geoapp", "worker", "--pool=solo",
             "--loglevel=info", "--without-mingle", "--without-gossip", "--without-heartbeat",
             "-n", self.name],
            environment=environment,
            log=log,
        )  # fmt: skip

    def start(self) -> None:
        already = self.output().count(" ready.")
        super().start()
        wait_for(
            lambda: self.output().count(" ready.") > already or not self.alive(),
            timeout=30,
            what="the Celery worker to start",
        )
        assert self.alive(), self.output()


class Gunicorn(ServedProcess):
    """The app served by gunicorn (sync workers, as documented for production)."""

    def __init__(self, *, environment: dict[str, str], log: Path, workers: int = 2) -> None:
        self.port = free_port()
        super().__init__(
            [sys.executable, "-m", "gunicorn", "geoapp.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", str(workers), "--timeout", "30"],
            environment=environment,
            log=log,
        )  # fmt: skip

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/v1/categories/", timeout=5) as answer:
                return bool(answer.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def start(self) -> None:
        super().start()
        wait_for(lambda: self.answers() or not self.alive(), timeout=30, what="gunicorn")
        assert self.alive(), self.output()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http(
    url: str, *, payload: dict[str, Any] | None = None, headers: dict[str, str] | None = None
) -> Answer:
    """GET `url`, or POST `payload` as JSON; the answer whatever its status."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode() if payload is not None else None,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return Answer(answer.status, dict(answer.headers), answer.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read())


# A point of Phường Cẩm Thành in the `territory` fixture's squares, and in the real boundaries
# the demo territory loads (the README's example).
FIXTURE_CAM_THANH = ("15.05", "108.80")
DEMO_CAM_THANH = ("15.1205", "108.7923")


def filing(number: int, *, point: tuple[str, str] = FIXTURE_CAM_THANH) -> dict[str, Any]:
    """A pothole in Cẩm Thành, reported with a phone number only: the reporter is told by SMS,
    the unit by email."""
    return {
        "category": "giao-thong",
        "description": f"Ổ gà số {number} trên đường Hùng Vương",
        "lat": point[0],
        "lon": point[1],
        "attributes": {"loai-hu-hong": "o-ga"},
        "reporter_phone": f"0905{number:06d}",
        "reporter_may_be_contacted": True,
    }


def reset_broker_connections() -> None:
    # The Celery app keeps pools of broker connections made from the URL it first saw; both are
    # private attributes that celery-types does not declare.
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """This process publishes to the broker at `url`, on the default queue the workers under test
    consume (the sweeper runs here, in the test, and must reach them)."""
    original_url = celery_app.conf.broker_url
    original_queue = celery_app.conf.task_default_queue
    celery_app.conf["broker_url"] = url
    celery_app.conf.task_default_queue = "celery"
    reset_broker_connections()
    try:
        yield
    finally:
        celery_app.conf["broker_url"] = original_url
        celery_app.conf.task_default_queue = original_queue
        reset_broker_connections()


def _as_postgres(*command: str) -> subprocess.CompletedProcess[str]:
    """initdb refuses to run as root: the cluster's commands run as the postgres user."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(
        [*prefix, *command], capture_output=True, text=True, check=True, timeout=120
    )


class PostgresCluster:
    """A throwaway PostgreSQL 15 cluster with PostGIS, in a temporary directory, on a free port."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="geoapp-fault-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")

    def url(self, database: str) -> str:
        return f"postgis://postgres@127.0.0.1:{self.port}/{database}"

    def conninfo(self, database: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={database}"

    def create(self) -> None:
        _as_postgres(
            str(POSTGRESQL_BINARIES / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        # fsync off: the cluster lives for one test; a fast shutdown still writes every
        # committed transaction, which is what the restart tests.
        _as_postgres(
            str(POSTGRESQL_BINARIES / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60",
            "-l", str(self.directory / "server.log"),
            "-o", f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.directory} -c fsync=off",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        _as_postgres(
            str(POSTGRESQL_BINARIES / "pg_ctl"), "-D", str(self.data), "-w", "-m", "fast", "stop"
        )

    def running(self) -> bool:
        status = subprocess.run(
            ["runuser", "-u", "postgres", "--", str(POSTGRESQL_BINARIES / "pg_ctl"), "-D",
             str(self.data), "status"] if os.geteuid() == 0
            else [str(POSTGRESQL_BINARIES / "pg_ctl"), "-D", str(self.data), "status"],
            capture_output=True,
            check=False,
        )  # fmt: skip
        return status.returncode == 0

    def remove(self) -> None:
        if self.data.exists() and self.running():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def postgres_cluster() -> Iterator[PostgresCluster]:
    cluster = PostgresCluster()
    try:
        cluster.create()
        yield cluster
    finally:
        cluster.remove()
