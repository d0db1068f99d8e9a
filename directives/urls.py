"""The directives pages, under /nhiem-vu/ (nhiệm vụ: tasks)."""

from django.urls import path

from directives import views

urlpatterns = [
    path("nhiem-vu/", views.board, name="directives-board"),
    path("nhiem-vu/don-vi/<slug:agency_code>/", views.agency_queue, name="directives-agency"),
    path("nhiem-vu/ban-do/", views.task_map, name="directives-map"),
    path("nhiem-vu/ban-do/nhiem-vu.geojson", views.task_map_data, name="directives-map-data"),
    path("nhiem-vu/van-ban/moi/", views.directive_create, name="directives-directive-create"),
    path("nhiem-vu/van-ban/<int:directive_id>/", views.directive_page, name="directives-directive"),
    path("nhiem-vu/<int:task_id>/", views.task_page, name="directives-task"),
    path(
        "nhiem-vu/<int:task_id>/<slug:action_slug>/",
        views.task_action,
        name="directives-task-action",
    ),
]
