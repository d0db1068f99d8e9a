"""geoapp: geospatial operations system for Quảng Ngãi."""

from geoapp.celery import app as celery_app

__all__ = ("celery_app",)
