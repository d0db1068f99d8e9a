from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

from geoapp.error_responses import Message, error_respond
from geoapp.health import system_health
from geoapp.middleware import MACHINE_INTERFACE_PREFIXES
from geoapp.request_limits import request_refusal


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and the Celery workers are up; 503 otherwise. Staff see the
    details (errors, versions, workers); anyone else only whether each part is up."""
    health = system_health(detailed=request.user.is_authenticated and request.user.is_staff)
    return JsonResponse(health, status=200 if health["ok"] else 503)


def login_locked_out(
    request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """What django-axes answers to a login refused after too many wrong passwords: 429, in the
    visitor's language, saying how long to wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def error_page(request: HttpRequest, status: int, code: str, message: Message) -> HttpResponse:
    """A page's answer to an error met outside any view (geoapp/error_responses.py)."""
    if status == 404:
        return page_not_found(request, Http404())
    return render(request, "400.html", {"message": message()}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """`handler400`: a request Django itself cannot read (too many fields, a body over the size
    limit, a broken multipart form), answered in the format of the interface it was sent to; an
    oversized body is said to be one, in the visitor's language, with a way back."""
    refusal = request_refusal(exception)
    if refusal is not None:
        if request.path.startswith(MACHINE_INTERFACE_PREFIXES):
            # Each interface in its own format (the REST API's JSON, Open311's XML or JSON).
            error = refusal.error
            return error_respond(
                request, status=refusal.status, code=error.code, message=lambda: error.message
            )
        return render(
            request,
            "request_refused.html",
            {"message": refusal.error.message, "back_to": request.path},
            status=refusal.status,
        )
    return error_respond(
        request,
        status=400,
        code="unreadable_request",
        message=lambda: _("Không đọc được yêu cầu: quá lớn, quá nhiều trường hoặc sai định dạng."),
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """`handler404`: an address no route matches (or a view's Http404), answered in the format of
    the interface it belongs to; an API client reads JSON, not an HTML page."""
    return error_respond(
        request,
        status=404,
        code="not_found",
        message=lambda: _("Không có tài nguyên nào ở địa chỉ này."),
    )
