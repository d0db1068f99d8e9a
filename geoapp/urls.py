from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from geoapp.views import healthz

# A request Django refuses to read (too large, too many files) is explained in the caller's
# language instead of Django's bare "Bad Request".
handler400 = "geoapp.views.bad_request"

urlpatterns = [
    path("", include("wards.urls")),
    path("api/v1/", include("wards.api_urls")),
    path("api/v1/", include("procedures.api_urls")),
    path("", include("procedures.urls")),
    path("api/v1/", include("incidents.api.urls")),
    path("open311/v2/", include("incidents.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("", include("notifications.urls")),
    path("", include("incidents.following.urls")),
    path("api/v1/", include("incidents.following.api_urls")),
    # Before the incidents routes, whose catch-all patterns would otherwise take /nhiem-vu/.
    path("", include("directives.urls")),
    path("", include("ioc.urls")),
    path("", include("incidents.urls")),
    path("can-bo/", include("incidents.staff_urls")),
    path("tai-khoan/", include("django.contrib.auth.urls")),
    path("", include("opendata.urls")),
    path("", include("spatial_reports.urls")),
    path("api/v1/", include("indicators.api_urls")),
    path("chi-tieu/", include("indicators.urls")),
]

# Requests Django cannot read, and unknown addresses, under /api/ and /open311/ are answered in
# their interface's format.
handler400 = "geoapp.views.bad_request"
handler404 = "geoapp.views.not_found"
