"""Platform tasks: thin interfaces, as every task in the project."""

from celery import shared_task

from geoapp.health import heartbeat_record


@shared_task(name="geoapp.heartbeat")
def heartbeat() -> str:
    """Scheduled by beat each minute so /healthz can tell when a worker last did any work."""
    return heartbeat_record().isoformat()
