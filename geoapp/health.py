"""The health of the parts the app needs: database, PostGIS, Redis and Celery workers.

Two answers. Anyone (a load balancer, a monitor) gets whether each part is up, and nothing else:
no error text, no host or worker name, no version. Staff (`is_staff`) also get the details, and
only they make the app ask the workers over the broker. The public answer judges the workers by
their heartbeat (a beat task every minute) instead, so that a burst of health requests costs a
cache read each, never a one-second wait on the broker in a web worker.
"""

import datetime
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from geoapp.celery import app as celery_app

HEARTBEAT_CACHE_KEY = "geoapp:celery-heartbeat"
# The beat sends a heartbeat every minute; three missed ones mean no worker is taking tasks.
HEARTBEAT_MAX_AGE = datetime.timedelta(minutes=3)


def _database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT PostGIS_Lib_Version()")
            return {"ok": True, "postgis": cursor.fetchone()[0]}
    except Exception as error:  # any failure means "down"; the message says which
        return {"ok": False, "error": str(error).strip()}


def _redis() -> dict[str, Any]:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        return {"ok": bool(client.ping())}
    except redis.RedisError as error:
        return {"ok": False, "error": str(error)}


def heartbeat_record() -> datetime.datetime:
    """Note that a worker ran a task now; kept a day, long enough to notice a dead beat."""
    moment = timezone.now()
    cache.set(HEARTBEAT_CACHE_KEY, moment.isoformat(), timeout=24 * 3600)
    return moment


def _last_heartbeat() -> str | None:
    try:
        value = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # the cache is Redis too; its failure is reported under "redis"
        return None
    return value if isinstance(value, str) else None


def _celery_by_heartbeat() -> dict[str, Any]:
    last = _last_heartbeat()
    recent = last is not None and (
        timezone.now() - datetime.datetime.fromisoformat(last) <= HEARTBEAT_MAX_AGE
    )
    return {"ok": recent, "last_heartbeat": last}


def _celery_workers() -> dict[str, Any]:
    try:
        replies = celery_app.control.ping(timeout=1.0) or []
    except Exception as error:  # the broker itself may be down
        return {"ok": False, "workers": [], "error": str(error)}
    workers = sorted(name for reply in replies for name in reply)
    return {"ok": bool(workers), "workers": workers, "last_heartbeat": _last_heartbeat()}


def system_health(*, detailed: bool = False) -> dict[str, Any]:
    """Each part's state; `ok` only when every part answers. Without `detailed`, each part says
    only whether it is up."""
    parts = {
        "database": _database(),
        "redis": _redis(),
        "celery": _celery_workers() if detailed else _celery_by_heartbeat(),
    }
    if not detailed:
        parts = {name: {"ok": part["ok"]} for name, part in parts.items()}
    return {"ok": all(part["ok"] for part in parts.values()), **parts}
