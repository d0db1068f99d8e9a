from django.urls import path

from indicators import entry_views, report_views, views

urlpatterns = [
    path("ban-do/", views.indicator_map, name="indicator-map"),
    path("nhap-so-lieu/", entry_views.entry_page, name="indicator-entry"),
    path("duyet/", entry_views.review_page, name="indicator-review"),
    path("mau-nhap.xlsx", entry_views.entry_template, name="indicator-entry-template"),
    path("xu-huong/", report_views.trend_page, name="indicator-trend"),
    path("xu-huong.svg", report_views.trend_svg, name="indicator-trend-svg"),
    path("ban-do.png", report_views.map_png, name="indicator-map-png"),
    path("ban-do.html", report_views.map_html, name="indicator-map-html"),
    path("xep-hang/", report_views.ranking_page, name="indicator-ranking"),
]
