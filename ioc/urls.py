"""The operations centre's pages, under /dieu-hanh/."""

from django.urls import path

from ioc import views

urlpatterns = [
    path("dieu-hanh/", views.dashboard, name="ioc-dashboard"),
    path("dieu-hanh/khu-vuc/<str:code>/", views.area_page, name="ioc-area"),
    path("dieu-hanh/diem-nong.geojson", views.hotspots, name="ioc-hotspots"),
    path("dieu-hanh/bao-cao-tuan/lap/", views.weekly_report_produce, name="ioc-report-produce"),
    path(
        "dieu-hanh/bao-cao-tuan/<str:week>.xlsx",
        views.weekly_report_download,
        name="ioc-report-xlsx",
    ),
    path("dieu-hanh/bao-cao-tuan/<str:week>.pdf", views.weekly_report_pdf, name="ioc-report-pdf"),
    path("dieu-hanh/bao-cao-tuan/<str:week>/", views.weekly_report_page, name="ioc-report-page"),
]
