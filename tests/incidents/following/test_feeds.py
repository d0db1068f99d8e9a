"""Atom feeds of new and resolved public reports, per area and for the whole territory."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from datetime import timedelta
from typing import TypedDict

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

from incidents import services as incident_services
from incidents.models import Incident, RejectionReason
from tests.conftest import Territory

from .conftest import (
    AN_PHU_POINT,
    REPORTER_EMAIL,
    REPORTER_NAME,
    REPORTER_PHONE,
    FileReport,
    vietnam,
)

ATOM = "{http://www.w3.org/2005/Atom}"


class Entry(TypedDict):
    title: str | None
    link: str
    id: str | None
    published: str | None
    updated: str | None
    summary: str | None


def link_of(entry: ElementTree.Element) -> str:
    link = entry.find(f"{ATOM}link")
    assert link is not None
    href = link.get("href")
    assert href is not None
    return href


def entries(xml: bytes) -> list[Entry]:
    feed = ElementTree.fromstring(xml)
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": link_of(entry),
            "id": entry.findtext(f"{ATOM}id"),
            "published": entry.findtext(f"{ATOM}published"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in feed.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def reports(file_report: FileReport, officer_a: User) -> dict[str, Incident]:
    """Reports of Cẩm Thành in every public situation, one of An Phú, and ones never shown."""
    first = file_report(reported_at=vietnam(2025, 7, 1, 8), description="Ổ gà trước số 12")
    resolved = file_report(reported_at=vietnam(2025, 7, 2, 8), description="Đèn đường hỏng")
    hidden_text = file_report(
        reported_at=vietnam(2025, 7, 3, 8),
        description="Gọi cho tôi: 0905 123 456 <script>alert(1)</script>",
    )
    elsewhere = file_report(reported_at=vietnam(2025, 7, 4, 8), point=AN_PHU_POINT)
    not_public = file_report(reported_at=vietnam(2025, 7, 5, 8), is_public=False)
    rejected = file_report(reported_at=vietnam(2025, 7, 6, 8))
    incident_services.incident_acknowledge(actor=officer_a, incident=resolved)
    incident_services.incident_resolve(
        actor=officer_a, incident=resolved, answer="Đã thay bóng đèn <b>mới</b>."
    )
    incident_services.incident_text_hide(
        actor=officer_a, incident=hidden_text, reason="Có số điện thoại cá nhân."
    )
    incident_services.incident_reject(
        actor=officer_a, incident=rejected, reason=RejectionReason.SPAM
    )
    return {
        "first": first,
        "resolved": Incident.objects.get(pk=resolved.pk),
        "hidden_text": hidden_text,
        "elsewhere": elsewhere,
        "not_public": not_public,
        "rejected": rejected,
    }


def test_the_area_feed_lists_the_public_reports_located_in_the_area_newest_news_first(
    territory: Territory, reports: dict[str, Incident]
) -> None:
    response = Client().get(f"/khu-vuc/{territory.cam_thanh.pk}/phan-anh.atom")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    resolved, hidden_text, first = reports["resolved"], reports["hidden_text"], reports["first"]
    # The resolution happened now, after every filing: the resolved report comes first.
    assert [(entry["title"], entry["link"]) for entry in entries(response.content)] == [
        ("Giao thông — Đã giải quyết",
         f"http://testserver/phan-anh/{resolved.tracking_code}/"),
        ("Giao thông — Mới", f"http://testserver/phan-anh/{hidden_text.tracking_code}/"),
        ("Giao thông — Mới", f"http://testserver/phan-anh/{first.tracking_code}/"),
    ]  # fmt: skip


def test_an_entry_is_published_when_filed_and_updated_when_resolved(
    territory: Territory, reports: dict[str, Incident]
) -> None:
    response = Client().get(f"/khu-vuc/{territory.cam_thanh.pk}/phan-anh.atom")

    resolved_entry, _hidden, first_entry = entries(response.content)
    resolved = reports["resolved"]
    assert resolved.resolved_at is not None
    assert resolved_entry["published"] == "2025-07-02T08:00:00+07:00"
    assert (
        resolved_entry["updated"]
        == resolved.resolved_at.astimezone(vietnam(2025, 1, 1).tzinfo).isoformat()
    )
    assert first_entry["published"] == first_entry["updated"] == "2025-07-01T08:00:00+07:00"


def test_an_entry_shows_the_public_description_and_answer_escaped(
    territory: Territory, reports: dict[str, Incident]
) -> None:
    response = Client().get(f"/khu-vuc/{territory.cam_thanh.pk}/phan-anh.atom")

    resolved_entry, hidden_entry, first_entry = entries(response.content)
    assert first_entry["summary"] == "<p>Ổ gà trước số 12</p>"
    assert resolved_entry["summary"] == (
        "<p>Đèn đường hỏng</p><p><strong>Trả lời:</strong></p>"
        "<p>Đã thay bóng đèn &lt;b&gt;mới&lt;/b&gt;.</p>"
    )
    # The hidden description is not in the feed at all, escaped or not.
    assert hidden_entry["summary"] in (None, "")
    assert b"alert(1)" not in response.content
    assert b"0905 123 456" not in response.content


def test_no_feed_carries_personal_data(territory: Territory, reports: dict[str, Incident]) -> None:
    for path in (f"/khu-vuc/{territory.cam_thanh.pk}/phan-anh.atom", "/phan-anh/moi.atom"):
        xml = Client().get(path).content.decode()

        for personal in (REPORTER_NAME, REPORTER_PHONE, REPORTER_EMAIL, "binh@", "Bình"):
            assert personal not in xml
        assert "<author>" not in xml
        assert "Có số điện thoại cá nhân." not in xml  # the moderation reason is internal


def test_the_territory_feed_lists_every_public_report(reports: dict[str, Incident]) -> None:
    response = Client().get("/phan-anh/moi.atom")

    codes = [entry["link"].split("/")[-2] for entry in entries(response.content)]
    assert codes == [
        reports[name].tracking_code for name in ("resolved", "elsewhere", "hidden_text", "first")
    ]
    feed = ElementTree.fromstring(response.content)
    assert feed.findtext(f"{ATOM}title") == "Phản ánh mới và đã giải quyết — Quảng Ngãi"


def test_the_feed_holds_the_latest_fifty_reports(file_report: FileReport) -> None:
    start = vietnam(2025, 7, 1, 8)
    filed = [file_report(reported_at=start + timedelta(minutes=index)) for index in range(52)]

    response = Client().get("/phan-anh/moi.atom")

    codes = [entry["link"].split("/")[-2] for entry in entries(response.content)]
    assert codes == [incident.tracking_code for incident in reversed(filed[2:])]


def test_the_feed_of_an_unknown_area_is_not_found(db: None) -> None:
    assert Client().get("/khu-vuc/987654/phan-anh.atom").status_code == 404


def test_the_area_feed_speaks_english_to_a_visitor_who_chose_english(
    territory: Territory, reports: dict[str, Incident], settings: Settings
) -> None:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(f"/khu-vuc/{territory.cam_thanh.pk}/phan-anh.atom")

    assert [entry["title"] for entry in entries(response.content)] == [
        "Roads and traffic — Resolved",
        "Roads and traffic — New",
        "Roads and traffic — New",
    ]
