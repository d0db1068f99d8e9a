from django.urls import path

from wards import views

urlpatterns = [
    path("ban-do-hanh-chinh/", views.area_map, name="area-map"),
]
