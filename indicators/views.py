"""Pages of indicators: the choropleth map."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import get_language

from geoapp.clock import vietnam_today
from geoapp.coordinates import parse_date
from geoapp.exceptions import InvalidInput
from indicators.periods import period_of, period_parse
from indicators.selectors.catalogue import indicator_current_period, indicator_list
from indicators.selectors.classification import METHODS


def indicator_map(request: HttpRequest) -> HttpResponse:
    """A choropleth of one indicator, period and level on the boundaries of a chosen date; the
    page's script reads the values API (format=geojson, with its classification)."""
    indicators = indicator_list()
    error = None
    chosen = next(
        (i for i in indicators if i.code == request.GET.get("indicator")),
        indicators[0] if indicators else None,
    )
    try:
        boundaries = parse_date(request.GET.get("boundaries"), default=vietnam_today())
        period_text = request.GET.get("period") or (
            indicator_current_period(chosen) if chosen else ""
        )
        period = period_parse(period_text).text if chosen else ""
    except InvalidInput as invalid:
        boundaries, error = vietnam_today(), invalid.message
        period = period_of(chosen.period_type, boundaries).text if chosen else ""
    level = request.GET.get("level") or "commune"
    method = request.GET.get("classification") or "quantiles"
    classes = request.GET.get("classes") or "5"
    # The choropleth's data, named once: the page preloads it from its <head> (so the request
    # starts before the scripts load) and the script fetches the same address.
    data_url = (
        reverse("indicators-values", args=[chosen.code])
        + "?"
        + urlencode(
            {
                "format": "geojson",
                "period": period,
                "level": level,
                "boundaries": boundaries.isoformat(),
                "classification": method,
                "classes": classes,
            }
        )  # fmt: skip
        if chosen
        else ""
    )
    english = (get_language() or "vi").startswith("en")
    choices = [
        {"code": i.code, "name": i.name_en if english else i.name_vi, "unit": i.unit}
        for i in indicators
    ]
    return render(
        request,
        "indicators/indicator_map.html",
        {
            "indicators": choices,
            "chosen": chosen,
            "period": period,
            "boundaries": boundaries,
            "level": level,
            "method": method,
            "methods": METHODS,
            "classes": classes,
            "data_url": data_url,
            "error": error,
        },
        status=400 if error else 200,
    )
