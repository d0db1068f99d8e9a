"""The nightly sweep on citizen feedback's photos: exactly the old files no photo row points to
are removed; referenced ones, young ones and files outside the declared folders stay
(geoapp/file_sweep.py, incidents/photo_files.py). The real storage in a temporary MEDIA_ROOT.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from pytest_django import Settings

from geoapp.file_sweep import SweptFile, files_sweep
from incidents.models import IncidentPhoto

from .conftest import FileReport, jpeg_bytes, upload

NOW = datetime(2026, 12, 5, 2, 30, tzinfo=timezone.get_fixed_timezone(7 * 60))
LONG_AGO = NOW - timedelta(hours=30)


def stored() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def put(name: str, content: bytes, *, modified_at: datetime) -> int:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    age(name, modified_at)
    return len(content)


def age(name: str, modified_at: datetime) -> None:
    moment = modified_at.timestamp()
    os.utime(Path(settings.MEDIA_ROOT) / name, (moment, moment))


def test_it_removes_exactly_the_old_files_no_photo_points_to(file_report: FileReport) -> None:
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    photo = incident.photos.get()
    referenced = [str(photo.image.name), str(photo.thumbnail.name)]
    for name in referenced:
        age(name, LONG_AGO)
    orphan_size = put("incidents/photos/2026/11/orphan.jpg", b"o" * 7, modified_at=LONG_AGO)
    thumbnail_size = put("incidents/thumbnails/2026/11/orphan.jpg", b"t" * 3, modified_at=LONG_AGO)
    put("incidents/photos/2026/12/young.jpg", b"y", modified_at=NOW - timedelta(hours=23))
    put("exports/old-report.csv", b"not declared by any sweeper", modified_at=LONG_AGO)

    report = files_sweep(now=NOW)

    assert [(swept.sweeper, swept.name, swept.size) for swept in report.files] == [
        ("incidents.photos", "incidents/photos/2026/11/orphan.jpg", orphan_size),
        ("incidents.photos", "incidents/thumbnails/2026/11/orphan.jpg", thumbnail_size),
    ]
    assert (report.count, report.bytes, report.dry_run, report.grace_hours) == (2, 10, False, 24)
    assert stored() == sorted(
        [*referenced, "incidents/photos/2026/12/young.jpg", "exports/old-report.csv"]
    )
    assert IncidentPhoto.objects.get().pk == photo.pk


def test_a_dry_run_lists_the_same_files_and_removes_nothing(file_report: FileReport) -> None:
    file_report(photos=[upload("a.jpg", jpeg_bytes())])
    put("incidents/photos/2026/11/orphan.jpg", b"o" * 7, modified_at=LONG_AGO)
    before = stored()

    report = files_sweep(now=NOW, dry_run=True)

    assert report.files == (
        SweptFile(
            sweeper="incidents.photos",
            name="incidents/photos/2026/11/orphan.jpg",
            size=7,
            modified_at=LONG_AGO,
        ),
    )
    assert report.dry_run is True
    assert stored() == before
    assert len(before) == 3


def test_the_files_of_a_deleted_photo_row_go_after_the_grace(
    file_report: FileReport, settings: Settings
) -> None:
    settings.FILES_SWEEP_GRACE_HOURS = 2
    incident = file_report(photos=[upload("a.jpg", jpeg_bytes())]).incident
    photo = incident.photos.get()
    names = [str(photo.image.name), str(photo.thumbnail.name)]
    IncidentPhoto.objects.filter(pk=photo.pk).delete()

    assert files_sweep(now=timezone.now() + timedelta(hours=1)).count == 0
    assert stored() == sorted(names)

    report = files_sweep(now=timezone.now() + timedelta(hours=3))

    assert sorted(swept.name for swept in report.files) == sorted(names)
    assert report.grace_hours == 2
    assert stored() == []


def test_a_second_sweep_finds_nothing_more(file_report: FileReport) -> None:
    put("incidents/photos/2026/11/orphan.jpg", b"o", modified_at=LONG_AGO)
    assert files_sweep(now=NOW).count == 1

    again = files_sweep(now=NOW)

    assert (again.count, again.bytes) == (0, 0)
