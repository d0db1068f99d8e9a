from django.urls import path

from notifications import views

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
]
