from django.urls import path

from notifications import apis

urlpatterns = [
    path("subscriptions/", apis.SubscriptionRequestApi.as_view(), name="subscriptions"),
]
