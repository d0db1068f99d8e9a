"""The officials' pages, under /can-bo/ (cán bộ: officials)."""

from django.urls import path

from incidents import staff_views

urlpatterns = [
    path("", staff_views.home, name="staff-home"),
    path("phan-anh/", staff_views.queue, name="staff-queue"),
    path("phan-anh/tiep-nhan/", staff_views.queue_acknowledge, name="staff-queue-acknowledge"),
    path("phan-anh/<str:tracking_code>/", staff_views.report, name="staff-report"),
    path(
        "phan-anh/<str:tracking_code>/<slug:action_slug>/",
        staff_views.report_action,
        name="staff-report-action",
    ),
    path("anh/<int:photo_id>/", staff_views.photo, name="staff-photo"),
    path(
        "anh/<int:photo_id>/thu-nho/",
        staff_views.photo,
        {"size": "thumbnail"},
        name="staff-photo-thumbnail",
    ),
    path("ban-do/", staff_views.area_map, name="staff-area-map"),
    path("ban-do/dia-ban/", staff_views.area_map_areas, name="staff-area-map-areas"),
    path("ban-do/phan-anh/", staff_views.area_map_reports, name="staff-area-map-reports"),
]
