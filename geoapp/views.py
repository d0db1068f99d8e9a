from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from geoapp.control_characters import Refusal
from geoapp.health import system_health


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


def control_character_refused(request: HttpRequest, refusal: Refusal) -> HttpResponse:
    """A page's answer to a control character in the input: a 400 page saying which field."""
    return render(request, "400.html", {"message": refusal.message()}, status=400)
