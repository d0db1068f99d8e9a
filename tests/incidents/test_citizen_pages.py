"""The citizens' pages through Django's test client, against the real database: the public map and
its endpoint, "Gửi phản ánh" as a plain HTML form, the confirmation, tracking, rating, reopening,
support, lookup and public photos; in Vietnamese and English, with no personal data in public.

Points sit in the `territory` fixture's squares: Cẩm Thành is 108.7–108.9 E × 15.0–15.1 N after
the reform, An Phú 15.1–15.2 N.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator
from datetime import timedelta
from typing import Any, TypedDict
from urllib.parse import urlsplit

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import Settings

from incidents import services
from incidents.models import Incident, IncidentEvent, IncidentPhoto, IncidentStatus
from incidents.page_selectors import cell_size_degrees
from incidents.reporter_tokens import reporter_token_for
from tests.conftest import ClientResponse, Territory

from .conftest import AN_PHU_POINT, Filed, FileReport, jpeg_bytes, png_bytes, upload
from .test_photos import PHOTO_WITH_GPS

REPORTER_NAME = "Trần Thị Bình"
REPORTER_PHONE = "0905 123 456"
REPORTER_EMAIL = "binh@example.vn"
PERSONAL_DATA = (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL)
MAP_URL = "/api/v1/incident-map/"


@pytest.fixture(autouse=True)
def _cache_keys_of_this_run(settings: Settings) -> Iterator[None]:
    """Rate-limit counts under a prefix of this test run alone: other engineers' runs of the
    incidents tests share the Redis database and empty the common "test-incidents" prefix."""
    prefix = f"test-citizen-pages-{os.environ.get('GEOAPP_TEST_DB_SUFFIX', 'main')}-{os.getpid()}"
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": prefix}}
    yield
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    for key in client.scan_iter(match=f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def visitor() -> Client:
    """A citizen's visitor: its own session and address."""
    return Client(REMOTE_ADDR="203.0.113.20")


@pytest.fixture
def english(visitor: Client) -> Client:
    visitor.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return visitor


def report_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "category": "giao-thong",
        "attribute-giao-thong-loai-hu-hong": "o-ga",
        "description": "Ổ gà sâu giữa đường Hùng Vương",
        "lat": "15.05",
        "lon": "108.80",
        "address": "12 Hùng Vương",
        "reporter_name": REPORTER_NAME,
        "reporter_phone": REPORTER_PHONE,
        "reporter_email": REPORTER_EMAIL,
        "reporter_may_be_contacted": "on",
        "idempotency_key": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def text_of(response: ClientResponse) -> str:
    return response.content.decode()


def assert_no_personal_data(text: str) -> None:
    for value in PERSONAL_DATA:
        assert value not in text


def resolved(file_report: FileReport, officer: User, **overrides: Any) -> Filed:
    filed = file_report(**overrides)
    services.incident_acknowledge(actor=officer, incident=filed.incident)
    services.incident_resolve(
        actor=officer, incident=filed.incident, answer="Đã vá ổ gà bằng bê tông nhựa."
    )
    filed.incident.refresh_from_db()
    return filed


def as_reporter(visitor: Client, filed: Filed) -> None:
    """Follow the private link the confirmation page gave, as the reporter does."""
    code = filed.incident.tracking_code
    response = visitor.get(f"/phan-anh/{code}/?khoa={filed.token}")
    assert response.status_code == 302
    assert response["Location"] == f"/phan-anh/{code}/"


# The home page


def test_the_home_page_shows_the_map_filters_figures_and_latest_answers_in_vietnamese(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    answered = resolved(file_report, officer_a)
    file_report(description="Đèn đường tắt", category_code="chieu-sang", attributes={})

    response = visitor.get("/")

    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    text = text_of(response)
    for expected in (
        "<h1>Phản ánh của người dân</h1>",
        'data-map-url="/api/v1/incident-map/"',
        '<optgroup label="Hạ tầng đô thị">',
        '<option value="giao-thong">Giao thông</option>',
        '<option value="resolved">Đã giải quyết</option>',
        '<option value="21025">Phường Cẩm Thành</option>',
        '<label for="filter-from">Từ ngày</label>',
        "<dt>Tổng số</dt><dd>2</dd>",
        "<dt>Đang xử lý</dt><dd>1</dd>",
        "<dt>Đã giải quyết</dt><dd>1</dd>",
        "<dt>Quá hạn</dt><dd>0</dd>",
        "Trả lời mới nhất",
        f'href="/phan-anh/{answered.incident.tracking_code}/">{answered.incident.tracking_code}</a>',
        "Đã vá ổ gà bằng bê tông nhựa.",
    ):
        assert expected in text, expected
    assert_no_personal_data(text)


def test_the_home_page_is_in_english_when_the_visitor_chose_english(
    english: Client, file_report: FileReport
) -> None:
    file_report()

    response = english.get("/")

    assert response["Content-Language"] == "en"
    text = text_of(response)
    for expected in (
        "<h1>Citizens’ reports</h1>",
        '<optgroup label="Urban infrastructure">',
        '<option value="giao-thong">Roads and traffic</option>',
        '<option value="resolved">Resolved</option>',
        "<dt>Total</dt><dd>1</dd>",
        "Latest answers",
        "No report has been answered yet.",
        ">Submit a report</a>",
    ):
        assert expected in text, expected
    assert "Phản ánh của người dân" not in text


def test_the_home_page_keeps_the_chosen_filters_in_its_form(
    visitor: Client, territory: Territory, categories: None
) -> None:
    response = visitor.get(
        "/", {"category": "chieu-sang", "status": "new", "area": "21034", "from": "2025-07-01"}
    )

    text = text_of(response)
    assert '<option value="chieu-sang" selected>' in text
    assert '<option value="new" selected>' in text
    assert '<option value="21034" selected>' in text
    # Dates travel as ISO in the address and are shown day first.
    assert 'name="from" value="01/07/2025"' in text


@pytest.mark.parametrize(
    "path", ["/", "/gui-phan-anh/", "/tra-cuu/"], ids=["home", "report", "lookup"]
)
def test_every_script_stylesheet_and_image_of_the_citizen_pages_comes_from_the_app(
    visitor: Client, territory: Territory, categories: None, path: str
) -> None:
    text = text_of(visitor.get(path))

    urls = [
        url for attribute in ("src", "href", "action") for url in _attribute_values(text, attribute)
    ]
    assert urls
    for url in urls:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), f"{url} leaves the app"
    for url in _attribute_values(text, "src") + _attribute_values(text, "href"):
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")) is not None, url


def _attribute_values(text: str, attribute: str) -> list[str]:
    values = []
    marker = f' {attribute}="'
    start = text.find(marker)
    while start != -1:
        end = text.index('"', start + len(marker))
        values.append(text[start + len(marker) : end])
        start = text.find(marker, end)
    return values


def test_the_area_map_moved_to_its_own_address_and_the_home_page_links_to_it(
    visitor: Client, territory: Territory, categories: None
) -> None:
    text = text_of(visitor.get("/"))

    assert reverse("area-map") == "/ban-do-hanh-chinh/"
    assert 'href="/ban-do-hanh-chinh/">Bản đồ địa bàn</a>' in text
    assert 'href="/" aria-current="page">Bản đồ phản ánh</a>' in text
    assert visitor.get("/ban-do-hanh-chinh/").status_code == 200


# The map endpoint


def cell_centre(zoom: int, column: int, row: int) -> tuple[float, float]:
    size = cell_size_degrees(zoom)
    return ((column + 0.5) * size, (row + 0.5) * size)


def cell_of(zoom: int, longitude: float, latitude: float) -> tuple[int, int]:
    size = cell_size_degrees(zoom)
    return math.floor(longitude / size), math.floor(latitude / size)


Cell = tuple[int, int]


class Placed(TypedDict):
    zoom: int
    cells: tuple[Cell, Cell, Cell]
    group: list[Filed]
    pair: list[Filed]
    alone: Filed


@pytest.fixture
def placed(file_report: FileReport, officer_a: User) -> Placed:
    """Six reports in three cells at zoom 12: three in one cell of Cẩm Thành (one acknowledged,
    one overdue), two in another, one alone in An Phú; and two that must never show (hidden,
    spam)."""
    zoom = 12
    first = cell_of(zoom, 108.80, 15.05)
    second = (first[0] + 2, first[1])
    lonely = cell_of(zoom, 108.80, 15.15)

    def at(cell: Cell, dx: float = 0.0, dy: float = 0.0, **overrides: Any) -> Filed:
        longitude, latitude = cell_centre(zoom, *cell)
        return file_report(point=Point(longitude + dx, latitude + dy, srid=4326), **overrides)

    group = [at(first, -0.002, 0.001), at(first, 0.001, -0.002), at(first, 0.003, 0.003)]
    services.incident_acknowledge(actor=officer_a, incident=group[1].incident)
    Incident.objects.filter(pk=group[2].incident.pk).update(
        resolve_by=timezone.now() - timedelta(hours=1)
    )
    pair = [
        at(second, 0.0, 0.001, category_code="chieu-sang", attributes={}),
        at(second, 0.001, 0.0, category_code="chieu-sang", attributes={}),
    ]
    alone = at(lonely)
    hidden = at(first)
    services.incident_hide(actor=officer_a, incident=hidden.incident, reason="Ảnh nhạy cảm")
    spam = at(first)
    services.incident_reject(actor=officer_a, incident=spam.incident, reason="spam")
    return {
        "zoom": zoom,
        "cells": (first, second, lonely),
        "group": group,
        "pair": pair,
        "alone": alone,
    }


TERRITORY_BOX = "108.6,14.9,109.0,15.3"


def map_of(visitor: Client, **parameters: Any) -> dict[str, Any]:
    response = visitor.get(MAP_URL, parameters)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def test_at_low_zoom_the_map_groups_reports_by_cell_with_counts_statuses_and_overdue(
    visitor: Client, placed: Placed
) -> None:
    document = map_of(visitor, bbox=TERRITORY_BOX, zoom=placed["zoom"])

    assert (document["grouped"], document["numberMatched"]) == (True, 6)
    first, second, _lonely = placed["cells"]
    features = document["features"]
    assert [feature["properties"].get("count", 1) for feature in features] == [3, 2, 1]
    big, pair, alone = features
    assert big["properties"] == {
        "kind": "cluster",
        "count": 3,
        "overdue": 1,
        "statuses": {"acknowledged": 1, "new": 2},
    }
    assert big["id"] == f"cell:{first[0]}:{first[1]}"
    expected_x = sum(f.incident.location.x for f in placed["group"]) / 3
    expected_y = sum(f.incident.location.y for f in placed["group"]) / 3
    assert big["geometry"]["coordinates"] == [
        pytest.approx(expected_x, abs=1e-6),
        pytest.approx(expected_y, abs=1e-6),
    ]
    assert pair["properties"] == {
        "kind": "cluster",
        "count": 2,
        "overdue": 0,
        "statuses": {"new": 2},
    }
    assert pair["id"] == f"cell:{second[0]}:{second[1]}"
    incident = placed["alone"].incident
    assert alone["properties"] == {
        "kind": "incident",
        "tracking_code": incident.tracking_code,
        "category": "giao-thong",
        "category_name": "Giao thông",
        "category_name_en": "Roads and traffic",
        "status": "new",
        "overdue": False,
        "reported_at": incident.reported_at.astimezone(
            timezone.get_fixed_timezone(7 * 60)
        ).strftime("%Y-%m-%dT%H:%M:%S+07:00"),
        "supporters_count": 0,
    }
    assert alone["geometry"]["coordinates"] == [
        round(incident.location.x, 6),
        round(incident.location.y, 6),
    ]
    assert_no_personal_data(json.dumps(document, ensure_ascii=False))


def test_a_cells_count_does_not_depend_on_where_the_screen_edge_cuts_it(
    visitor: Client, placed: Placed
) -> None:
    first, _second, _lonely = placed["cells"]
    size = cell_size_degrees(placed["zoom"])
    # A box whose western edge passes through the middle of the first cell, east of two of its
    # three reports: the cell is still counted whole.
    west = (first[0] + 0.5) * size + 0.0015
    box = f"{west},{(first[1] - 1) * size},{(first[0] + 4) * size},{(first[1] + 2) * size}"

    document = map_of(visitor, bbox=box, zoom=placed["zoom"])

    assert [feature["properties"]["count"] for feature in document["features"]] == [3, 2]
    assert document["numberMatched"] == 5


def test_at_high_zoom_the_map_gives_every_report_in_the_box_newest_first(
    visitor: Client, placed: Placed
) -> None:
    group = placed["group"]
    xs = [filed.incident.location.x for filed in group]
    ys = [filed.incident.location.y for filed in group]
    box = f"{min(xs) - 0.001},{min(ys) - 0.001},{max(xs) + 0.001},{max(ys) + 0.001}"

    document = map_of(visitor, bbox=box, zoom=17)

    assert (document["grouped"], document["numberMatched"], document["numberReturned"]) == (
        False,
        3,
        3,
    )
    assert [feature["id"] for feature in document["features"]] == [
        filed.incident.tracking_code for filed in reversed(group)
    ]
    assert [
        (feature["properties"]["status"], feature["properties"]["overdue"])
        for feature in document["features"]
    ] == [("new", True), ("acknowledged", False), ("new", False)]


def test_the_map_filters_by_category_status_area_and_period(
    visitor: Client, placed: Placed
) -> None:
    zoom = placed["zoom"]

    def counts(**filters: Any) -> int:
        return map_of(visitor, bbox=TERRITORY_BOX, zoom=zoom, **filters)["numberMatched"]

    today = timezone.localdate().isoformat()
    assert counts(category="chieu-sang") == 2
    assert counts(status="acknowledged") == 1
    assert counts(area="21034") == 1
    assert counts(area="21025") == 5
    assert counts(**{"from": today, "to": today}) == 6
    assert counts(to="2025-01-01") == 0


WORLD_BOX = "-180,-90,180,90"


def test_zoom_15_over_the_whole_world_returns_at_most_the_cap_and_says_it_was_cut(
    visitor: Client, file_report: FileReport, settings: Settings
) -> None:
    """Issue 8, finding 12: the grouped map had no limit, so zoom 15 (cells of about 300 m)
    over the whole world answered every report, one feature each."""
    settings.INCIDENT_MAP_FEATURES_MAX = 3
    # Five reports about 1 km apart: five cells at zoom 15.
    for number in range(5):
        file_report(point=Point(108.75 + number * 0.01, 15.05, srid=4326))

    grouped = map_of(visitor, bbox=WORLD_BOX, zoom=15)
    pins = map_of(visitor, bbox=WORLD_BOX, zoom=17)
    settings.INCIDENT_MAP_FEATURES_MAX = 5
    whole = map_of(visitor, bbox=WORLD_BOX, zoom=15)

    assert (grouped["grouped"], len(grouped["features"]), grouped["numberMatched"]) == (True, 3, 5)
    assert grouped["truncated"] is True
    assert (pins["grouped"], len(pins["features"]), pins["numberMatched"]) == (False, 3, 5)
    assert (pins["numberReturned"], pins["truncated"]) == (3, True)
    assert (len(whole["features"]), whole["truncated"]) == (5, False)


@pytest.mark.parametrize(
    ("parameters", "code"),
    [
        ({"zoom": "12"}, "missing_bbox"),
        ({"bbox": TERRITORY_BOX}, "invalid_zoom"),
        ({"bbox": TERRITORY_BOX, "zoom": "30"}, "invalid_zoom"),
        ({"bbox": "15.3,108.6,15.0,109", "zoom": "12"}, "invalid_bbox"),
        ({"bbox": TERRITORY_BOX, "zoom": "12", "status": "lost"}, "invalid_choice"),
        ({"bbox": TERRITORY_BOX, "zoom": "12", "from": "2025-13-01"}, "invalid_date"),
    ],
)
def test_bad_map_parameters_get_a_clear_error(
    visitor: Client, db: None, parameters: dict[str, str], code: str
) -> None:
    response = visitor.get(MAP_URL, parameters)

    assert (response.status_code, response.json()["code"]) == (400, code)


# "Gửi phản ánh": the page


def test_the_report_page_offers_grouped_categories_their_questions_and_the_map(
    visitor: Client, territory: Territory, categories: None
) -> None:
    response = visitor.get("/gui-phan-anh/")

    assert response.status_code == 200
    text = text_of(response)
    for expected in (
        "<h1>Gửi phản ánh</h1>",
        '<optgroup label="Hạ tầng đô thị">',
        '<optgroup label="Môi trường">',
        '<option value="giao-thong">Giao thông</option>',
        '<fieldset class="attribute-group" data-category="giao-thong">',
        '<label for="id_attribute-giao-thong-loai-hu-hong">Loại hư hỏng'
        ' <span class="required-mark">(bắt buộc)</span></label>',
        '<option value="o-ga">Ổ gà</option>',
        'type="number" name="attribute-chieu-sang-so-cot-den"',
        'data-routing-url="/api/v1/routing/"',
        'data-photo-metadata-url="/api/v1/incidents/photo-metadata/"',
        'name="photos"',
        "multiple",
        "Dùng vị trí của tôi",
        "Gửi ẩn danh (không để lại thông tin liên hệ)",
        'name="idempotency_key"',
    ):
        assert expected in text, expected


def test_the_report_page_is_in_english_for_an_english_reader(
    english: Client, territory: Territory, categories: None
) -> None:
    text = text_of(english.get("/gui-phan-anh/"))

    for expected in (
        "<h1>Submit a report</h1>",
        '<optgroup label="Urban infrastructure">',
        '<option value="giao-thong">Roads and traffic</option>',
        '<label for="id_attribute-giao-thong-loai-hu-hong">Kind of damage'
        ' <span class="required-mark">(required)</span></label>',
        '<option value="o-ga">Pothole</option>',
        "Use my location",
        "Send anonymously (leave no contact details)",
    ):
        assert expected in text, expected
    assert "Gửi phản ánh</h1>" not in text


# "Gửi phản ánh": filing as a plain HTML POST


def test_a_plain_form_post_files_the_report_and_the_confirmation_shows_its_code_and_secret(
    visitor: Client, territory: Territory, categories: None
) -> None:
    response = visitor.post("/gui-phan-anh/", report_form())

    incident = Incident.objects.get()
    code = incident.tracking_code
    assert response.status_code == 302
    assert response["Location"] == f"/phan-anh/{code}/da-gui/"
    assert (
        incident.category.code,
        incident.description,
        incident.location.coords,
        incident.address,
        incident.channel,
        incident.attributes,
        incident.reporter_name,
        incident.reporter_phone,
        incident.reporter_email,
        incident.reporter_may_be_contacted,
        incident.area_id,
        incident.agency_id,
        incident.status,
        incident.is_public,
        incident.idempotency_key,
    ) == (
        "giao-thong",
        "Ổ gà sâu giữa đường Hùng Vương",
        (108.80, 15.05),
        "12 Hùng Vương",
        "web",
        {"loai-hu-hong": "o-ga"},
        REPORTER_NAME,
        REPORTER_PHONE,
        REPORTER_EMAIL,
        True,
        territory.cam_thanh.id,
        territory.committee_cam_thanh.id,
        "new",
        True,
        "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    )
    assert list(incident.events.values_list("action", flat=True)) == ["created"]

    confirmation = visitor.get(response["Location"])

    assert confirmation.status_code == 200
    text = text_of(confirmation)
    token = reporter_token_for(code)
    assert f'<p class="tracking-code" id="tracking-code">{code}</p>' in text
    assert f'value="http://testserver/phan-anh/{code}/?khoa={token}"' in text
    assert "<dd>Phường Cẩm Thành</dd>" in text
    assert "<dd>Ủy ban nhân dân Phường Cẩm Thành</dd>" in text
    assert_no_personal_data(text)


def test_the_confirmation_is_only_for_the_browser_that_filed_the_report(
    visitor: Client, file_report: FileReport
) -> None:
    filed = file_report()
    code = filed.incident.tracking_code

    response = Client().get(f"/phan-anh/{code}/da-gui/")

    assert (response.status_code, response["Location"]) == (302, f"/phan-anh/{code}/")


def test_an_anonymous_report_keeps_no_contact_whatever_the_fields_held(
    visitor: Client, territory: Territory, categories: None
) -> None:
    response = visitor.post("/gui-phan-anh/", report_form(anonymous="on"))

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (
        incident.reporter_name,
        incident.reporter_phone,
        incident.reporter_email,
        incident.reporter_may_be_contacted,
    ) == ("", "", "", False)


def test_photos_posted_with_the_form_are_stored_without_their_exif(
    visitor: Client, territory: Territory, categories: None
) -> None:
    response = visitor.post(
        "/gui-phan-anh/",
        report_form(
            photos=[
                upload("IMG_0001.jpg", PHOTO_WITH_GPS),
                upload("b.png", png_bytes(), "image/png"),
            ]
        ),
    )

    assert response.status_code == 302
    photos = list(Incident.objects.get().photos.order_by("id"))
    assert [photo.content_type for photo in photos] == ["image/jpeg", "image/png"]
    location = photos[0].exif_location
    assert location is not None
    assert location.coords == pytest.approx((108.8, 15.05))
    assert b"PhoneMaker" not in photos[0].image.read()


def test_posting_the_same_form_twice_files_one_report(
    visitor: Client, territory: Territory, categories: None
) -> None:
    first = visitor.post("/gui-phan-anh/", report_form())
    second = visitor.post("/gui-phan-anh/", report_form())

    assert Incident.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_answers_of_another_category_are_ignored(
    visitor: Client, territory: Territory, categories: None
) -> None:
    response = visitor.post(
        "/gui-phan-anh/", report_form(**{"attribute-chieu-sang-so-cot-den": "3"})
    )

    assert response.status_code == 302
    assert Incident.objects.get().attributes == {"loai-hu-hong": "o-ga"}


LONG_DESCRIPTION = "x" * 4001


@pytest.mark.parametrize(
    ("overrides", "status", "message"),
    [
        (
            {"lat": "10.78", "lon": "106.70"},
            400,
            "Vị trí (10.780000, 106.700000) nằm ngoài địa bàn phục vụ vào ngày",
        ),
        (
            {"lat": "108.80", "lon": "15.05"},
            400,
            "Vĩ độ 108.8 nằm ngoài khoảng −90 đến 90: có thể vĩ độ và kinh độ đã bị đảo ngược",
        ),
        (
            {"lat": "", "lon": ""},
            400,
            "Hãy chạm hoặc nhấp vào bản đồ để đặt ghim vị trí (hoặc nhập vĩ độ và kinh độ).",
        ),
        ({"lat": "abc"}, 400, "Vĩ độ (lat) phải là một số, nhận được “abc”."),
        ({"description": "   "}, 400, "Vui lòng mô tả vấn đề bạn gặp."),
        (
            {"description": LONG_DESCRIPTION},
            400,
            "Nội dung phản ánh dài tối đa 4000 ký tự (hiện có 4001).",
        ),
        ({"category": "bay-cop"}, 400, "Hãy chọn một lựa chọn hợp lệ."),
        (
            {"attribute-giao-thong-loai-hu-hong": ""},
            400,
            "Vui lòng trả lời câu hỏi “Loại hư hỏng”.",
        ),
        (
            {"attribute-giao-thong-loai-hu-hong": "ho-tu-than"},
            400,
            "Hãy chọn một lựa chọn hợp lệ.",
        ),
        (
            {"photos": [upload("anh.jpg", b"%PDF-1.4 not a photo at all")]},
            400,
            "Tệp tải lên không phải là ảnh hợp lệ. Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC.",
        ),
        (
            {"photos": [upload(f"{n}.jpg", jpeg_bytes()) for n in range(6)]},
            400,
            "Gửi tối đa 5 ảnh cho một phản ánh.",
        ),
        (
            {"reporter_email": "binh@"},
            400,
            "Địa chỉ thư điện tử không hợp lệ; ví dụ: ten@example.vn.",
        ),
        ({"reporter_phone": "09x5 abc"}, 400, "Số điện thoại “09x5 abc” không hợp lệ."),
    ],
    ids=[
        "outside-the-territory",
        "swapped-coordinates",
        "no-location",
        "latitude-not-a-number",
        "empty-description",
        "description-too-long",
        "unknown-category",
        "missing-required-answer",
        "unknown-answer",
        "not-an-image-named-jpg",
        "six-photos",
        "bad-email",
        "bad-phone",
    ],
)
def test_a_bad_report_is_shown_again_with_the_error_and_nothing_is_filed(
    visitor: Client,
    territory: Territory,
    categories: None,
    overrides: dict[str, Any],
    status: int,
    message: str,
) -> None:
    response = visitor.post("/gui-phan-anh/", report_form(**overrides))

    assert response.status_code == status
    text = text_of(response)
    assert message in text
    assert "Phản ánh chưa được gửi. Vui lòng sửa các mục sau:" in text
    assert 'role="alert"' in text
    # What the citizen typed is kept, so they correct rather than retype.
    assert "Ổ gà sâu giữa đường Hùng Vương" in text or "description" in overrides
    assert (
        Incident.objects.count(),
        IncidentPhoto.objects.count(),
        IncidentEvent.objects.count(),
    ) == (
        0,
        0,
        0,
    )


def test_errors_are_explained_in_english_to_an_english_reader(
    english: Client, territory: Territory, categories: None
) -> None:
    response = english.post(
        "/gui-phan-anh/",
        report_form(
            lat="10.78", lon="106.70", description="", **{"attribute-giao-thong-loai-hu-hong": ""}
        ),
    )

    assert response.status_code == 400
    text = text_of(response)
    for expected in (
        "The report was not sent. Please correct the following:",
        "Please describe the problem you found.",
        "Please answer the question “Kind of damage”.",
    ):
        assert expected in text, expected
    assert Incident.objects.count() == 0


def test_a_point_outside_the_territory_is_explained_in_english(
    english: Client, territory: Territory, categories: None
) -> None:
    response = english.post("/gui-phan-anh/", report_form(lat="10.78", lon="106.70"))

    assert response.status_code == 400
    assert "is outside the served territory on" in text_of(response)
    assert Incident.objects.count() == 0


def test_the_form_shares_the_apis_rate_limit_per_address(
    visitor: Client, territory: Territory, categories: None, settings: Settings
) -> None:
    settings.INCIDENT_CREATE_RATE = "2/hour"
    for number in range(2):
        response = visitor.post(
            "/gui-phan-anh/",
            report_form(idempotency_key=f"key-{number}", description=f"Ổ gà {number}"),
        )
        assert response.status_code == 302

    refused = visitor.post("/gui-phan-anh/", report_form(idempotency_key="key-3"))

    assert refused.status_code == 429
    assert "Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn" in text_of(refused)
    assert Incident.objects.count() == 2


def test_nearby_similar_reports_are_listed_with_a_support_button_when_the_form_comes_back(
    visitor: Client, file_report: FileReport
) -> None:
    existing = file_report(description="Ổ gà cũ trước chợ")

    response = visitor.post(
        "/gui-phan-anh/",
        report_form(
            description="",
            reporter_name="Lê Văn An",
            reporter_phone="0911 000 111",
            reporter_email="an@example.vn",
        ),
    )

    text = text_of(response)
    code = existing.incident.tracking_code
    assert "Phản ánh tương tự gần đây" in text
    assert f'action="/phan-anh/{code}/ung-ho/"' in text
    assert "Ổ gà cũ trước chợ" in text
    assert "cách 0 m" in text
    assert_no_personal_data(text)


# Tracking


def test_the_tracking_page_shows_the_public_timeline_answer_and_deadline_but_no_internal_note(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = file_report(description="<script>alert('x')</script> ổ gà")
    services.incident_note_add(
        actor=officer_a, incident=filed.incident, note="Ghi chú nội bộ: gọi cho chị Bình"
    )
    services.incident_acknowledge(
        actor=officer_a, incident=filed.incident, note="Đã tiếp nhận, sẽ kiểm tra trong ngày."
    )
    services.incident_answer(
        actor=officer_a, incident=filed.incident, answer="Đội duy tu sẽ vá trong tuần."
    )
    code = filed.incident.tracking_code

    response = visitor.get(f"/phan-anh/{code}/")

    assert response.status_code == 200
    text = text_of(response)
    for expected in (
        f'<h1 id="tracking-title" class="tracking-code">{code}</h1>',
        '<span class="status-badge status-answered">Đã trả lời</span>',
        f'<dd><a href="/khu-vuc/{filed.incident.area_id}/">Phường Cẩm Thành</a></dd>',
        "<dd>Ủy ban nhân dân Phường Cẩm Thành</dd>",
        "Hạn giải quyết",
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; ổ gà",
        "Đã tiếp nhận, sẽ kiểm tra trong ngày.",
        '<strong class="timeline-action">Trả lời</strong>',
        "Đội duy tu sẽ vá trong tuần.",
        "Ủng hộ phản ánh này",
        '<span class="step-label">Đã tiếp nhận</span>',
    ):
        assert expected in text, expected
    assert "<script>alert" not in text
    assert "Ghi chú nội bộ" not in text
    assert "Ghi chú nội bộ" not in text
    assert_no_personal_data(text)
    assert "Đánh giá kết quả xử lý" not in text
    assert "Mở lại phản ánh" not in text


def test_the_tracking_page_in_english(english: Client, file_report: FileReport) -> None:
    filed = file_report()

    text = text_of(english.get(f"/phan-anh/{filed.incident.tracking_code}/"))

    for expected in (
        '<span class="status-badge status-new">New</span>',
        "Roads and traffic",
        "Handling history",
        "Submit a report",
        "Reporter",
        "Kind of damage</dt><dd>Pothole</dd>",
    ):
        assert expected in text, expected
    assert "Người phản ánh" not in text


def test_a_code_typed_loosely_is_redirected_to_the_reports_own_address(
    visitor: Client, file_report: FileReport
) -> None:
    code = file_report().incident.tracking_code
    loose = code.lower().replace("-", "").replace("0", "o")

    response = visitor.get(f"/phan-anh/{loose}/")

    assert (response.status_code, response["Location"]) == (302, f"/phan-anh/{code}/")


def test_an_unknown_or_private_report_is_not_found_with_a_lookup_form(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = file_report()
    services.incident_hide(actor=officer_a, incident=filed.incident, reason="Nội dung riêng tư")

    for code in ("PA-ZZZZ-ZZZZ", filed.incident.tracking_code):
        response = visitor.get(f"/phan-anh/{code}/")

        assert response.status_code == 404
        assert f"Không tìm thấy phản ánh có mã “{code}”." in text_of(response)
        assert 'name="ma"' in text_of(response)


def test_the_reporter_still_sees_their_hidden_report_after_following_the_private_link(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = file_report()
    services.incident_hide(actor=officer_a, incident=filed.incident, reason="Nội dung riêng tư")
    as_reporter(visitor, filed)

    response = visitor.get(f"/phan-anh/{filed.incident.tracking_code}/")

    assert response.status_code == 200
    assert "Phản ánh này không được công khai" in text_of(response)


def test_a_wrong_private_link_shows_the_public_page_with_a_notice_and_no_reporter_forms(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = resolved(file_report, officer_a)

    response = visitor.get(f"/phan-anh/{filed.incident.tracking_code}/?khoa=sai-ma-bi-mat")

    assert response.status_code == 200
    text = text_of(response)
    assert "Đường dẫn riêng không đúng hoặc đã cũ" in text
    assert "Đánh giá kết quả xử lý" not in text


# Rating, reopening, information


def test_the_reporter_rates_a_resolved_report_once(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = resolved(file_report, officer_a)
    code = filed.incident.tracking_code
    as_reporter(visitor, filed)
    page = text_of(visitor.get(f"/phan-anh/{code}/"))
    assert "Đánh giá kết quả xử lý" in page
    assert 'value="5"' in page
    assert "Bạn là người gửi" in page

    response = visitor.post(f"/phan-anh/{code}/danh-gia/", {"rating": "4", "comment": "Nhanh"})

    assert (response.status_code, response["Location"]) == (302, f"/phan-anh/{code}/")
    incident = Incident.objects.get()
    assert (incident.rating, incident.rating_comment) == (4, "Nhanh")
    after = text_of(visitor.get(f"/phan-anh/{code}/"))
    assert "Cảm ơn bạn đã đánh giá kết quả xử lý." in after
    assert "★★★★☆" in after
    assert "Đánh giá kết quả xử lý" not in after

    again = visitor.post(f"/phan-anh/{code}/danh-gia/", {"rating": "1"})

    assert again.status_code == 409
    assert "Phản ánh này đã được đánh giá." in text_of(again)
    assert Incident.objects.get().rating == 4


def test_someone_without_the_reporters_secret_cannot_rate(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = resolved(file_report, officer_a)
    code = filed.incident.tracking_code

    response = visitor.post(f"/phan-anh/{code}/danh-gia/", {"rating": "1"})

    assert response.status_code == 403
    assert "Mã bí mật của người phản ánh không đúng." in text_of(response)
    assert Incident.objects.get().rating is None


def test_a_report_not_yet_resolved_cannot_be_rated(
    visitor: Client, file_report: FileReport
) -> None:
    filed = file_report()
    as_reporter(visitor, filed)

    response = visitor.post(f"/phan-anh/{filed.incident.tracking_code}/danh-gia/", {"rating": "5"})

    assert response.status_code == 409
    assert "Không thể đánh giá phản ánh" in text_of(response)
    assert Incident.objects.get().rating is None


def test_a_rating_without_a_choice_is_asked_again(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = resolved(file_report, officer_a)
    as_reporter(visitor, filed)

    response = visitor.post(f"/phan-anh/{filed.incident.tracking_code}/danh-gia/", {"rating": ""})

    assert response.status_code == 400
    assert "Vui lòng chọn mức độ hài lòng từ 1 đến 5." in text_of(response)
    assert Incident.objects.get().rating is None


def test_the_reporter_reopens_within_the_allowed_days_with_a_reason(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = resolved(file_report, officer_a)
    code = filed.incident.tracking_code
    as_reporter(visitor, filed)
    assert "Mở lại phản ánh" in text_of(visitor.get(f"/phan-anh/{code}/"))

    empty = visitor.post(f"/phan-anh/{code}/mo-lai/", {"reason": ""})
    assert empty.status_code == 400
    assert "Vui lòng cho biết vì sao vấn đề chưa được giải quyết." in text_of(empty)
    assert Incident.objects.get().status == "resolved"

    response = visitor.post(f"/phan-anh/{code}/mo-lai/", {"reason": "Mưa xong lại thủng"})

    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (incident.status, incident.reopened_count) == ("in_progress", 1)
    assert "Phản ánh đã được mở lại" in text_of(visitor.get(f"/phan-anh/{code}/"))


def test_reopening_after_the_allowed_days_is_refused_and_the_form_is_gone(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = resolved(file_report, officer_a)
    code = filed.incident.tracking_code
    Incident.objects.update(resolved_at=timezone.now() - timedelta(days=8))
    as_reporter(visitor, filed)
    assert "Mở lại phản ánh" not in text_of(visitor.get(f"/phan-anh/{code}/"))

    response = visitor.post(f"/phan-anh/{code}/mo-lai/", {"reason": "Vẫn hỏng"})

    assert response.status_code == 409
    assert "Chỉ có thể mở lại phản ánh trong 7 ngày kể từ khi giải quyết xong." in text_of(response)
    assert Incident.objects.get().status == "resolved"


def test_the_reporter_answers_a_request_for_information_on_the_page(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = file_report()
    services.incident_acknowledge(actor=officer_a, incident=filed.incident)
    services.incident_request_information(
        actor=officer_a, incident=filed.incident, question="Ổ gà ở làn nào?"
    )
    code = filed.incident.tracking_code
    as_reporter(visitor, filed)
    assert "Ổ gà ở làn nào?" in text_of(visitor.get(f"/phan-anh/{code}/"))

    response = visitor.post(f"/phan-anh/{code}/bo-sung/", {"information": "Làn bên phải"})

    assert response.status_code == 302
    assert Incident.objects.get().status == IncidentStatus.IN_PROGRESS
    assert "Làn bên phải" not in text_of(visitor.get(f"/phan-anh/{code}/"))


# Support and lookup


def test_support_is_counted_once_per_address(visitor: Client, file_report: FileReport) -> None:
    code = file_report().incident.tracking_code

    first = visitor.post(f"/phan-anh/{code}/ung-ho/")
    second = visitor.post(f"/phan-anh/{code}/ung-ho/")

    assert (first.status_code, second.status_code) == (302, 302)
    assert Incident.objects.get().supporters_count == 1
    page = text_of(visitor.get(f"/phan-anh/{code}/"))
    assert "Bạn đã ủng hộ phản ánh này rồi." in page
    assert '<dd id="supporters-count">1</dd>' in page


def test_the_lookup_finds_a_code_typed_as_people_type_it(
    visitor: Client, file_report: FileReport
) -> None:
    code = file_report().incident.tracking_code

    response = visitor.get("/tra-cuu/", {"ma": f" {code.lower()} "})

    assert (response.status_code, response["Location"]) == (302, f"/phan-anh/{code}/")


def test_the_lookup_explains_an_unknown_or_missing_code(visitor: Client, db: None) -> None:
    assert visitor.get("/tra-cuu/").status_code == 200

    unknown = visitor.get("/tra-cuu/", {"ma": "PA-ZZZZ-ZZZZ"})
    empty = visitor.get("/tra-cuu/", {"ma": ""})

    assert unknown.status_code == 404
    assert "Không tìm thấy phản ánh có mã “PA-ZZZZ-ZZZZ”." in text_of(unknown)
    assert empty.status_code == 400
    assert "Vui lòng nhập mã tra cứu" in text_of(empty)


# Photos


def test_public_photos_are_served_and_hidden_ones_are_not(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    filed = file_report(
        photos=[upload("IMG_0001.jpg", PHOTO_WITH_GPS), upload("b.jpg", jpeg_bytes(colour="blue"))]
    )
    shown, hidden = filed.incident.photos.order_by("id")
    services.photo_hide(actor=officer_a, photo=hidden, reason="Có biển số xe")
    code = filed.incident.tracking_code

    page = text_of(visitor.get(f"/phan-anh/{code}/"))
    full = visitor.get(f"/phan-anh/{code}/anh/{shown.id}/")
    thumbnail = visitor.get(f"/phan-anh/{code}/anh/{shown.id}/nho/")

    assert f'src="/phan-anh/{code}/anh/{shown.id}/nho/"' in page
    assert f"/anh/{hidden.id}/" not in page
    assert (full.status_code, full["Content-Type"]) == (200, "image/jpeg")
    assert b"PhoneMaker" not in full.getvalue()
    assert (thumbnail.status_code, thumbnail["Content-Type"]) == (200, "image/jpeg")
    assert visitor.get(f"/phan-anh/{code}/anh/{hidden.id}/").status_code == 404
    assert visitor.get(f"/phan-anh/{code}/anh/{hidden.id}/nho/").status_code == 404


def test_photos_of_a_hidden_report_or_of_another_report_are_not_served(
    visitor: Client, file_report: FileReport, officer_a: User
) -> None:
    first = file_report(photos=[upload("a.jpg", jpeg_bytes())])
    second = file_report(point=AN_PHU_POINT)
    photo = first.incident.photos.get()

    assert (
        visitor.get(f"/phan-anh/{second.incident.tracking_code}/anh/{photo.id}/").status_code == 404
    )
    services.incident_hide(actor=officer_a, incident=first.incident, reason="Riêng tư")
    assert (
        visitor.get(f"/phan-anh/{first.incident.tracking_code}/anh/{photo.id}/").status_code == 404
    )
