from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from geoapp.clock import vietnam_today
from geoapp.coordinates import parse_date
from geoapp.exceptions import InvalidInput
from wards.models import AgencyKind, AreaLevel, AreaType


def area_map(request: HttpRequest) -> HttpResponse:
    """The map of the territory's areas on a chosen date."""
    error = None
    try:
        day = parse_date(request.GET.get("date"), default=vietnam_today())
    except InvalidInput as invalid:
        day, error = vietnam_today(), invalid.message
    # The API answers with stored codes ("Phường", "commune"); the page shows them in the
    # reader's language through the same labels as the models.
    labels = {
        "area_type": dict(AreaType.choices),
        "level": dict(AreaLevel.choices),
        "agency_kind": dict(AgencyKind.choices),
    }
    return render(
        request,
        "wards/area_map.html",
        {"day": day, "error": error, "labels": labels},
        status=400 if error else 200,
    )
