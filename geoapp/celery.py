"""The Celery application: tasks are thin interfaces over services, enqueued on commit."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoapp.settings.production")

app = Celery("geoapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
