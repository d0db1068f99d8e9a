from django.urls import path

from wards import apis

urlpatterns = [
    path("areas/", apis.AreaListApi.as_view(), name="areas-list"),
    path("areas/lookup/", apis.AreaLookupApi.as_view(), name="areas-lookup"),
    path("areas/<int:area_id>/", apis.AreaDetailApi.as_view(), name="areas-detail"),
    path(
        "areas/<int:area_id>/successors/", apis.AreaSuccessorsApi.as_view(), name="areas-successors"
    ),
    path("routing/", apis.RoutingApi.as_view(), name="routing"),
]
