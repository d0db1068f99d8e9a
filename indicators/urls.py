from django.urls import path

from indicators import views

urlpatterns = [
    path("ban-do/", views.indicator_map, name="indicator-map"),
]
