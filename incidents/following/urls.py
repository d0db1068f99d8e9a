from django.urls import path

from incidents.following import feeds

urlpatterns = [
    path("phan-anh/moi.atom", feeds.TerritoryIncidentsFeed(), name="incidents-feed"),
    path(
        "khu-vuc/<int:area_id>/phan-anh.atom",
        feeds.AreaIncidentsFeed(),
        name="area-incidents-feed",
    ),
]
