"""What a production process checks before it serves."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def refuse_to_serve_unsafely() -> None:
    """Run the security checks of `manage.py check --deploy` when not in DEBUG, and raise
    ImproperlyConfigured, so that gunicorn's workers do not boot, if any fails with an error.

    Only those tagged `security`: every worker runs this as it boots, and the other deployment
    checks (drf-spectacular's builds the whole OpenAPI document) belong to `check --deploy`.

    Warnings are left to `check --deploy`; errors mean the site must not be on the internet as it
    is (a demo account with the published password, for one).
    """
    if settings.DEBUG:
        return
    failures = [
        message
        for message in checks.run_checks(
            tags=[checks.Tags.security], include_deployment_checks=True
        )
        if message.level >= checks.ERROR
    ]
    if failures:
        raise ImproperlyConfigured(
            "Refusing to serve:\n"
            + "\n".join(f"{message.id}: {message.msg}" for message in failures)
        )
