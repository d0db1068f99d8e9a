"""GDAL's OGC API – Features driver (ogrinfo, from Debian's gdal-bin) reads every collection
from a live server, and finds the counts the database holds."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.db import connection
from pytest_django.live_server_helper import LiveServer

from tests.opendata.conftest import Reports

pytestmark = pytest.mark.django_db(transaction=True)

COLLECTIONS = {
    "phan-anh": "SELECT count(*) FROM opendata_public_report",
    "xa-phuong": "SELECT count(*) FROM opendata_commune",
    "xa-phuong-hien-hanh": (
        "SELECT count(*) FROM opendata_commune WHERE valid_from <= current_date "
        "AND (valid_to IS NULL OR valid_to >= current_date)"
    ),
    # Counted from the tables the views read, so a view that drops rows is caught.
    "ho-so-theo-thang": (
        "SELECT count(DISTINCT (area_id, date_trunc('month', day))) "
        "FROM procedures_dossierdailytally WHERE area_id IS NOT NULL"
    ),
    "chi-tieu": "SELECT count(*) FROM indicators_indicatorvalue WHERE status = 'approved'",
}


def ogrinfo(*arguments: str) -> str:
    completed = subprocess.run(
        ["ogrinfo", "-ro", *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        # GDAL's HTTP cache would let one run read another's answers.
        env={
            "GDAL_HTTP_TIMEOUT": "60",
            "CPL_VSIL_CURL_NON_CACHED": "/vsicurl/",
            "PATH": "/usr/bin",
        },
    )
    return completed.stdout


def database_count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    assert row is not None
    return int(row[0])


def test_gdal_lists_every_collection(live_server: LiveServer, layers: None) -> None:
    listing = ogrinfo(f"OAPIF:{live_server.url}/ogc/")
    layers = re.findall(r"^\d+: (\S+)", listing, flags=re.MULTILINE)
    assert sorted(layers) == sorted(COLLECTIONS)


@pytest.mark.parametrize("collection", sorted(COLLECTIONS))
def test_gdal_reads_as_many_features_as_the_database_holds(
    live_server: LiveServer, layers: None, collection: str
) -> None:
    expected = database_count(COLLECTIONS[collection])
    assert expected > 0
    summary = ogrinfo("-so", f"OAPIF:{live_server.url}/ogc/", collection)
    assert f"Feature Count: {expected}\n" in summary
    # Every feature read one by one, through the pages (2 per page here: GDAL follows `next`).
    features = ogrinfo("-q", "-oo", "PAGE_SIZE=2", f"OAPIF:{live_server.url}/ogc/", collection)
    assert (
        len(re.findall(rf"^OGRFeature\({re.escape(collection)}\):", features, re.MULTILINE))
        == expected
    )


def test_gdal_reads_the_public_properties_only(live_server: LiveServer, reports: Reports) -> None:
    summary = ogrinfo("-so", f"OAPIF:{live_server.url}/ogc/", "phan-anh")
    # ogrinfo lists each field as "name: Type (width.precision)"; GDAL adds the feature's id.
    fields = re.findall(
        r"^([a-z_]+): (?:String|Integer|Integer64|DateTime|Real)", summary, re.MULTILINE
    )
    assert sorted(fields) == sorted(
        [
            "id",
            "tracking_code",
            "category",
            "status",
            "reported_at",
            "summary",
            "supporters_count",
            "commune_code",
        ]
    )
