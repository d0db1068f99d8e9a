"""Which stored photo files a report still points to: citizen feedback's declaration to the
nightly sweep of unreferenced files (geoapp/file_sweep.py, named in FILES_SWEEPERS)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from django.db.models import Q

from geoapp.file_sweep import FileSweeper
from incidents.models import IncidentPhoto

# The `upload_to` roots of IncidentPhoto.image and IncidentPhoto.thumbnail.
PHOTO_DIRECTORY: Final = "incidents/photos"
THUMBNAIL_DIRECTORY: Final = "incidents/thumbnails"


def photo_files_referenced(names: Sequence[str]) -> set[str]:
    """Of `names`, those an IncidentPhoto row holds as its image or its thumbnail."""
    referenced: set[str] = set()
    rows = IncidentPhoto.objects.filter(Q(image__in=names) | Q(thumbnail__in=names)).values_list(
        "image", "thumbnail"
    )
    for image, thumbnail in rows:
        referenced.update((image, thumbnail))
    return referenced & set(names)


PHOTO_FILES_SWEEPER: Final = FileSweeper(
    name="incidents.photos",
    directories=(PHOTO_DIRECTORY, THUMBNAIL_DIRECTORY),
    referenced=photo_files_referenced,
)
