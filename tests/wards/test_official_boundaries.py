"""The official boundary files, imported exactly as docs/importing-boundaries.md tells an
administrator to, then checked against the administrative centres of quang_ngai_units.csv.

The files are read by path from SHARED_GEO_DIR and never copied into the project. Every command
below is also asserted to appear word for word in the document, so the two cannot drift apart.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import shlex
from pathlib import Path

import pyogrio
import pytest
import shapely
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from wards.models import Area, AreaLevel, AreaSuccession
from wards.selectors import PointOutsideTerritory, areas_containing_point

pytestmark = pytest.mark.shared_geo

DOCUMENT = settings.BASE_DIR / "docs" / "importing-boundaries.md"
SHARED_GEO_PREFIX = "../shared/geo/"

PROVINCE_DRY_RUN = ".venv/bin/python manage.py wards_import_areas ../shared/geo/qn2025_province_boundary.geojson --level province --valid-from 2025-07-01 --name-field fullName"
PROVINCE_COMMIT = f"{PROVINCE_DRY_RUN} --commit"
COMMUNES_DRY_RUN = ".venv/bin/python manage.py wards_import_areas ../shared/geo/qn2025_wards_province_96.geojson --level commune --valid-from 2025-07-01 --code-field code --name-field fullName --parent-code 51"
COMMUNES_COMMIT = f"{COMMUNES_DRY_RUN} --commit"
PRE_2025_COMMANDS = (
    ".venv/bin/python manage.py wards_import_areas ../shared/geo/qn_pre2025_province_approx.geojson --level province --valid-from 1989-07-01 --valid-to 2025-06-30 --approximate --commit",
    ".venv/bin/python manage.py wards_import_areas ../shared/geo/qn_pre2025_district_522_approx.geojson --level district --valid-from 2014-04-01 --valid-to 2025-06-30 --parent-code 51 --approximate --commit",
    ".venv/bin/python manage.py wards_import_areas ../shared/geo/qn_pre2025_communes_approx.geojson --level commune --valid-from 2014-04-01 --valid-to 2025-06-30 --parent-code 522 --approximate --commit",
)
UNITS_TABLE_DRY_RUN = (
    ".venv/bin/python manage.py wards_import_successions ../shared/geo/quang_ngai_units.csv"
)
SUCCESSIONS_FILE = "var/imports/cam-thanh-successions.csv"
SUCCESSIONS_DRY_RUN = f".venv/bin/python manage.py wards_import_successions {SUCCESSIONS_FILE}"
SUCCESSIONS_COMMIT = f"{SUCCESSIONS_DRY_RUN} --commit"
SUCCESSIONS_CONTENT = """\
predecessor_code,predecessor_valid_from,successor_code,successor_valid_from,effective_on,share
51,1989-07-01,51,2025-07-01,2025-07-01,1
21019,2014-04-01,21025,2025-07-01,2025-07-01,1
21022,2014-04-01,21025,2025-07-01,2025-07-01,1
21025,2014-04-01,21025,2025-07-01,2025-07-01,1
21031,2014-04-01,21025,2025-07-01,2025-07-01,1
"""
EXPORT_COMMUNES = ".venv/bin/python manage.py wards_export_areas var/exports/quang-ngai-communes-2026-01-01.geojson --level commune --date 2026-01-01"
EXPORT_SIMPLIFIED = ".venv/bin/python manage.py wards_export_areas var/exports/quang-ngai-communes-2026-01-01-simplified.gpkg --level commune --date 2026-01-01 --simplify 20"

AFTER_THE_REFORM = datetime.date(2026, 1, 1)
BEFORE_THE_REFORM = datetime.date(2024, 6, 1)


def run_documented(command: str, *, shared_geo_dir: Path, var_directory: Path | None = None) -> str:
    """Run a command as written in the document, with its folders pointed at this machine's."""
    assert command in DOCUMENT.read_text(encoding="utf-8"), command
    python, manage, name, *arguments = shlex.split(command)
    assert (python, manage) == (".venv/bin/python", "manage.py")
    arguments = [
        str(shared_geo_dir / argument.removeprefix(SHARED_GEO_PREFIX))
        if argument.startswith(SHARED_GEO_PREFIX)
        else str(var_directory / argument.removeprefix("var/"))
        if argument.startswith("var/") and var_directory is not None
        else argument
        for argument in arguments
    ]
    output = io.StringIO()
    call_command(name, *arguments, stdout=output)
    return output.getvalue()


def unit_rows(shared_geo_dir: Path, *, valid_from: str) -> list[dict[str, str]]:
    with (shared_geo_dir / "quang_ngai_units.csv").open(encoding="utf-8") as handle:
        return [
            row
            for row in csv.DictReader(handle)
            if row["valid_from"] == valid_from and row["level"] == "commune"
        ]


def import_the_2025_boundaries(shared_geo_dir: Path) -> None:
    run_documented(PROVINCE_COMMIT, shared_geo_dir=shared_geo_dir)
    run_documented(COMMUNES_COMMIT, shared_geo_dir=shared_geo_dir)


def import_the_approximate_pre_2025_boundaries(shared_geo_dir: Path) -> None:
    for command in PRE_2025_COMMANDS:
        run_documented(command, shared_geo_dir=shared_geo_dir)


def codes_and_names(areas: list[Area]) -> list[tuple[str, str]]:
    return [(area.code, area.name) for area in areas]


def test_the_documented_import_finds_each_of_the_96_units_at_its_administrative_centre(
    db, shared_geo_dir, tmp_path
):
    dry_run = run_documented(PROVINCE_DRY_RUN, shared_geo_dir=shared_geo_dir)
    assert dry_run.splitlines()[-2:] == [
        "Chạy thử: chưa ghi gì vào cơ sở dữ liệu.",
        "Thêm --commit để ghi.",
    ]
    assert Area.objects.count() == 0
    run_documented(PROVINCE_COMMIT, shared_geo_dir=shared_geo_dir)
    communes_dry_run = run_documented(COMMUNES_DRY_RUN, shared_geo_dir=shared_geo_dir)
    assert "Tổng cộng: thêm 96, thay 0, không đổi 0." in communes_dry_run.splitlines()
    assert Area.objects.count() == 1

    committed = run_documented(COMMUNES_COMMIT, shared_geo_dir=shared_geo_dir)

    assert committed.splitlines()[-2:] == [
        "Tổng cộng: thêm 96, thay 0, không đổi 0.",
        "Đã ghi vào cơ sở dữ liệu.",
    ]
    province = Area.objects.get(code="51", valid_from=datetime.date(2025, 7, 1))
    assert Area.objects.filter(level=AreaLevel.COMMUNE, parent=province).count() == 96
    centres = unit_rows(shared_geo_dir, valid_from="2025-07-01")
    assert len(centres) == 96
    failures = []
    for unit in centres:
        centre = Point(float(unit["centre_lon"]), float(unit["centre_lat"]), srid=4326)
        try:
            areas = areas_containing_point(point=centre, on=AFTER_THE_REFORM)
        except PointOutsideTerritory:
            areas = []
        if not areas or areas[0].code != unit["code"] or province not in areas:
            failures.append((unit["code"], unit["name"], codes_and_names(areas)))
    assert failures == [], f"{len(failures)} of 96 centres not found in their unit: {failures}"

    again = run_documented(COMMUNES_DRY_RUN, shared_geo_dir=shared_geo_dir)
    assert "Tổng cộng: thêm 0, thay 0, không đổi 96." in again.splitlines()

    (tmp_path / "exports").mkdir()
    run_documented(EXPORT_COMMUNES, shared_geo_dir=shared_geo_dir, var_directory=tmp_path)
    run_documented(EXPORT_SIMPLIFIED, shared_geo_dir=shared_geo_dir, var_directory=tmp_path)
    exported = json.loads(
        (tmp_path / "exports" / "quang-ngai-communes-2026-01-01.geojson").read_text()
    )
    simplified = pyogrio.read_dataframe(
        tmp_path / "exports" / "quang-ngai-communes-2026-01-01-simplified.gpkg"
    )
    assert len(exported["features"]) == len(simplified) == 96
    assert (
        shapely.get_num_coordinates(simplified.geometry.values).sum()
        < sum(
            shapely.get_num_coordinates(shapely.geometry.shape(feature["geometry"]))
            for feature in exported["features"]
        )
        / 2
    )


def test_a_lookup_dated_either_side_of_the_reform_finds_the_units_of_that_day(db, shared_geo_dir):
    import_the_2025_boundaries(shared_geo_dir)
    import_the_approximate_pre_2025_boundaries(shared_geo_dir)
    nguyen_nghiem_centre = next(
        Point(float(unit["centre_lon"]), float(unit["centre_lat"]), srid=4326)
        for unit in unit_rows(shared_geo_dir, valid_from="2014-04-01")
        if unit["code"] == "21025"
    )

    before = areas_containing_point(point=nguyen_nghiem_centre, on=BEFORE_THE_REFORM)
    after = areas_containing_point(point=nguyen_nghiem_centre, on=AFTER_THE_REFORM)

    assert codes_and_names(before) == [
        ("21025", "Phường Nguyễn Nghiêm"),
        ("522", "Thành phố Quảng Ngãi"),
        ("51", "Tỉnh Quảng Ngãi"),
    ]
    assert [area.valid_from for area in before] == [
        datetime.date(2014, 4, 1),
        datetime.date(2014, 4, 1),
        datetime.date(1989, 7, 1),
    ]
    assert codes_and_names(after) == [("21025", "Phường Cẩm Thành"), ("51", "Tỉnh Quảng Ngãi")]
    assert [area.valid_from for area in after] == [datetime.date(2025, 7, 1)] * 2


def test_every_pre_2025_commune_is_found_at_its_centre_in_2024(db, shared_geo_dir):
    import_the_2025_boundaries(shared_geo_dir)
    import_the_approximate_pre_2025_boundaries(shared_geo_dir)
    communes = unit_rows(shared_geo_dir, valid_from="2014-04-01")
    assert len(communes) == 23

    failures = []
    for unit in communes:
        centre = Point(float(unit["centre_lon"]), float(unit["centre_lat"]), srid=4326)
        areas = areas_containing_point(point=centre, on=BEFORE_THE_REFORM)
        if codes_and_names(areas)[0] != (unit["code"], unit["name"]) or len(areas) != 3:
            failures.append((unit["code"], unit["name"], codes_and_names(areas)))

    assert failures == []


def test_the_documented_successions_step_records_the_predecessors_of_cam_thanh(
    db, shared_geo_dir, tmp_path
):
    import_the_2025_boundaries(shared_geo_dir)
    import_the_approximate_pre_2025_boundaries(shared_geo_dir)
    document = DOCUMENT.read_text(encoding="utf-8")
    assert SUCCESSIONS_CONTENT in document
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "cam-thanh-successions.csv").write_text(
        SUCCESSIONS_CONTENT, encoding="utf-8"
    )

    # The units table also names Xã An Phú (21262) of 2025-01-01 to 2025-06-30, a period the
    # approximate files do not have: the document shows this refusal and explains it.
    with pytest.raises(CommandError) as refusal:
        run_documented(UNITS_TABLE_DRY_RUN, shared_geo_dir=shared_geo_dir)
    assert refusal.value.args[0] in document
    dry_run = run_documented(
        SUCCESSIONS_DRY_RUN, shared_geo_dir=shared_geo_dir, var_directory=tmp_path
    )
    assert AreaSuccession.objects.count() == 0
    committed = run_documented(
        SUCCESSIONS_COMMIT, shared_geo_dir=shared_geo_dir, var_directory=tmp_path
    )

    assert "Tổng cộng: thêm 5, không đổi 0." in dry_run.splitlines()
    assert committed.splitlines()[-1] == "Đã ghi vào cơ sở dữ liệu."
    cam_thanh = Area.objects.get(code="21025", valid_from=datetime.date(2025, 7, 1))
    assert sorted(
        cam_thanh.predecessions.values_list("predecessor__code", "predecessor__name", "share")
    ) == [
        ("21019", "Phường Nghĩa Chánh", 1),
        ("21022", "Phường Trần Hưng Đạo", 1),
        ("21025", "Phường Nguyễn Nghiêm", 1),
        ("21031", "Phường Chánh Lộ", 1),
    ]
