"""The WSGI entry point: production settings unless DJANGO_SETTINGS_MODULE says otherwise
(`make run` chooses development explicitly). A production process refuses to serve while a
deployment check fails with an error, e.g. a demo account still has its published password."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.production")
application = get_wsgi_application()

from geoapp.deployment import refuse_to_serve_unsafely  # noqa: E402 (needs the apps loaded)

refuse_to_serve_unsafely()
