"""`manage.py files_sweep [--dry-run] [--grace-hours N]` and the nightly task: what is printed,
what is removed, and the refusal of a bad grace period, which changes nothing."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation
from pytest_django import Settings

from geoapp.tasks import files_sweep_nightly

HOUR = 3600


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


def put(root: Path, name: str, content: bytes, *, hours_old: float) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    moment = time.time() - hours_old * HOUR
    os.utime(path, (moment, moment))


def stored(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.fixture
def orphans(media: Path) -> Path:
    put(media, "incidents/photos/2026/11/old.jpg", b"x" * 100, hours_old=30)
    put(media, "incidents/thumbnails/2026/11/old.jpg", b"x" * 20, hours_old=30)
    put(media, "boundary-imports/" + "a" * 32 + "/wards.geojson", b"{}" * 5, hours_old=30)
    put(media, "incidents/photos/2026/12/recent.jpg", b"x", hours_old=3)
    return media


def run(*arguments: str) -> str:
    out = io.StringIO()
    call_command("files_sweep", *arguments, stdout=out)
    return out.getvalue()


def test_a_dry_run_prints_each_file_and_the_totals_and_removes_nothing(
    db: None, orphans: Path
) -> None:
    before = stored(orphans)

    output = run("--dry-run")

    assert output == (
        "incidents/photos/2026/11/old.jpg\t100\n"
        "incidents/thumbnails/2026/11/old.jpg\t20\n"
        f"boundary-imports/{'a' * 32}/wards.geojson\t10\n"
        "incidents.photos: 2 tệp, 120 byte.\n"
        "wards.boundary_previews: 1 tệp, 10 byte.\n"
        "Chạy thử: sẽ xoá 3 tệp (130 byte) không còn dòng dữ liệu nào trỏ tới, cũ hơn 24 giờ. "
        "Chưa xoá gì.\n"
    )
    assert stored(orphans) == before


def test_the_command_removes_them_and_says_so_in_english(db: None, orphans: Path) -> None:
    with translation.override("en"):
        output = run("--grace-hours", "2")

    assert output == (
        "incidents/photos/2026/11/old.jpg\t100\n"
        "incidents/photos/2026/12/recent.jpg\t1\n"
        "incidents/thumbnails/2026/11/old.jpg\t20\n"
        f"boundary-imports/{'a' * 32}/wards.geojson\t10\n"
        "incidents.photos: 3 files, 121 bytes.\n"
        "wards.boundary_previews: 1 files, 10 bytes.\n"
        "Removed 4 files (131 bytes) that no row points to, older than 2 hours.\n"
    )
    assert stored(orphans) == []
    assert sorted(path.name for path in (orphans / "boundary-imports").iterdir()) == []


@pytest.mark.parametrize("hours", ["-1", "9000"])
def test_a_grace_period_out_of_range_is_refused_and_nothing_is_removed(
    db: None, orphans: Path, hours: str
) -> None:
    before = stored(orphans)

    with pytest.raises(CommandError) as refusal:
        run("--grace-hours", hours)

    assert str(refusal.value) == "Thời gian chờ phải là số giờ nguyên từ 0 đến 8784."
    assert stored(orphans) == before


def test_the_refusal_reads_in_english(db: None, orphans: Path) -> None:
    with translation.override("en"), pytest.raises(CommandError) as refusal:
        run("--grace-hours", "-5")

    assert str(refusal.value) == (
        "The grace period must be a whole number of hours from 0 to 8784."
    )


def test_the_nightly_task_removes_what_the_command_would(db: None, orphans: Path) -> None:
    assert files_sweep_nightly() == 3

    assert stored(orphans) == ["incidents/photos/2026/12/recent.jpg"]


def test_beat_runs_the_sweep_at_half_past_two_in_vietnam() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["files_sweep"]

    assert schedule["task"] == "geoapp.files_sweep"
    assert (schedule["schedule"].hour, schedule["schedule"].minute) == ({2}, {30})
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"
