"""Local development: `make run` and `manage.py` by hand."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)

# The demo accounts and reports may be loaded here (never in production).
DEMO_DATA_ALLOWED = True
