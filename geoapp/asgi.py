"""The ASGI entry point: production settings unless DJANGO_SETTINGS_MODULE says otherwise; like
the WSGI one, it refuses to serve while a deployment check fails with an error."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.production")
application = get_asgi_application()

from geoapp.deployment import refuse_to_serve_unsafely  # noqa: E402 (needs the apps loaded)

refuse_to_serve_unsafely()
