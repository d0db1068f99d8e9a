from django.http import HttpRequest, JsonResponse

from geoapp.health import system_health


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and at least one Celery worker answer; 503 otherwise."""
    health = system_health()
    return JsonResponse(health, status=200 if health["ok"] else 503)
