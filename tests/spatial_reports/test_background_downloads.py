"""Downloads above SPATIAL_REPORTS_SYNC_MAX_ROWS: written by a real Celery worker, polled by the
page, kept a week, then removed by the nightly sweep."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pyogrio
import pytest
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from geoapp.file_sweep import files_sweep
from spatial_reports.models import ExportStatus, SpatialReportExport
from tests.celery_worker import running_worker
from tests.spatial_reports.conftest import Reports

SECOND_HALF = {"tu": "2025-07-01", "den": "2025-12-31"}


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_a_large_download_is_written_by_the_worker(
    reports: Reports,
    planner: User,
    settings: Settings,
    private_queue: str,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.SPATIAL_REPORTS_SYNC_MAX_ROWS = 3
    # The worker writes where this test reads.
    monkeypatch.setenv("DJANGO_MEDIA_ROOT", str(media))
    client = Client()
    client.force_login(planner)

    with running_worker(queue=private_queue, database_name=connection.settings_dict["NAME"]):
        response = client.post("/bao-cao-khong-gian/tai-ve/", {**SECOND_HALF, "dinh_dang": "gpkg"})
        export = SpatialReportExport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/bao-cao-khong-gian/tai-ve/{export.id}/"
        status_url = f"/bao-cao-khong-gian/tai-ve/{export.id}/trang-thai.json"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state = client.get(status_url).json()
            if state["status"] in ("ready", "failed"):
                break
            time.sleep(0.5)

    assert state == {
        "status": "ready",
        "status_label": "sẵn sàng",
        "row_count": 4,
        "error": "",
        "ready": True,
    }
    export.refresh_from_db()
    assert export.file == f"spatial_reports/exports/{export.id}.gpkg"
    page = client.get(f"/bao-cao-khong-gian/tai-ve/{export.id}/")
    assert page.status_code == 200
    file_response = client.get(f"/bao-cao-khong-gian/tai-ve/{export.id}/tep/")
    assert file_response.status_code == 200
    path = media / "read.gpkg"
    path.write_bytes(b"".join(file_response.streaming_content))  # type: ignore[attr-defined]
    assert len(pyogrio.read_dataframe(path)) == 4
    default_storage.delete(export.file)


def test_another_planner_cannot_read_someone_elses_download(
    reports: Reports, planner: User, db: None
) -> None:
    export = SpatialReportExport.objects.create(
        requested_by=planner, query=SECOND_HALF, file_format="csv"
    )
    other = User.objects.create_user("quy-hoach-2")
    other.groups.add(*planner.groups.all())
    client = Client()
    client.force_login(other)

    assert client.get(f"/bao-cao-khong-gian/tai-ve/{export.id}/trang-thai.json").status_code == 404
    assert client.get(f"/bao-cao-khong-gian/tai-ve/{export.id}/tep/").status_code == 404


def test_the_sweep_keeps_a_download_for_a_week(planner: User, media: Path, db: None) -> None:
    young = SpatialReportExport.objects.create(
        requested_by=planner, query=SECOND_HALF, file_format="csv", status=ExportStatus.READY,
        file="spatial_reports/exports/young.csv",
    )  # fmt: skip
    old = SpatialReportExport.objects.create(
        requested_by=planner, query=SECOND_HALF, file_format="csv", status=ExportStatus.READY,
        file="spatial_reports/exports/old.csv", created_at=timezone.now() - timedelta(days=8),
    )  # fmt: skip
    for export in (young, old):
        default_storage.save(export.file, ContentFile(b"code\n"))

    report = files_sweep(now=timezone.now() + timedelta(days=2), grace_hours=24)

    assert [swept.name for swept in report.files] == ["spatial_reports/exports/old.csv"]
    assert default_storage.exists(young.file) and not default_storage.exists(old.file)
    client = Client()
    client.force_login(planner)
    assert client.get(f"/bao-cao-khong-gian/tai-ve/{old.id}/tep/").status_code == 410
