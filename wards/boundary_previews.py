"""Boundary files kept between the admin page's preview and its confirmation.

The administrator uploads a file, reads the dry run's report, then confirms; the confirmation may
reach another web server than the preview did, so the file is kept in the project's storage under
`boundary-imports/<random>/`. No row points to it: an unconfirmed preview is abandoned, and the
nightly sweep (geoapp/file_sweep.py) removes it once older than FILES_SWEEP_GRACE_HOURS.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename

from geoapp.file_sweep import FileSweeper
from geoapp.file_transactions import file_save

BOUNDARY_PREVIEW_DIRECTORY: Final = "boundary-imports"
# The name the preview hands back to the confirmation: only a name this module generated is
# accepted, so a forged form cannot make the import read another stored file.
BOUNDARY_PREVIEW_NAME: Final = re.compile(rf"^{BOUNDARY_PREVIEW_DIRECTORY}/[0-9a-f]{{32}}/[\w.-]+$")


def boundary_preview_store(uploaded: UploadedFile) -> str:
    """Keep an uploaded boundary file for its confirmation; its stored name is returned.

    Inside a transaction, a rollback (the dry run failing unexpectedly) deletes it again."""
    name = get_valid_filename(Path(uploaded.name or "boundaries").name)
    return file_save(
        storage=default_storage,
        name=f"{BOUNDARY_PREVIEW_DIRECTORY}/{uuid.uuid4().hex}/{name}",
        content=uploaded,
    )


def boundary_preview_exists(name: str) -> bool:
    return bool(BOUNDARY_PREVIEW_NAME.match(name)) and default_storage.exists(name)


def boundary_preview_discard(name: str) -> None:
    default_storage.delete(name)


def _no_row_points_to_previews(names: Sequence[str]) -> set[str]:
    return set()


BOUNDARY_PREVIEW_SWEEPER: Final = FileSweeper(
    name="wards.boundary_previews",
    directories=(BOUNDARY_PREVIEW_DIRECTORY,),
    referenced=_no_row_points_to_previews,
    prune_empty_directories=True,
)
