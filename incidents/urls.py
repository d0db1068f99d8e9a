"""The citizens' pages (Vietnamese paths) and the public map's endpoint."""

from django.urls import path

from incidents import reporter_action_views, views
from incidents.api import map as map_api

urlpatterns = [
    path("", views.home, name="home"),
    path("gui-phan-anh/", views.report, name="incident-report"),
    path("tra-cuu/", views.lookup, name="incident-lookup"),
    # The notification messages link to /phan-anh/<code>/: this path is a contract.
    path("phan-anh/<str:tracking_code>/", views.tracking, name="incident-tracking"),
    path(
        "phan-anh/<str:tracking_code>/da-gui/",
        views.report_confirmation,
        name="incident-report-confirmation",
    ),
    path(
        "phan-anh/<str:tracking_code>/danh-gia/", reporter_action_views.rate, name="incident-rate"
    ),
    path(
        "phan-anh/<str:tracking_code>/mo-lai/", reporter_action_views.reopen, name="incident-reopen"
    ),
    path(
        "phan-anh/<str:tracking_code>/bo-sung/",
        reporter_action_views.provide_information,
        name="incident-provide-information",
    ),
    path(
        "phan-anh/<str:tracking_code>/ung-ho/",
        reporter_action_views.support,
        name="incident-support",
    ),
    path(
        "phan-anh/<str:tracking_code>/theo-doi/",
        reporter_action_views.follow,
        name="incident-follow",
    ),
    path("phan-anh/<str:tracking_code>/anh/<int:photo_id>/", views.photo, name="incident-photo"),
    path(
        "phan-anh/<str:tracking_code>/anh/<int:photo_id>/nho/",
        views.photo_thumbnail,
        name="incident-photo-thumbnail",
    ),
    path("api/v1/incident-map/", map_api.IncidentMapApi.as_view(), name="incidents-map"),
]
