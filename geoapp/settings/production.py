"""Production: what `geoapp/wsgi.py`, `geoapp/asgi.py` and the Celery app use unless told otherwise.

Everything secret or host-specific comes from the environment (docs/security.md lists it);
`manage.py check --deploy` with these settings and that environment reports no issue. The app
serves behind a reverse proxy that terminates TLS (`NUM_PROXIES`, `X-Forwarded-Proto`).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
# The development key is published in the repository: with it anyone could compute a report's
# private link (an HMAC of its tracking code) or forge a session.
if SECRET_KEY == "insecure-development-key-change-me" or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY must be a secret of at least 50 characters of this deployment, "
        "e.g. `python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
    )
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# The origins forms are posted from (https://host), for the CSRF check behind the TLS proxy.
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=[f"https://{host}" for host in ALLOWED_HOSTS]
)

# TLS ends at the proxy, which says so in X-Forwarded-Proto; links built from a request are then
# https://, plain http is redirected, and browsers are told to use https for a year.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
