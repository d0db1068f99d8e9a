from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from geoapp.clock import vietnam_today
from geoapp.coordinates import parse_date
from geoapp.exceptions import InvalidInput


def area_map(request: HttpRequest) -> HttpResponse:
    """The map of the territory's areas on a chosen date."""
    error = None
    try:
        day = parse_date(request.GET.get("date"), default=vietnam_today())
    except InvalidInput as invalid:
        day, error = vietnam_today(), invalid.message
    return render(
        request, "wards/area_map.html", {"day": day, "error": error}, status=400 if error else 200
    )
