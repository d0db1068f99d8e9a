"""Boundary files kept for a preview that the administrator never confirms are removed by the
nightly sweep once older than the grace period, with their folder (wards/boundary_previews.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from pytest_django import Settings
from shapely.geometry import box

from geoapp.file_sweep import files_sweep
from wards import services
from wards.models import Area, AreaLevel, AreaType

from .test_boundary_import import ADMIN_OPTIONS, REFORM_DAY, geojson_upload, three_wards

PAGE = "/admin/wards/area/import-boundaries/"


@pytest.fixture
def province(db: None) -> Area:
    return services.area_create(
        code="51", name="Tỉnh Quảng Ngãi", area_type=AreaType.PROVINCE, level=AreaLevel.PROVINCE,
        boundary=box(108.0, 14.5, 109.5, 15.5), valid_from=REFORM_DAY,
    )  # fmt: skip


def listing(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


def test_an_abandoned_preview_is_removed_after_the_grace_and_cannot_be_confirmed(
    admin_client: Client, province: Area, tmp_path: Path, settings: Settings
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    settings.FILES_SWEEP_GRACE_HOURS = 24
    preview = admin_client.post(
        PAGE,
        {**ADMIN_OPTIONS, "boundary_file": geojson_upload(three_wards(tmp_path / "w.geojson"))},
    )
    assert preview.status_code == 200
    upload = preview.context["form"].initial["upload"]
    folder = str(Path(upload).parent)
    assert listing(media) == ["boundary-imports", folder, upload]

    young = files_sweep(now=timezone.now() + timedelta(hours=23))

    assert young.count == 0
    assert listing(media) == ["boundary-imports", folder, upload]

    abandoned = files_sweep(now=timezone.now() + timedelta(hours=25))

    assert [(swept.sweeper, swept.name) for swept in abandoned.files] == [
        ("wards.boundary_previews", upload)
    ]
    assert abandoned.bytes == (tmp_path / "w.geojson").stat().st_size
    assert abandoned.directories_removed == 1
    assert listing(media) == ["boundary-imports"]

    late = admin_client.post(PAGE, {**ADMIN_OPTIONS, "upload": upload, "commit": "1"})

    assert late.status_code == 400
    assert late.context["form"].non_field_errors() == [
        "Không còn tệp đã tải lên để ghi; hãy tải tệp lên và chạy thử lại."
    ]
    assert Area.objects.count() == 1


def test_a_dry_run_names_the_abandoned_preview_and_keeps_it(
    admin_client: Client, province: Area, tmp_path: Path, settings: Settings
) -> None:
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    preview = admin_client.post(
        PAGE,
        {**ADMIN_OPTIONS, "boundary_file": geojson_upload(three_wards(tmp_path / "w.geojson"))},
    )
    upload = preview.context["form"].initial["upload"]

    report = files_sweep(now=timezone.now() + timedelta(hours=25), dry_run=True)

    assert [swept.name for swept in report.files] == [upload]
    assert report.directories_removed == 0
    assert listing(media) == ["boundary-imports", str(Path(upload).parent), upload]
