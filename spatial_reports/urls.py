from django.urls import path

from spatial_reports import views

urlpatterns = [
    path("bao-cao-khong-gian/", views.report_builder, name="spatial-report-builder"),
    path("bao-cao-khong-gian/diem.geojson", views.report_points, name="spatial-report-points"),
    path("bao-cao-khong-gian/tai-ve/", views.report_download, name="spatial-report-download"),
    path(
        "bao-cao-khong-gian/tai-ve/<uuid:export_id>/",
        views.export_page,
        name="spatial-report-export",
    ),
    path(
        "bao-cao-khong-gian/tai-ve/<uuid:export_id>/trang-thai.json",
        views.export_status,
        name="spatial-report-export-status",
    ),
    path(
        "bao-cao-khong-gian/tai-ve/<uuid:export_id>/tep/",
        views.export_file,
        name="spatial-report-export-file",
    ),
]
