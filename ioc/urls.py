"""The operations centre's pages, under /dieu-hanh/."""

from django.urls import path

from ioc import views

urlpatterns = [
    path("dieu-hanh/", views.dashboard, name="ioc-dashboard"),
    path("dieu-hanh/khu-vuc/<str:code>/", views.area_page, name="ioc-area"),
    path("dieu-hanh/diem-nong.geojson", views.hotspots, name="ioc-hotspots"),
    # Before opendata's /tiles/<layer>/…: this layer is not public (ioc.views.hotspot_tile).
    path("tiles/hotspots.json", views.hotspot_tilejson, name="ioc-hotspot-tilejson"),
    path("tiles/hotspots/<int:z>/<int:x>/<int:y>.pbf", views.hotspot_tile, name="ioc-hotspot-tile"),
    path("tiles/hotspots/<int:z>/<int:x>/<int:y>.mvt", views.hotspot_tile),
    path("dieu-hanh/bao-cao-tuan/lap/", views.weekly_report_produce, name="ioc-report-produce"),
    path(
        "dieu-hanh/bao-cao-tuan/<str:week>.xlsx",
        views.weekly_report_download,
        name="ioc-report-xlsx",
    ),
    path("dieu-hanh/bao-cao-tuan/<str:week>.pdf", views.weekly_report_pdf, name="ioc-report-pdf"),
    path("dieu-hanh/bao-cao-tuan/<str:week>/", views.weekly_report_page, name="ioc-report-page"),
]
