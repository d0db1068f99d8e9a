"""How much a request may carry, and what each interface answers when it carries more.

Django bounds the form fields of a body (DATA_UPLOAD_MAX_MEMORY_SIZE) and the number of fields and
files (DATA_UPLOAD_MAX_NUMBER_FIELDS, DATA_UPLOAD_MAX_NUMBER_FILES), but not the files themselves,
nor a JSON body that DRF reads from the stream: REQUEST_BODY_MAX_BYTES bounds the whole body. A
body over it is never read: the first read raises Django's own RequestDataTooBig, so the refusal
comes from wherever the body is read (a view, DRF's parser, the CSRF check) like Django's other
refusals, and each interface turns them into its answer with `request_refusal`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput


class RequestBodyTooLarge(RequestDataTooBig):
    """The body is larger than REQUEST_BODY_MAX_BYTES (photos included)."""


# What Django raises when it refuses to read a request's body.
REQUEST_REFUSALS = (RequestDataTooBig, TooManyFilesSent, TooManyFieldsSent)


class _CappedBody:
    """The request's input stream, refusing to give more than `limit` bytes in all."""

    def __init__(self, stream: Any, *, limit: int, declared: int | None) -> None:
        self.stream = stream
        self.limit = limit
        self.declared = declared
        self.given = 0

    def __getattr__(self, name: str) -> Any:
        # Everything else (close, and whatever a server's stream offers) is the wrapped stream's.
        return getattr(self.stream, name)

    def read(self, size: int = -1) -> bytes:
        return self._counted(self.stream.read(*self._ask(size)))

    def readline(self, size: int = -1) -> bytes:
        return self._counted(self.stream.readline(*self._ask(size)))

    def _ask(self, size: int) -> tuple[int, ...]:
        if self.declared is not None and self.declared > self.limit:
            # Refused before a byte is read: the declared length is enough to know.
            raise RequestBodyTooLarge("Request body over REQUEST_BODY_MAX_BYTES")
        # One byte past the limit is enough to know a body without a declared length is over it.
        remaining = self.limit + 1 - self.given
        return (remaining if size is None or size < 0 else min(size, remaining),)

    def _counted(self, data: bytes) -> bytes:
        self.given += len(data)
        if self.given > self.limit:
            raise RequestBodyTooLarge("Request body over REQUEST_BODY_MAX_BYTES")
        return data


class RequestBodyLimitMiddleware:
    """Caps every request's body at REQUEST_BODY_MAX_BYTES before any view, or the CSRF check,
    reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            declared: int | None = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = None
        # HttpRequest.read() reads `_stream` (the WSGI input, bounded by Content-Length unless
        # the server announces a terminated chunked input): wrapping it is the one place every
        # reader of the body goes through.
        # It reads and counts like the file it wraps, which is all HttpRequest asks of it.
        request._stream = cast(
            BinaryIO,
            _CappedBody(request._stream, limit=settings.REQUEST_BODY_MAX_BYTES, declared=declared),
        )
        return self.get_response(request)


@dataclass(frozen=True)
class RequestRefusal:
    """What to answer to a request Django refused to read: an HTTP status and a clear error."""

    status: int
    error: InvalidInput


def request_refusal(exception: BaseException | None) -> RequestRefusal | None:
    """The answer to Django's refusal to read an oversized request, or None for other errors."""
    if isinstance(exception, RequestBodyTooLarge):
        return RequestRefusal(
            413,
            InvalidInput(
                _("Dữ liệu gửi lên quá lớn: tối đa %(megabytes)s MB mỗi lần gửi, kể cả ảnh.")
                % {"megabytes": f"{settings.REQUEST_BODY_MAX_BYTES / 1_000_000:g}"},
                code="request_too_large",
            ),
        )
    if isinstance(exception, RequestDataTooBig):
        return RequestRefusal(
            413,
            InvalidInput(
                _("Phần chữ của dữ liệu gửi lên quá lớn: tối đa %(megabytes)s MB, không kể ảnh.")
                % {"megabytes": f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000:g}"},
                code="request_too_large",
            ),
        )
    if isinstance(exception, TooManyFilesSent):
        return RequestRefusal(
            400,
            InvalidInput(
                _("Gửi quá nhiều tệp trong một lần: tối đa %(limit)d tệp.")
                % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
                code="too_many_files",
            ),
        )
    if isinstance(exception, TooManyFieldsSent):
        return RequestRefusal(
            400,
            InvalidInput(
                _("Gửi quá nhiều trường trong một lần: tối đa %(limit)d trường.")
                % {"limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS},
                code="too_many_fields",
            ),
        )
    return None
