from django.urls import path

from incidents.following import apis

urlpatterns = [
    path("subscriptions/", apis.SubscriptionRequestApi.as_view(), name="subscriptions"),
]
