"""The tracking page's content, read field by field, for a report that has everything the page
shows: questions answered, photos (one hidden), evidence, public and internal events, an answer,
a rating; in Vietnamese and in English. The page reads the report with one hand-written
statement (incidents/tracking_page_selectors.py) since issue 10: these tests pin down that it
shows exactly what the querysets it replaced showed, and nothing personal or internal."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from incidents import services
from incidents.models import Incident, IncidentPhoto

from .conftest import FileReport, jpeg_bytes, upload

PERSONAL_DATA = ("Trần Thị Bình", "0905 123 456", "binh@example.vn")
INTERNAL_NOTE = "Ghi chú nội bộ: gọi lại cho người gửi"


def _pairs(pattern: str, text: str) -> list[tuple[str, ...]]:
    return [
        tuple(html.unescape(re.sub(r"<[^>]+>", "", part)).strip() for part in match)
        for match in re.findall(pattern, text, flags=re.S)
    ]


def _details(text: str) -> list[tuple[str, ...]]:
    block = re.search(r'<dl class="details tracking-details">(.*?)</dl>', text, flags=re.S)
    assert block is not None
    return _pairs(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", block.group(1))


def _timeline(text: str) -> list[tuple[str, ...]]:
    return _pairs(
        r'<strong class="timeline-action">(.*?)</strong>\s*'
        r'<span class="timeline-actor">(.*?)</span>\s*(?:<p class="timeline-note">(.*?)</p>)?',
        text,
    )


def _photos(text: str) -> list[tuple[str, ...]]:
    return [
        tuple(match)
        for match in re.findall(r'<a href="([^"]+)">\s*<img src="[^"]+" alt="([^"]*)"', text)
    ]


@pytest.fixture
def complete_report(file_report: FileReport, officer_a: User) -> Incident:
    filed = file_report(
        photos=[
            upload("a.jpg", jpeg_bytes(colour="red")),
            upload("b.jpg", jpeg_bytes(colour="blue")),
        ]
    )
    incident = filed.incident
    _shown, hidden = incident.photos.order_by("id")
    services.photo_hide(actor=officer_a, photo=hidden, reason="Có biển số xe")
    services.incident_note_add(actor=officer_a, incident=incident, note=INTERNAL_NOTE)
    services.incident_acknowledge(actor=officer_a, incident=incident, note="Đã tiếp nhận.")
    services.incident_resolve(
        actor=officer_a,
        incident=incident,
        answer="Đã vá ổ gà bằng bê tông nhựa.",
        evidence_photo=upload("after.jpg", jpeg_bytes(colour="green")),
    )
    services.incident_rate(incident=incident, reporter_token=filed.token, rating=4, comment="Tốt")
    incident.refresh_from_db()
    return incident


def test_the_tracking_page_shows_every_public_part_of_a_complete_report_in_vietnamese(
    client: Client, complete_report: Incident
) -> None:
    incident = complete_report
    code = incident.tracking_code
    shown, _hidden, evidence = IncidentPhoto.objects.filter(incident=incident).order_by("id")

    text = client.get(f"/phan-anh/{code}/").content.decode()

    assert '<span class="status-badge status-resolved">Đã giải quyết</span>' in text
    assert '<p class="tracking-category">Giao thông</p>' in text
    assert _details(text) == [
        ("Gửi lúc", _moment(incident.reported_at)),
        ("Địa bàn", "Phường Cẩm Thành"),
        ("Đơn vị xử lý", "Ủy ban nhân dân Phường Cẩm Thành"),
        ("Người ủng hộ", "0"),
        ("Đánh giá của người gửi", "★★★★☆ 4/5"),
    ]
    assert "<dt>Loại hư hỏng</dt><dd>Ổ gà</dd>" in text
    assert _photos(text) == [
        (f"/phan-anh/{code}/anh/{shown.id}/", "Ảnh phản ánh 1"),
        (f"/phan-anh/{code}/anh/{evidence.id}/", "Ảnh kết quả xử lý"),
    ]
    # The hidden photo's event is public (its reason too); the internal note is not.
    assert _timeline(text) == [
        ("Gửi phản ánh", "Người phản ánh", ""),
        ("Ẩn ảnh", "Ủy ban nhân dân Phường Cẩm Thành", "Có biển số xe"),
        ("Tiếp nhận", "Ủy ban nhân dân Phường Cẩm Thành", "Đã tiếp nhận."),
        ("Giải quyết xong", "Ủy ban nhân dân Phường Cẩm Thành", "Đã vá ổ gà bằng bê tông nhựa."),
        ("Đánh giá", "Người phản ánh", "4/5"),
    ]
    assert '<blockquote class="answer-text">Đã vá ổ gà bằng bê tông nhựa.</blockquote>' in text
    assert INTERNAL_NOTE not in text
    assert "Tốt" not in text.split('class="tracking-layout"')[1]
    for value in PERSONAL_DATA:
        assert value not in text


def test_the_tracking_page_shows_the_same_report_in_english(
    client: Client, complete_report: Incident
) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    text = client.get(f"/phan-anh/{complete_report.tracking_code}/").content.decode()

    assert '<span class="status-badge status-resolved">Resolved</span>' in text
    assert '<p class="tracking-category">Roads and traffic</p>' in text
    assert _details(text) == [
        ("Sent at", _moment(complete_report.reported_at)),
        ("Area", "Phường Cẩm Thành"),
        ("Handling unit", "Ủy ban nhân dân Phường Cẩm Thành"),
        ("Supporters", "0"),
        ("Reporter’s rating", "★★★★☆ 4/5"),
    ]
    assert "<dt>Kind of damage</dt><dd>Pothole</dd>" in text
    assert [photo[1] for photo in _photos(text)] == ["Report photo 1", "Result photo"]
    assert _timeline(text) == [
        ("Submit a report", "Reporter", ""),
        ("Hide a photo", "Ủy ban nhân dân Phường Cẩm Thành", "Có biển số xe"),
        ("Acknowledge", "Ủy ban nhân dân Phường Cẩm Thành", "Đã tiếp nhận."),
        ("Resolve", "Ủy ban nhân dân Phường Cẩm Thành", "Đã vá ổ gà bằng bê tông nhựa."),
        ("Rate", "Reporter", "4/5"),
    ]
    assert INTERNAL_NOTE not in text
    for value in PERSONAL_DATA:
        assert value not in text


def test_a_duplicate_links_to_its_original_only_while_the_original_is_public(
    client: Client, file_report: FileReport, officer_a: User
) -> None:
    original = file_report().incident
    duplicate = file_report(description="Ổ gà, lần nữa").incident
    services.incident_mark_duplicate(actor=officer_a, incident=duplicate, original=original)
    link = f'<a href="/phan-anh/{original.tracking_code}/">{original.tracking_code}</a>'

    before = client.get(f"/phan-anh/{duplicate.tracking_code}/").content.decode()
    services.incident_hide(actor=officer_a, incident=original, reason="Nội dung riêng tư")
    after = client.get(f"/phan-anh/{duplicate.tracking_code}/").content.decode()

    assert link in before
    assert link not in after


def _moment(value: object) -> str:
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    return date_format(localtime(value), "SHORT_DATETIME_FORMAT")  # type: ignore[arg-type]
