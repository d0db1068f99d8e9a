from django.urls import path

from notifications import feeds, views

urlpatterns = [
    path(
        "theo-doi/xac-nhan/<str:token>/",
        views.subscription_confirm_page,
        name="subscription-confirm",
    ),
    path(
        "theo-doi/huy/<str:token>/",
        views.subscription_unsubscribe_page,
        name="subscription-unsubscribe",
    ),
    path("phan-anh/moi.atom", feeds.TerritoryIncidentsFeed(), name="incidents-feed"),
    path(
        "khu-vuc/<int:area_id>/phan-anh.atom",
        feeds.AreaIncidentsFeed(),
        name="area-incidents-feed",
    ),
]
