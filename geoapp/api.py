"""API conventions shared by every app: how domain errors become HTTP answers."""

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from geoapp.exceptions import DomainError, ErrorKind

HTTP_STATUS_OF_ERROR = {
    ErrorKind.INVALID: status.HTTP_400_BAD_REQUEST,
    ErrorKind.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorKind.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorKind.CONFLICT: status.HTTP_409_CONFLICT,
}


def exception_handler(exception: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus domain errors as `{"detail": message, "code": code}`."""
    if isinstance(exception, DomainError):
        return Response(
            {"detail": exception.message, "code": exception.code},
            status=HTTP_STATUS_OF_ERROR[exception.kind],
        )
    return drf_exception_handler(exception, context)
