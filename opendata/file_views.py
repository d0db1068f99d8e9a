"""The daily open-data files at stable URLs under /du-lieu-mo/, and the page describing them."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from opendata.services import METADATA_FILE, OPEN_DATA_FILES

CONTENT_TYPES = {
    "phan-anh.gpkg": "application/geopackage+sqlite3",
    "phan-anh.geojson": "application/geo+json",
    "phan-anh.csv": "text/csv; charset=utf-8",
    METADATA_FILE: "application/json",
}


@require_GET
def open_data_page(request: HttpRequest) -> HttpResponse:
    path = Path(settings.OPEN_DATA_DIR) / METADATA_FILE
    metadata = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    return render(
        request,
        "opendata/open_data.html",
        {
            "metadata": metadata,
            "files": sorted(OPEN_DATA_FILES),
            "licence_name": settings.OPEN_DATA_LICENCE_NAME,
            "licence_url": settings.OPEN_DATA_LICENCE_URL,
        },
    )


@require_GET
def open_data_file(request: HttpRequest, name: str) -> FileResponse:
    # Only the names written by the service: nothing else in the folder is reachable.
    if name not in CONTENT_TYPES:
        raise Http404(name)
    path = Path(settings.OPEN_DATA_DIR) / name
    if not path.exists():
        raise Http404(name)
    response = FileResponse(path.open("rb"), content_type=CONTENT_TYPES[name])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
