from django.urls import path

from indicators import apis

urlpatterns = [
    path("indicators/", apis.IndicatorListApi.as_view(), name="indicators-list"),
    path(
        "indicators/<slug:code>/values/",
        apis.IndicatorValuesApi.as_view(),
        name="indicators-values",
    ),
    path(
        "indicators/<slug:code>/series/",
        apis.IndicatorSeriesApi.as_view(),
        name="indicators-series",
    ),
]
