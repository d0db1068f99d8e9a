from django.urls import path

from opendata import file_views, tile_views, views

urlpatterns = [
    path("ogc/", views.landing, name="ogc-landing"),
    path("ogc/conformance", views.conformance, name="ogc-conformance"),
    path("ogc/api", views.api, name="ogc-api"),
    path("ogc/collections", views.collections, name="ogc-collections"),
    path("ogc/collections/<str:collection_id>", views.collection, name="ogc-collection"),
    path("ogc/collections/<str:collection_id>/items", views.items, name="ogc-items"),
    path(
        "ogc/collections/<str:collection_id>/items/<str:feature_id>",
        views.item,
        name="ogc-item",
    ),
    path("tiles/<str:layer>.json", tile_views.tilejson, name="tilejson"),
    path("tiles/<str:layer>/<int:z>/<int:x>/<int:y>.mvt", tile_views.tile, name="tile"),
    path("tiles/<str:layer>/<int:z>/<int:x>/<int:y>.pbf", tile_views.tile, name="tile-pbf"),
    path("du-lieu-mo/", file_views.open_data_page, name="open-data"),
    path("du-lieu-mo/<str:name>", file_views.open_data_file, name="open-data-file"),
]
