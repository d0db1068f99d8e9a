"""Settings shared by every environment; every deployment-specific value comes from the environment.

The defaults match what `make run` creates on a fresh machine, so `manage.py` works by hand without
an `.env` file; a deployment overrides them through environment variables (see `.env.example`).
"""

import datetime
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-development-key-change-me")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "leaflet",
    "axes",
    "geoapp",
    "wards",
    "incidents",
    "notifications",
    "directives",
    "opendata",
    "procedures",
    "indicators",
    "spatial_reports",
    "ioc",
]

MIDDLEWARE = [
    # First: no body is read before it is capped at REQUEST_BODY_MAX_BYTES.
    "geoapp.request_limits.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # gunicorn serves the static files itself (Leaflet, fonts, scripts): nothing comes from a CDN.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "geoapp.middleware.VietnameseUnlessChosenMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A database outage met by a view: 503 with Retry-After in the caller's language, not a 500.
    "geoapp.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the language is chosen and inside the security headers, before any view reads input.
    "geoapp.hostile_input.RefuseHostileInputMiddleware",
    # Last, as django-axes asks: it answers a locked-out login before the view runs.
    "axes.middleware.AxesMiddleware",
]

# Logins (the officials' page and the admin) are limited against guessing (django-axes): after
# AXES_FAILURE_LIMIT wrong passwords from one address, or for one username, both are refused for
# AXES_COOLOFF_TIME. The address is the one the rate limits use (NUM_PROXIES).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "geoapp.throttling.client_address"
AXES_LOCKOUT_CALLABLE = "geoapp.views.login_locked_out"

ROOT_URLCONF = "geoapp.urls"
WSGI_APPLICATION = "geoapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "geoapp.context_processors.map_settings",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgis://geoapp:geoapp@127.0.0.1:5432/geoapp"),
}
# Persistent connections: opening a PostgreSQL connection costs more than a point lookup.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Statements run on a server-binding cursor (the point lookup and routing selectors) are
# prepared by psycopg after this many executions on a connection: planning them costs twice
# their execution (docs/benchmarks.md). Django's ordinary cursors bind on the client and never
# prepare. Empty disables it, as a pooler in transaction mode (PgBouncer) requires.
_prepare_threshold = env("DATABASE_PREPARE_THRESHOLD", default="5")
DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = (
    int(_prepare_threshold) if _prepare_threshold else None
)
# PostGIS with hooks that delete the files a rolled-back transaction wrote (geoapp/file_transactions.py).
DATABASES["default"]["ENGINE"] = "geoapp.database"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "heartbeat": {"task": "geoapp.heartbeat", "schedule": 60.0},
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["geoapp.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
# Photos are never served from MEDIA_ROOT (no route, and no web server may map MEDIA_URL to it):
# only through the photo views, which answer 404 once a photo or its report is hidden.
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "var" / "media")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
        # Integration clients (Open311 aggregators, hotline software) file reports with a key.
        "geoapp.authentication.ApiKeyAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "geoapp.api.exception_handler",
    "UNAUTHENTICATED_USER": None,
    # How many reverse proxies of ours stand in front of the app: the client's address is the one
    # the outermost of them saw. 0 (no proxy): REMOTE_ADDR, and X-Forwarded-For is never trusted.
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}

# Who answers an error met outside any view (a control character in the input, an address no
# route matches; geoapp/error_responses.py): each interface in its own error format, by the first
# prefix of the path that matches.
ERROR_RESPONDERS = [
    ("/open311/", "incidents.open311.views.error_response"),
    ("/api/", "geoapp.api.error_response"),
    ("", "geoapp.views.error_page"),
]

SPECTACULAR_SETTINGS = {
    "TITLE": "geoapp API",
    "DESCRIPTION": "Quảng Ngãi geospatial operations: administrative areas, routing, citizen feedback.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs load their scripts from the app's own static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "geoapp.api.declare_error_responses",
    ],
}

# Leaflet is served from django-leaflet's static files. The background tile layer is optional:
# with no URL configured, maps show the boundaries alone and no request leaves the machine.
MAP_TILE_URL = env("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION", default="")

# Security headers on every answer. The pages load scripts, styles and fonts from the app alone
# and have no inline script or style attribute, so the policy allows nothing else: an injected
# <script> or on* handler does not run. Map tiles may come from MAP_TILE_URL's host.
_TILE_ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(MAP_TILE_URL)) if MAP_TILE_URL else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Demo accounts (with their published password) and demo reports load only where this is True:
# the development and test settings, never production (see incidents_load_demo).
DEMO_DATA_ALLOWED = False

LEAFLET_CONFIG = {
    "DEFAULT_CENTER": (15.12, 108.80),
    "DEFAULT_ZOOM": 11,
    "TILES": [(_("Bản đồ nền"), MAP_TILE_URL, {"attribution": MAP_TILE_ATTRIBUTION})]
    if MAP_TILE_URL
    else [],
    "RESET_VIEW": False,
}

# Where the official boundary files of ../shared/geo live (used by the README example,
# tests of the real data, and benchmarks); never committed into the project. A pathlib.Path,
# not environ.Path, so that `SHARED_GEO_DIR / "file.geojson"` works.
SHARED_GEO_DIR = Path(
    env.str("GEOAPP_SHARED_GEO_DIR", default=str(BASE_DIR.parent / "shared" / "geo"))
)

# The served territory: a point outside every current province-level area is refused.
TERRITORY_ROOT_CODE = env("GEOAPP_TERRITORY_ROOT_CODE", default="51")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
}

# Debian 12 ships GDAL 3.6; the check asks for 3.9 to block network access from spatial
# references. Imports only read files the administrator chose, on a machine with no network.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]

# Citizen feedback (incidents).
# How many days after its resolution the reporter may reopen a report.
INCIDENT_REOPEN_DAYS = env.int("INCIDENT_REOPEN_DAYS", default=7)
# Photos (docs/security.md, "Uploads"): bytes per file, files per report, and pixels as declared
# in the file's header, checked before anything is decoded. 50 megapixels admit the largest phone
# photos (48 MP iPhone "HEIF Max" 8064×6048, 50 MP Android 8160×6120) and refuse the "bombs" that
# declare hundreds of megapixels in a few bytes.
INCIDENT_PHOTO_MAX_BYTES = env.int("INCIDENT_PHOTO_MAX_BYTES", default=10 * 1000 * 1000)
INCIDENT_PHOTOS_MAX = env.int("INCIDENT_PHOTOS_MAX", default=5)
INCIDENT_PHOTO_MAX_PIXELS = env.int("INCIDENT_PHOTO_MAX_PIXELS", default=50_000_000)
# Photos are stored at most this many pixels on their long side (a 12 MP phone photo is 4000×3000,
# kept as it is); larger JPEGs are decoded at reduced size to start with.
INCIDENT_PHOTO_STORED_MAX_SIDE = env.int("INCIDENT_PHOTO_STORED_MAX_SIDE", default=4000)
# A request's whole body, files included (geoapp/request_limits.py): a report's photos at their
# largest and 1 MB of text; a body over it is refused (413) before a byte of it is read.
REQUEST_BODY_MAX_BYTES = env.int(
    "REQUEST_BODY_MAX_BYTES", default=INCIDENT_PHOTOS_MAX * INCIDENT_PHOTO_MAX_BYTES + 1_000_000
)
# Django's own limits on what it parses: the text fields of a body (2.5 MB, Django's default),
# the files of one request (a report's photos, with room to refuse a sixth with a clear sentence),
# and files kept in memory rather than in a temporary file while they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_500_000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int(
    "DATA_UPLOAD_MAX_NUMBER_FILES", default=INCIDENT_PHOTOS_MAX + 5
)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2_500_000)
# Reports a client (account or network address) may file, in DRF's "number/period" form.
INCIDENT_CREATE_RATE = env("INCIDENT_CREATE_RATE", default="20/hour")
# Reports filed with one reporter phone number or e-mail address, whoever files them: rotating
# network addresses must not flood one person's phone or let one contact file in bulk.
INCIDENT_CREATE_CONTACT_RATE = env("INCIDENT_CREATE_CONTACT_RATE", default="5/hour")
# Supports ("+1") a client may give, and the reporter's ratings, reopenings and added information
# (one count for the three) a client may send.
INCIDENT_SUPPORT_RATE = env("INCIDENT_SUPPORT_RATE", default="30/hour")
INCIDENT_REPORTER_ACTION_RATE = env("INCIDENT_REPORTER_ACTION_RATE", default="20/hour")
# The most features (groups or reports) one answer of the public map may hold; the answer says
# `"truncated": true` when there were more.
INCIDENT_MAP_FEATURES_MAX = env.int("INCIDENT_MAP_FEATURES_MAX", default=2000)
# The most features one page of the public GeoJSON list of reports may hold.
INCIDENT_LIST_MAX_LIMIT = env.int("INCIDENT_LIST_MAX_LIMIT", default=10000)

# Notifications and subscriptions (notifications app); overdue escalation, feeds (incidents).
# The public address of the site: links in emails and SMS (tracking pages, confirm, unsubscribe).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = env(
    "DJANGO_DEFAULT_FROM_EMAIL", default="geoapp Quảng Ngãi <no-reply@localhost>"
)
# Dotted paths of the SMS and Zalo gateways; the console gateway writes messages to the log.
NOTIFICATION_SMS_GATEWAY = env(
    "NOTIFICATION_SMS_GATEWAY", default="notifications.channels.ConsoleMessageGateway"
)
NOTIFICATION_ZALO_GATEWAY = env(
    "NOTIFICATION_ZALO_GATEWAY", default="notifications.channels.ConsoleMessageGateway"
)
# How a reporter who gave a phone number but no email is told: "sms" or "zalo".
NOTIFICATION_PHONE_CHANNEL = env("NOTIFICATION_PHONE_CHANNEL", default="sms")
# Attempts to deliver one message (the first and the retries, with exponential backoff).
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=8)
# A message still pending this long after its last attempt is enqueued again by the sweeper; one
# still being sent this long after its claim is marked failed (its worker died mid-send).
NOTIFICATION_SWEEP_AFTER_MINUTES = env.int("NOTIFICATION_SWEEP_AFTER_MINUTES", default=10)
# An SMTP round trip gives up after this many seconds: far inside the sweeper's delay, so a slow
# server is never taken for a dead worker. (Django's default is to wait forever.)
EMAIL_TIMEOUT = env.int("DJANGO_EMAIL_TIMEOUT", default=60)
# Subscription requests a client (account or network address) may make, "number/period".
SUBSCRIPTION_REQUEST_RATE = env("SUBSCRIPTION_REQUEST_RATE", default="10/hour")
# Subscription requests for one e-mail address, whoever asks (each sends it a confirmation).
SUBSCRIPTION_REQUEST_CONTACT_RATE = env("SUBSCRIPTION_REQUEST_CONTACT_RATE", default="5/hour")
# Confirmation emails one address may receive per day, whatever the clients asking.
SUBSCRIPTION_CONFIRMATIONS_PER_ADDRESS_PER_DAY = env.int(
    "SUBSCRIPTION_CONFIRMATIONS_PER_ADDRESS_PER_DAY", default=5
)
# How long a confirmation link stays valid, and when a pending request may send a new one.
SUBSCRIPTION_CONFIRM_WITHIN_DAYS = env.int("SUBSCRIPTION_CONFIRM_WITHIN_DAYS", default=7)
SUBSCRIPTION_RESEND_CONFIRMATION_AFTER_HOURS = env.int(
    "SUBSCRIPTION_RESEND_CONFIRMATION_AFTER_HOURS", default=24
)
# Overdue reports are escalated when their deadline passed less than this many days ago: an
# import of old reports, or a long outage, must not flood the leaders with stale alerts.
INCIDENT_ESCALATION_LOOKBACK_DAYS = env.int("INCIDENT_ESCALATION_LOOKBACK_DAYS", default=30)
CELERY_BEAT_SCHEDULE["notifications_sweep"] = {
    "task": "notifications.sweep",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["incidents_escalate_overdue"] = {
    "task": "incidents.escalate_overdue",
    "schedule": 300.0,
}
# The summaries of citizen feedback recomputed and corrected (incidents/summaries.py), at
# 02:30 Vietnam time, when almost nobody files: writers wait while it runs.
CELERY_BEAT_SCHEDULE["incidents_summaries_rebuild"] = {
    "task": "incidents.summaries_rebuild",
    "schedule": crontab(hour=2, minute=30),
}
# The pending changes folded into the map grids and the hotspot hexagons
# (incidents.summaries.summaries_fold_map_changes): the map and the hotspot layer read the pending
# ones at each answer, so the interval bounds how many they read, not how stale they are. A run the workers could not start before the next is due expires: the next
# folds everything anyway.
INCIDENT_MAP_CHANGES_FOLD_SECONDS = env.float("INCIDENT_MAP_CHANGES_FOLD_SECONDS", default=5.0)
CELERY_BEAT_SCHEDULE["incidents_fold_map_changes"] = {
    "task": "incidents.fold_map_changes",
    "schedule": INCIDENT_MAP_CHANGES_FOLD_SECONDS,
    "options": {"expires": INCIDENT_MAP_CHANGES_FOLD_SECONDS},
}
# Then their indexes rebuilt without blocking writers (incidents.summaries.summaries_reindex).
CELERY_BEAT_SCHEDULE["incidents_summaries_reindex"] = {
    "task": "incidents.summaries_reindex",
    "schedule": crontab(hour=3, minute=15),
}

# Open311 GeoReport v2 at /open311/v2/ (docs/open311.md).
# The one jurisdiction served; a request naming another jurisdiction_id is answered 404.
OPEN311_JURISDICTION_ID = env("OPEN311_JURISDICTION_ID", default="quangngai.gov.vn")
# Service discovery: when services or their questions last changed (sortable), the endpoint type
# ("production" or "test"), and how to reach the maintainers or get a key (empty: a default text).
OPEN311_CHANGESET = env("OPEN311_CHANGESET", default="2025-07-01T00:00:00+07:00")
OPEN311_ENDPOINT_TYPE = env("OPEN311_ENDPOINT_TYPE", default="production")
OPEN311_CONTACT = env("OPEN311_CONTACT", default="")
OPEN311_KEY_SERVICE = env("OPEN311_KEY_SERVICE", default="")

# Boundary files (wards/boundary_sources.py): the most a file, or a zip once unpacked, may hold.
# The 3,321 communes of the whole country are about 170 MB of GeoJSON. An upload through the admin
# is also bound by REQUEST_BODY_MAX_BYTES; larger files go through the wards_import_areas command.
BOUNDARY_FILE_MAX_BYTES = env.int("BOUNDARY_FILE_MAX_BYTES", default=200_000_000)

# Officials sign in on the app's own page (templates/registration/login.html) and land on
# their unit's queue of reports.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-queue"
LOGOUT_REDIRECT_URL = "login"

# Stored files no row points to (docs/operations.md): removed each night once older than this many
# hours, by the sweepers the apps declare here (dotted paths to geoapp.file_sweep.FileSweeper).
FILES_SWEEP_GRACE_HOURS = env.int("FILES_SWEEP_GRACE_HOURS", default=24)
FILES_SWEEPERS = [
    "incidents.photo_files.PHOTO_FILES_SWEEPER",
    "wards.boundary_previews.BOUNDARY_PREVIEW_SWEEPER",
    "spatial_reports.export_files.EXPORT_FILES_SWEEPER",
]
CELERY_BEAT_SCHEDULE["files_sweep"] = {
    "task": "geoapp.files_sweep",
    # 02:30 in CELERY_TIMEZONE (Asia/Ho_Chi_Minh): the quietest hour of the site.
    "schedule": crontab(hour=2, minute=30),
}

# Computed operational indicators (feedback and dossiers per commune and month), nightly.
CELERY_BEAT_SCHEDULE["indicators_refresh_computed"] = {
    "task": "indicators.refresh_computed",
    "schedule": crontab(hour=3, minute=0),
}

# Leaders' directives: reminders before and after deadlines and the daily digest per agency.
# Hourly, and idempotent (one sent-marker per message), so a missed run is caught up by the next.
CELERY_BEAT_SCHEDULE["directives_send_reminders"] = {
    "task": "directives.send_reminders",
    "schedule": 3600.0,
}
# Recurring tasks (monthly, quarterly reports): the next occurrence of each series once the
# previous one is due. Hourly and idempotent (one row per series and number).
CELERY_BEAT_SCHEDULE["directives_create_occurrences"] = {
    "task": "directives.create_occurrences",
    "schedule": 3600.0,
}
# Open data (docs/open_data.md): OGC API – Features at /ogc/, vector tiles at /tiles/, the daily
# files at /du-lieu-mo/.
ERROR_RESPONDERS.insert(0, ("/ogc/", "opendata.views.error_response"))
# The public map draws the vector tiles of the report grid (instead of asking for the groups
# of each view) when there are more public reports than this, at zooms below 16 and with no
# filter chosen.
PUBLIC_MAP_TILES_ABOVE = env.int("PUBLIC_MAP_TILES_ABOVE", default=100_000)
# The operations centre's hotspot map draws the hotspot tiles (/tiles/hotspots/…, leaders only)
# instead of every hexagon in the page when the period and filters hold more reports than this.
IOC_HOTSPOT_TILES_ABOVE = env.int("IOC_HOTSPOT_TILES_ABOVE", default=50_000)
OGC_ITEMS_DEFAULT_LIMIT = env.int("OGC_ITEMS_DEFAULT_LIMIT", default=100)
OGC_ITEMS_MAX_LIMIT = env.int("OGC_ITEMS_MAX_LIMIT", default=1000)
# numberMatched is counted exactly up to this many features and left out above (OGC allows it):
# a recomputed count of a million reports took 0.8 s, five times the page itself.
OGC_EXACT_COUNT_LIMIT = env.int("OGC_EXACT_COUNT_LIMIT", default=10_000)
OPEN_DATA_LICENCE_NAME = env("OPEN_DATA_LICENCE_NAME", default="CC BY 4.0")
OPEN_DATA_LICENCE_URL = env(
    "OPEN_DATA_LICENCE_URL", default="https://creativecommons.org/licenses/by/4.0/"
)
CELERY_BEAT_SCHEDULE["opendata_refresh_report_grid"] = {
    "task": "opendata.refresh_report_grid",
    "schedule": 600.0,
}
CELERY_BEAT_SCHEDULE["opendata_write_files"] = {
    "task": "opendata.write_files",
    "schedule": crontab(hour=1, minute=30),
}
# The daily open-data files (GeoPackage, CSV, GeoJSON of the public reports), served at /du-lieu-mo/.
OPEN_DATA_DIR = env.path("OPEN_DATA_DIR", default=BASE_DIR / "var" / "open_data")

# The planners' report builder (docs/spatial_reports.md): a download of more reports than this is
# written by a Celery task, and its file kept this many days.
SPATIAL_REPORTS_SYNC_MAX_ROWS = env.int("SPATIAL_REPORTS_SYNC_MAX_ROWS", default=20_000)
SPATIAL_REPORTS_KEEP_DAYS = env.int("SPATIAL_REPORTS_KEEP_DAYS", default=7)
# The operations centre's weekly report: Mondays at 07:00 in CELERY_TIMEZONE (Asia/Ho_Chi_Minh),
# for the week that ended the day before (docs/ioc.md).
CELERY_BEAT_SCHEDULE["ioc_produce_weekly_report"] = {
    "task": "ioc.produce_weekly_report",
    "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
}
