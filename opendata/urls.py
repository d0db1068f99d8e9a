from django.urls import path

from opendata import views

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
]
