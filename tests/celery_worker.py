"""A real Celery worker process on the real Redis broker, for tests that assert a task's effect."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geoapp.celery import app as celery_app

PROJECT_DIR = Path(__file__).resolve().parent.parent


@contextmanager
def running_worker(*, database_name: str | None = None, queue: str | None = None) -> Iterator[str]:
    """Start `celery worker` in a subprocess and wait until it answers a ping; yield its name.

    The worker gets a unique node name so the tests can tell it from a developer's worker
    listening on the same Redis; `database_name` points it at the test database; `queue` makes
    it consume only that queue, so it takes this test's tasks and no other test's.
    """
    node_name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "geoapp.settings.test"}
    if database_name:
        environment["GEOAPP_TEST_WORKER_DATABASE"] = database_name
    queue_arguments = ["-Q", queue] if queue else []
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "geoapp", "worker", "--pool=solo",
         "--loglevel=warning", "--without-mingle", "--without-gossip", "--without-heartbeat",
         *queue_arguments, "-n", node_name],
        cwd=PROJECT_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the worker exited: {process.communicate()[0].decode()}")
            if celery_app.control.ping(destination=[node_name], timeout=0.5):
                break
        else:
            raise RuntimeError("the worker did not answer a ping within 30 seconds")
        yield node_name
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
