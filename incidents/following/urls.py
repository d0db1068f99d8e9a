from django.urls import path

from incidents.following import feeds, views

urlpatterns = [
    path("phan-anh/moi.atom", feeds.TerritoryIncidentsFeed(), name="incidents-feed"),
    path("khu-vuc/<int:area_id>/", views.area, name="area-page"),
    path("khu-vuc/<int:area_id>/theo-doi/", views.area_follow, name="area-follow"),
    path(
        "khu-vuc/<int:area_id>/phan-anh.atom",
        feeds.AreaIncidentsFeed(),
        name="area-incidents-feed",
    ),
]
