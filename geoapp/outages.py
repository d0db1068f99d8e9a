"""What every interface answers while the database cannot be reached: HTTP 503, with Retry-After.

A PostgreSQL restart, failover or network cut shows up in Django as an OperationalError (no
connection, the server closed it mid-query) or an InterfaceError (a connection already closed).
Nothing was written by the failed request, since every write is one transaction; so the honest
answer is "try again shortly", in the caller's format and language (the REST API's JSON, Open311's
errors document, a page), never a 500. Django reconnects at the next request by itself
(CONN_HEALTH_CHECKS): no restart is needed once the database is back.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
DATABASE_UNAVAILABLE_CODE = "database_unavailable"
# A restart or failover takes seconds: clients may retry soon (the same Idempotency-Key makes a
# retried filing safe).
RETRY_AFTER_SECONDS = 10


def database_unavailable_message() -> str:
    return _("Hệ thống đang tạm thời gián đoạn, chưa lưu được gì. Vui lòng thử lại sau ít giây.")


def database_unavailable_log(request: HttpRequest, error: Exception) -> None:
    logger.error("database unavailable, answered 503 to %s %s: %s", request.method,
                 request.path, error)  # fmt: skip
