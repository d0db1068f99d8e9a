"""Hiding a report's text hides everything its reporter wrote: the description, the address and
the free-text answers, in every public output; and officers of another unit see none of it among
duplicate candidates (issue 8, finding 9)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from incidents import services
from incidents.models import Category, CategoryAttribute, Incident
from tests.conftest import Territory

from .conftest import AN_PHU_POINT, CAM_THANH_POINT, FileReport

DESCRIPTION = "Ổ gà trước nhà bà Nguyễn Thị Riêng, gọi 0912 000 111"
ADDRESS = "Số 7 ngõ Riêng Tư, Hùng Vương"
FREE_ANSWER = "Cạnh cổng nhà ông Lê Văn Kín"


@pytest.fixture
def written_report(territory: Territory, file_report: FileReport) -> Incident:
    """A public report whose description, address and free-text answer name people."""
    category = Category.objects.get(code="giao-thong")
    CategoryAttribute.objects.create(
        category=category,
        code="mo-ta-vi-tri",
        datatype="string",
        description="Mô tả vị trí",
        description_en="Where exactly",
        order=5,
    )
    return file_report(
        description=DESCRIPTION,
        address=ADDRESS,
        attributes={"loai-hu-hong": "o-ga", "mo-ta-vi-tri": FREE_ANSWER},
    ).incident


def public_outputs(code: str) -> dict[str, str]:
    """Every public output that shows one report, as text."""
    client = Client()
    answers = {
        "tracking page": client.get(f"/phan-anh/{code}/"),
        "REST detail": client.get(f"/api/v1/incidents/{code}/"),
        "REST duplicates": client.get(
            f"/api/v1/incidents/duplicates/?lat={CAM_THANH_POINT.y}&lon={CAM_THANH_POINT.x}"
            "&category=giao-thong"
        ),
        "Open311 JSON": client.get(f"/open311/v2/requests/{code}.json"),
        "Open311 XML": client.get(f"/open311/v2/requests/{code}.xml"),
        "Open311 list": client.get("/open311/v2/requests.json"),
        "Atom feed": client.get("/phan-anh/moi.atom"),
        "map": client.get("/api/v1/incidents/?limit=10"),
    }
    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
        answers, 200
    )
    return {name: answer.content.decode() for name, answer in answers.items()}


def test_the_reporters_words_are_public_until_the_text_is_hidden(
    written_report: Incident,
) -> None:
    outputs = public_outputs(written_report.tracking_code)

    assert DESCRIPTION in outputs["tracking page"]
    assert ADDRESS in outputs["tracking page"]
    assert FREE_ANSWER in outputs["tracking page"]
    assert ADDRESS in outputs["Open311 JSON"]


def test_hiding_the_text_hides_the_address_and_free_text_answers_in_every_public_output(
    written_report: Incident, officer_a: User
) -> None:
    """Issue 8, finding 9: text-hide hid the description but not the address or the answers."""
    services.incident_text_hide(
        actor=officer_a, incident=written_report, reason="Có thông tin cá nhân"
    )

    outputs = public_outputs(written_report.tracking_code)

    for name, text in outputs.items():
        for written in (DESCRIPTION, ADDRESS, FREE_ANSWER, "Riêng", "Kín"):
            assert written not in text, f"{written!r} in the {name}"
    # What the reporter did not write stays: the answer chosen from a list, the area's name.
    assert "Ổ gà" in outputs["tracking page"]
    assert "Phường Cẩm Thành" in outputs["Open311 JSON"]


def test_officers_of_another_unit_do_not_see_a_hidden_text_among_duplicate_candidates(
    written_report: Incident, officer_a: User, officer_b: User, file_report: FileReport
) -> None:
    """Issue 8, finding 9: the candidates showed another unit's hidden description."""
    services.incident_text_hide(
        actor=officer_a, incident=written_report, reason="Có thông tin cá nhân"
    )
    # Officer B's own report at An Phú's edge, near the hidden one of Cẩm Thành.
    own = file_report(point=AN_PHU_POINT, description="Ổ gà ở An Phú").incident
    Incident.objects.filter(pk=own.pk).update(location=CAM_THANH_POINT)
    client = Client()
    client.force_login(officer_b)
    page = f"/can-bo/phan-anh/{own.tracking_code}/"

    listed = client.get(page)
    searched = client.get(f"{page}?duplicate={written_report.tracking_code}")

    assert (listed.status_code, searched.status_code) == (200, 200)
    for answer in (listed, searched):
        html = answer.content.decode()
        assert f'value="{written_report.tracking_code}"' in html
        assert "Riêng" not in html
    # The unit that handles the report still reads it whole.
    client.force_login(officer_a)
    assert (
        DESCRIPTION
        in client.get(f"/can-bo/phan-anh/{written_report.tracking_code}/").content.decode()
    )
