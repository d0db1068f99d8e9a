from django.http import HttpRequest, JsonResponse

from geoapp.health import system_health


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, Redis and the Celery workers are up; 503 otherwise. Staff see the
    details (errors, versions, workers); anyone else only whether each part is up."""
    health = system_health(detailed=request.user.is_authenticated and request.user.is_staff)
    return JsonResponse(health, status=200 if health["ok"] else 503)
