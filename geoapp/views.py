from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults

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


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's answer to a request it refused (handler400), made clear when the refusal is of an
    oversized body: the pages say so in the visitor's language, with a way back; the REST API
    (whose views answer this themselves) gets its JSON if the refusal came before a view."""
    refusal = request_refusal(exception)
    if refusal is None:
        return defaults.bad_request(request, exception or Exception())
    if request.path.startswith(MACHINE_INTERFACE_PREFIXES):
        return JsonResponse(
            {"detail": refusal.error.message, "code": refusal.error.code}, status=refusal.status
        )
    return render(
        request,
        "request_refused.html",
        {"message": refusal.error.message, "back_to": request.path},
        status=refusal.status,
    )
