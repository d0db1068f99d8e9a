"""The map page of the territory's areas, through Django's test client against the real database."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from geoapp.clock import vietnam_today

ENGLISH_CATALOGUES = [
    settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po",
    settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "djangojs.po",
]


class PageStructure(HTMLParser):
    """The parts of a page these tests look at: every URL it references, and its data blocks."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang = ""
        self.scripts: list[str] = []
        self.stylesheets: list[str] = []
        self.images: list[str] = []
        self.links_and_sources: list[tuple[str, str, str]] = []  # (tag, attribute, url)
        self.data_of_element: dict[str, dict[str, str]] = {}
        self.json_blocks: dict[str, str] = {}
        self._json_block_id: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.html_lang = attributes.get("lang", "")
        for name in ("src", "href", "action", "srcset", "poster"):
            if name in attributes:
                self.links_and_sources.append((tag, name, attributes[name]))
        if tag == "script" and "src" in attributes:
            self.scripts.append(attributes["src"])
        if tag == "link" and attributes.get("rel") == "stylesheet":
            self.stylesheets.append(attributes["href"])
        if tag == "img":
            self.images.append(attributes["src"])
        if "id" in attributes:
            self.data_of_element[attributes["id"]] = {
                name.removeprefix("data-"): value
                for name, value in attributes.items()
                if name.startswith("data-")
            }
        if tag == "script" and attributes.get("type") == "application/json":
            self._json_block_id = attributes["id"]
            self.json_blocks[self._json_block_id] = ""

    def handle_data(self, data: str) -> None:
        if self._json_block_id is not None:
            self.json_blocks[self._json_block_id] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._json_block_id = None


def area_map(query: str = "") -> str:
    """The page's address (it moved from / when the public map of reports took the home page)."""
    return reverse("area-map") + query


def page_of(response) -> PageStructure:
    return PageStructure(response.content.decode())


@pytest.mark.django_db
def test_the_page_is_in_vietnamese_by_default_and_shows_the_chosen_date_as_dd_mm_yyyy(client):
    response = client.get(area_map("?date=2026-01-01"))

    assert response.status_code == 200
    assert response["Content-Language"] == "vi"
    page = page_of(response)
    assert page.html_lang == "vi"
    text = response.content.decode()
    for expected in (
        'geoapp <span class="brand-separator" aria-hidden="true">—</span> Quảng Ngãi',
        "Bản đồ địa bàn hành chính",
        "Ranh giới cấp xã có hiệu lực ngày",
        '<time datetime="2026-01-01">01/01/2026</time>',
        '<label for="map-date">Ngày hiệu lực</label>',
        'value="2026-01-01"',
        "Ranh giới gần đúng (do hệ thống tạo ra, không phải ranh giới chính thức)",
        "Tra cứu tại tâm bản đồ",
        "Tài liệu API",
    ):
        assert expected in text
    assert page.data_of_element["area-map"]["date"] == "2026-01-01"


@pytest.mark.django_db
def test_without_a_date_the_page_shows_today_in_vietnam(client):
    today = vietnam_today()

    response = client.get(area_map())

    assert response.status_code == 200
    assert page_of(response).data_of_element["area-map"]["date"] == today.isoformat()
    assert (
        f'<time datetime="{today.isoformat()}">{today:%d/%m/%Y}</time>' in response.content.decode()
    )


@pytest.mark.django_db
def test_the_page_is_in_english_when_the_language_cookie_says_so(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(area_map("?date=2024-06-01"))

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    page = page_of(response)
    assert page.html_lang == "en"
    text = response.content.decode()
    for expected in (
        "Map of administrative areas",
        "Commune-level boundaries in force on",
        '<time datetime="2024-06-01">01/06/2024</time>',
        '<label for="map-date">Effective date</label>',
        "Look up the centre of the map",
        "API documentation",
    ):
        assert expected in text
    assert "Bản đồ địa bàn hành chính" not in text
    labels = json.loads(page.json_blocks["area-map-labels"])
    assert labels["area_type"]["Phường"] == "Ward"
    assert labels["level"] == {
        "province": "Province level",
        "district": "District level",
        "commune": "Commune level",
    }
    assert labels["agency_kind"]["peoples_committee"] == "People's Committee"


@pytest.mark.django_db
def test_the_language_switch_posts_to_set_language_and_comes_back_to_the_same_date(client):
    switch_page = page_of(client.get(area_map("?date=2024-06-01")))
    assert ("form", "action", "/i18n/setlang/") in switch_page.links_and_sources

    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": area_map("?date=2024-06-01")}
    )

    assert response.status_code == 302
    assert response["Location"] == area_map("?date=2024-06-01")
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    english = client.get(response["Location"])
    assert english["Content-Language"] == "en"
    assert "Map of administrative areas" in english.content.decode()

    client.post("/i18n/setlang/", {"language": "vi", "next": area_map()})

    assert "Bản đồ địa bàn hành chính" in client.get(area_map()).content.decode()


@pytest.mark.django_db
def test_every_script_stylesheet_and_image_comes_from_the_app_itself(client):
    response = client.get(area_map("?date=2026-01-01"))

    page = page_of(response)
    assert page.scripts == ["/jsi18n/", "/static/leaflet/leaflet.js", "/static/js/area_map.js"]
    assert page.stylesheets == ["/static/leaflet/leaflet.css", "/static/css/geoapp.css"]
    assert page.images == ["/static/img/favicon.svg"]
    for tag, attribute, url in page.links_and_sources:
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("", ""), (
            f"<{tag} {attribute}={url!r}> leaves the app"
        )
        assert url.startswith(("/", "#")), f"<{tag} {attribute}={url!r}> is not a local path"
    static_files = [
        url for url in [*page.scripts, *page.stylesheets, *page.images] if url != "/jsi18n/"
    ]
    for url in static_files:
        assert finders.find(url.removeprefix("/static/")) is not None, f"{url} is not a static file"
    # With no tile server configured, the map draws the boundaries alone.
    assert page.data_of_element["area-map"]["tile-url"] == ""


@pytest.mark.django_db
def test_the_javascript_catalogue_translates_the_map_script_into_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get("/jsi18n/")

    assert response.status_code == 200
    catalogue = response.content.decode()
    assert '"Ph\\u00f3ng to": "Zoom in"' in catalogue
    assert (
        '"Ngo\\u00e0i \\u0111\\u1ecba b\\u00e0n ph\\u1ee5c v\\u1ee5": "Outside the served territory"'
        in catalogue
    )


@pytest.mark.django_db
def test_an_impossible_date_answers_400_with_the_reason_and_the_map_of_today(client):
    response = client.get(area_map("?date=2025-13-45"))

    assert response.status_code == 400
    text = response.content.decode()
    assert 'role="alert"' in text
    assert "Ngày “2025-13-45” không hợp lệ; dùng dạng YYYY-MM-DD, ví dụ 2025-07-01." in text
    assert page_of(response).data_of_element["area-map"]["date"] == vietnam_today().isoformat()


@pytest.mark.django_db
def test_an_impossible_date_is_explained_in_english_to_an_english_reader(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(area_map("?date=2025-13-45"))

    assert response.status_code == 400
    assert (
        "The date “2025-13-45” is not valid; use the form YYYY-MM-DD, for example 2025-07-01."
        in response.content.decode()
    )


@pytest.mark.parametrize(
    ("day", "expected_names"),
    [
        ("2024-06-01", ["Phường Nguyễn Nghiêm", "Xã Nghĩa Dũng"]),
        ("2026-01-01", ["Phường Cẩm Thành", "Xã An Phú"]),
    ],
)
def test_the_areas_the_page_draws_are_the_communes_valid_on_its_date(
    client, territory, day, expected_names
):
    page = page_of(client.get(area_map(f"?date={day}")))
    map_data = page.data_of_element["area-map"]

    response = client.get(
        map_data["areas-url"], {"date": map_data["date"], "level": "commune", "simplify": "20"}
    )

    assert response.status_code == 200
    features = response.json()["features"]
    assert [feature["properties"]["name"] for feature in features] == expected_names
    assert {feature["properties"]["code"] for feature in features} == {"21025", "21034"}


@pytest.mark.parametrize("catalogue", ENGLISH_CATALOGUES, ids=lambda path: path.name)
def test_the_english_catalogue_translates_every_message_and_has_no_fuzzy_entry(
    catalogue: Path,
):
    # msgfmt (GNU gettext) counts translated, fuzzy and untranslated entries, and --check
    # refuses a translation whose %(name)s placeholders differ from the original's.
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "--output-file=/dev/null", str(catalogue)],
        capture_output=True,
        text=True,
        check=False,
        env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"},
    )

    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr), result.stderr
    assert "#, fuzzy" not in catalogue.read_text(encoding="utf-8")
