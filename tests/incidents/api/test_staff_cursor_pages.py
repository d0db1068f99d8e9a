"""The staff API's keyset pages (issue 10): `sort`, `status=open` and `cursor` with next and
previous links; every report exactly once, the officer's scope kept, bad cursors refused."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from incidents.models import Incident

from ..conftest import AN_PHU_POINT, FileReport, client_for

STAFF = "/api/v1/staff/incidents/"


def _walk(user: User, query: str) -> list[str]:
    client = client_for(user)
    codes: list[str] = []
    url: str | None = f"{STAFF}?{query}"
    while url:
        body = client.get(url).json()
        codes += [row["tracking_code"] for row in body["results"]]
        url = body["next"]
        assert len(codes) < 100
    return codes


@pytest.mark.parametrize("sort", ["urgency", "newest", "overdue", "oldest"])
def test_the_cursor_pages_list_every_report_of_the_unit_once(
    file_report: FileReport, officer_a: User, sort: str
) -> None:
    for number in range(7):
        file_report(description=f"Phản ánh số {number}")
    file_report(point=AN_PHU_POINT)
    order = {
        "urgency": ("current_deadline", "reported_at", "id"),
        "newest": ("-reported_at", "-id"),
        "oldest": ("reported_at", "id"),
        "overdue": ("current_deadline", "reported_at", "id"),
    }[sort]
    unit = Incident.objects.filter(agency__memberships__user=officer_a)
    if sort == "overdue":
        unit = unit.filter(current_deadline__lt="2000-01-01T00:00:00Z")  # nothing overdue yet

    codes = _walk(officer_a, f"sort={sort}&status=open&limit=3")

    assert codes == list(unit.order_by(*order).values_list("tracking_code", flat=True))


def test_the_previous_link_leads_back_to_the_first_page(
    file_report: FileReport, officer_a: User
) -> None:
    for _number in range(5):
        file_report()
    client = client_for(officer_a)
    first = client.get(f"{STAFF}?limit=2").json()
    second = client.get(first["next"]).json()

    back = client.get(second["previous"]).json()

    assert first["previous"] is None
    assert [row["tracking_code"] for row in back["results"]] == [
        row["tracking_code"] for row in first["results"]
    ]


@pytest.mark.parametrize(
    ("language", "message"), [("vi", "Con trỏ phân trang"), ("en", "The page cursor")]
)
def test_a_bad_cursor_is_a_400_in_the_callers_language(
    file_report: FileReport, officer_a: User, language: str, message: str
) -> None:
    file_report()
    before = list(Incident.objects.values_list("id", "status", "updated_at"))

    response = client_for(officer_a).get(
        f"{STAFF}?cursor=khong-hop-le", HTTP_ACCEPT_LANGUAGE=language
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Incident.objects.values_list("id", "status", "updated_at")) == before
