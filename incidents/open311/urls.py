"""Open311 GeoReport v2, mounted at /open311/v2/ by geoapp/urls.py.

Every resource ends in its format (`.xml` or `.json`); the root answers the discovery document in
XML, as the Service Discovery specification recommends for the endpoint's base URL.
"""

from django.urls import path, re_path

from incidents.open311 import views as open311

FORMAT = r"\.(?P<format>[A-Za-z0-9]+)$"

urlpatterns = [
    path("", open311.DiscoveryView.as_view(), name="open311-endpoint"),
    re_path(rf"^discovery{FORMAT}", open311.DiscoveryView.as_view(), name="open311-discovery"),
    re_path(rf"^services{FORMAT}", open311.ServiceListView.as_view(), name="open311-services"),
    re_path(
        rf"^services/(?P<service_code>[^/]+?){FORMAT}",
        open311.ServiceDefinitionView.as_view(),
        name="open311-service-definition",
    ),
    re_path(rf"^requests{FORMAT}", open311.ServiceRequestsView.as_view(), name="open311-requests"),
    re_path(
        rf"^requests/(?P<service_request_id>[^/]+?){FORMAT}",
        open311.ServiceRequestView.as_view(),
        name="open311-request",
    ),
    re_path(
        rf"^tokens/(?P<token>[^/]+?){FORMAT}", open311.TokenView.as_view(), name="open311-token"
    ),
]
