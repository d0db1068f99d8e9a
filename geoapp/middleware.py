"""Language choice (Vietnamese first), and the answer of the pages while the database is down."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geoapp.outages import (
    DATABASE_UNAVAILABLE_CODE,
    DATABASE_UNAVAILABLE_ERRORS,
    RETRY_AFTER_SECONDS,
    database_unavailable_log,
    database_unavailable_message,
)

MACHINE_INTERFACE_PREFIXES = ("/api/", "/open311/", "/ogc/", "/tiles/")


class VietnameseUnlessChosenMiddleware:
    """Pages are in Vietnamese unless the visitor chose English with the language switch.

    Many browsers here announce English by default (an English Windows or Android), which must
    not turn a Vietnamese official's pages into English; so for pages the Accept-Language header
    is dropped before Django's LocaleMiddleware, leaving the language cookie and then Vietnamese.
    Machine interfaces (the REST API, Open311) still honour Accept-Language, as clients expect.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(MACHINE_INTERFACE_PREFIXES):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DatabaseUnavailableMiddleware:
    """A view that meets a database outage answers 503 with Retry-After, not a 500.

    The REST API and Open311 answer it in their own formats (geoapp/api.py, the Open311 views);
    this catches the rest: pages get a short page built without the database or templates (their
    context processors would read the session from it), any other JSON caller gets JSON.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return None
        database_unavailable_log(request, exception)
        message = database_unavailable_message()
        response: HttpResponse
        if request.path.startswith(MACHINE_INTERFACE_PREFIXES):
            response = JsonResponse(
                {"detail": message, "code": DATABASE_UNAVAILABLE_CODE}, status=503
            )
        else:
            title = _("Tạm thời gián đoạn")
            response = HttpResponse(
                f'<!doctype html><html lang="{get_language() or "vi"}"><head><meta charset="utf-8">'
                f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
                f"<p>{escape(message)}</p></body></html>",
                status=503,
                content_type="text/html; charset=utf-8",
            )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
