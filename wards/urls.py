from django.urls import path

from wards import views

urlpatterns = [
    path("", views.area_map, name="area-map"),
]
