"""Platform tasks: thin interfaces, as every task in the project."""

from celery import shared_task
from django.utils import timezone

from geoapp.file_sweep import files_sweep
from geoapp.health import heartbeat_record


@shared_task(name="geoapp.heartbeat")
def heartbeat() -> str:
    """Scheduled by beat each minute so /healthz can tell when a worker last did any work."""
    return heartbeat_record().isoformat()


@shared_task(name="geoapp.files_sweep", ignore_result=True)
def files_sweep_nightly() -> int:
    """Scheduled by beat at 02:30: remove stored files no row points to, older than the grace.

    Idempotent: a second run finds nothing more to remove."""
    return files_sweep(now=timezone.now()).count
