"""The health of the parts the app needs: database, PostGIS, Redis and Celery workers."""

import datetime
from typing import Any

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from geoapp.celery import app as celery_app


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


HEARTBEAT_CACHE_KEY = "geoapp:celery-heartbeat"


def heartbeat_record() -> datetime.datetime:
    """Note that a worker ran a task now; kept a day, long enough to notice a dead beat."""
    moment = timezone.now()
    cache.set(HEARTBEAT_CACHE_KEY, moment.isoformat(), timeout=24 * 3600)
    return moment


def _celery_workers() -> dict[str, Any]:
    try:
        replies = celery_app.control.ping(timeout=1.0) or []
    except Exception as error:  # the broker itself may be down
        return {"ok": False, "workers": [], "error": str(error)}
    workers = sorted(name for reply in replies for name in reply)
    try:
        last_heartbeat = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # the cache is Redis too; its failure is reported under "redis"
        last_heartbeat = None
    return {"ok": bool(workers), "workers": workers, "last_heartbeat": last_heartbeat}


def system_health() -> dict[str, Any]:
    """Each part's state; `ok` only when every part answers."""
    parts = {"database": _database(), "redis": _redis(), "celery": _celery_workers()}
    return {"ok": all(part["ok"] for part in parts.values()), **parts}
