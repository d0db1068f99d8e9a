"""The daily open-data files: every public report, the public columns only, at stable URLs."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pyogrio
import pytest
from django.test import Client
from django.utils import timezone

from geoapp.clock import VIETNAM_TIME_ZONE
from opendata.services import open_data_files_write
from opendata.tasks import write_files
from tests.opendata.conftest import PERSONAL_VALUES, Reports

pytestmark = pytest.mark.django_db

COLUMNS = [
    "tracking_code", "category", "status", "reported_at", "summary", "supporters_count",
    "commune_code",
]  # fmt: skip


@pytest.fixture
def open_data_dir(settings: Any, tmp_path: Path) -> Path:
    settings.OPEN_DATA_DIR = tmp_path / "open_data"
    return Path(settings.OPEN_DATA_DIR)


def test_the_files_hold_every_public_report_and_nothing_personal(
    reports: Reports, open_data_dir: Path
) -> None:
    assert write_files() == 4
    expected = sorted(incident.tracking_code for incident in reports.public)
    frame = pyogrio.read_dataframe(open_data_dir / "phan-anh.gpkg")
    assert sorted(frame["tracking_code"]) == expected
    assert list(frame.columns) == [*COLUMNS, "geometry"]
    first = frame[frame["tracking_code"] == reports.public[-1].tracking_code].iloc[0]
    assert (first.geometry.x, first.geometry.y) == (108.8, 15.05)
    assert first["reported_at"] == "2025-08-01T09:00:00+07:00"
    geojson = json.loads((open_data_dir / "phan-anh.geojson").read_text(encoding="utf-8"))
    assert sorted(f["properties"]["tracking_code"] for f in geojson["features"]) == expected
    text = (open_data_dir / "phan-anh.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [*COLUMNS, "longitude", "latitude"]
    assert sorted(row["tracking_code"] for row in rows) == expected
    for name in ("phan-anh.gpkg", "phan-anh.geojson", "phan-anh.csv"):
        content = (open_data_dir / name).read_bytes()
        for value in PERSONAL_VALUES:
            assert value.encode() not in content


def test_the_files_are_served_at_stable_urls_with_a_metadata_page(
    reports: Reports, open_data_dir: Path
) -> None:
    open_data_files_write()
    page = Client().get("/du-lieu-mo/")
    assert page.status_code == 200
    assert "4 phản ánh" in page.content.decode()
    assert "CC BY 4.0" in page.content.decode()
    download = Client().get("/du-lieu-mo/phan-anh.csv")
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download.getvalue().decode("utf-8-sig").count("\n") == 5
    metadata = Client().get("/du-lieu-mo/phan-anh.json")
    assert json.loads(metadata.getvalue())["report_count"] == 4


def test_no_other_file_is_reachable(reports: Reports, open_data_dir: Path) -> None:
    open_data_files_write()
    (open_data_dir / "secret.txt").write_text("bí mật")
    assert Client().get("/du-lieu-mo/secret.txt").status_code == 404
    assert Client().get("/du-lieu-mo/..%2Fsecret.txt").status_code == 404


def test_before_the_first_run_the_page_says_the_files_are_not_made_yet(
    open_data_dir: Path,
) -> None:
    page = Client().get("/du-lieu-mo/")
    assert page.status_code == 200
    assert "Các tệp chưa được tạo; chúng được tạo mỗi đêm." in page.content.decode()
    assert Client().get("/du-lieu-mo/phan-anh.gpkg").status_code == 404


def test_the_files_are_written_nightly_and_the_grid_recounted_every_ten_minutes(
    settings: Any,
) -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["opendata_write_files"]["task"] == "opendata.write_files"
    nightly = schedule["opendata_write_files"]["schedule"]
    assert (nightly.hour, nightly.minute) == ({1}, {30})
    assert schedule["opendata_refresh_report_grid"] == {
        "task": "opendata.refresh_report_grid",
        "schedule": 600.0,
    }


def test_each_file_says_what_it_holds_when_it_was_made_and_from_which_boundaries(
    reports: Reports, open_data_dir: Path
) -> None:
    before = timezone.now().astimezone(VIETNAM_TIME_ZONE).replace(microsecond=0)
    write_files()

    in_geopackage = pyogrio.read_info(open_data_dir / "phan-anh.gpkg")["layer_metadata"]
    geojson = json.loads((open_data_dir / "phan-anh.geojson").read_text(encoding="utf-8"))
    in_geojson = json.loads(geojson["description"])
    beside = json.loads((open_data_dir / "phan-anh.json").read_text(encoding="utf-8"))

    for about in (in_geopackage, in_geojson):
        assert about["report_count"] == str(len(reports.public))
        assert about["title"].startswith("Phản ánh công khai / Public citizen reports")
        assert "routed to on its date" in about["boundaries"]
        assert about["made_at"] == beside["made_at"]
    made = datetime.fromisoformat(beside["made_at"])
    assert made.utcoffset() == timedelta(hours=7) and before <= made <= timezone.now()
    assert beside["boundaries"] == in_geopackage["boundaries"]
