"""The test suite: real PostGIS and real Redis, fast password hashing."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# locmem, unless a process started by a test records deliveries elsewhere (tests/faults/).
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
# A separate Redis database keeps test keys away from a developer's running app.
REDIS_URL = env("TEST_REDIS_URL", default="redis://127.0.0.1:6379/15")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
}
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL

# A Celery worker started by a test must use that test's database, not the development one.
if env("GEOAPP_TEST_WORKER_DATABASE", default=""):
    DATABASES["default"]["NAME"] = env("GEOAPP_TEST_WORKER_DATABASE")  # noqa: F405

# The demo accounts and reports may be loaded here (never in production).
DEMO_DATA_ALLOWED = True

# django-axes needs the request of every login, which the test client's login() does not pass;
# the tests of the lockout turn it on (tests/geoapp/test_login_limits.py).
AXES_ENABLED = False
