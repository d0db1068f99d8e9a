"""Hostile input: control characters (NUL above all) anywhere, and JSON nested past any schema,
get a 400 in the caller's format and language before anything reaches PostgreSQL (which cannot
store U+0000 in text, even inside JSON) and before anything is written.

Issue 8, finding 13: `GET /api/v1/incidents/?area=%00x` and
`GET /api/v1/incidents/duplicates/?lat=0&lon=0&category=%00x` answered 500.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest
from django.contrib.auth.models import User
from django.test import Client

from geoapp.api_keys import api_client_issue
from incidents.models import Incident, IncidentEvent, IncidentPhoto
from notifications.models import Notification
from tests.conftest import ClientResponse

from .conftest import FileReport, client_for

VIETNAMESE_AREA = "Trường area chứa ký tự điều khiển không được phép (như NUL)."
ENGLISH_AREA = "The field area contains a control character that is not allowed (such as NUL)."


def counts() -> tuple[int, int, int, int]:
    return (
        Incident.objects.count(),
        IncidentEvent.objects.count(),
        IncidentPhoto.objects.count(),
        Notification.objects.count(),
    )


def refusal_json(response: ClientResponse) -> dict[str, str]:
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body: dict[str, str] = json.loads(response.content)
    return body


@pytest.fixture
def client() -> Client:
    return Client(REMOTE_ADDR="203.0.113.30", raise_request_exception=False)


def test_a_nul_in_the_map_filter_is_refused_with_400_not_500(
    client: Client, file_report: FileReport
) -> None:
    """Issue 8, finding 13: `?area=%00x` reached PostgreSQL and answered 500."""
    file_report()

    body = refusal_json(client.get("/api/v1/incidents/?area=%00x"))

    assert body == {"detail": VIETNAMESE_AREA, "code": "control_character"}


def test_the_refusal_is_in_english_for_a_client_that_asks_for_english(
    client: Client, file_report: FileReport
) -> None:
    """Issue 8, finding 13: the same request, with `Accept-Language: en`."""
    file_report()

    response = client.get("/api/v1/incidents/?area=%00x", headers={"Accept-Language": "en"})

    assert refusal_json(response) == {"detail": ENGLISH_AREA, "code": "control_character"}


def test_a_nul_in_the_duplicate_search_is_refused_with_400_not_500(
    client: Client, file_report: FileReport
) -> None:
    """Issue 8, finding 13: `duplicates/?category=%00x` reached PostgreSQL and answered 500."""
    file_report()

    response = client.get("/api/v1/incidents/duplicates/?lat=0&lon=0&category=%00x")

    assert refusal_json(response) == {
        "detail": "Trường category chứa ký tự điều khiển không được phép (như NUL).",
        "code": "control_character",
    }


def test_a_lone_surrogate_in_a_json_body_is_refused_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    """Issue 8, finding 13, for JSON bodies: an escaped lone surrogate (`\\ud800`) is valid JSON
    that no UTF-8 database column can store."""
    incident = file_report().incident
    staff = client_for(officer_a)
    staff.raise_request_exception = False
    before = counts()

    response = staff.post(
        f"/api/v1/staff/incidents/{incident.tracking_code}/notes/",
        '{"note": "Ghi ch\\ud800"}',
        content_type="application/json",
    )

    assert refusal_json(response) == {
        "detail": "Trường note chứa ký tự điều khiển không được phép (như NUL).",
        "code": "control_character",
    }
    assert counts() == before


def test_a_nul_in_a_json_body_is_refused_whatever_the_field(
    client: Client, file_report: FileReport
) -> None:
    """Issue 8, finding 13, for JSON bodies: `\\u0000` escaped inside a string, nested."""
    incident = file_report().incident
    before = counts()

    response = client.post(
        f"/api/v1/incidents/{incident.tracking_code}/support/",
        '{"email": "an@example.vn", "extra": {"list": ["\\u0000"]}}',
        content_type="application/json",
    )

    assert refusal_json(response)["code"] == "control_character"
    assert counts() == before


def test_a_nul_in_the_path_is_refused(client: Client, file_report: FileReport) -> None:
    """Issue 8, finding 13, for paths."""
    file_report()

    response = client.get("/api/v1/incidents/%00x/")

    assert refusal_json(response) == {
        "detail": "Đường dẫn chứa ký tự điều khiển không được phép (như NUL).",
        "code": "control_character",
    }


@pytest.mark.parametrize(
    "url",
    ["/open311/v2/requests.json?service_code=%00", "/open311/v2/services/%00.json"],
)
def test_open311_answers_a_nul_with_its_json_error_list(
    client: Client, file_report: FileReport, url: str
) -> None:
    """Issue 8, finding 13, in Open311: a service_code with NUL answered 500 (HTML)."""
    file_report()

    response = client.get(url)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    description = (
        "Trường service_code chứa ký tự điều khiển không được phép (như NUL)."
        if "?" in url
        else "Đường dẫn chứa ký tự điều khiển không được phép (như NUL)."
    )
    assert json.loads(response.content) == [{"code": 400, "description": description}]


def test_open311_answers_in_xml_and_in_the_locale_asked(
    client: Client, file_report: FileReport
) -> None:
    """Issue 8, finding 13, in Open311's XML with `locale=en`."""
    file_report()

    response = client.get("/open311/v2/requests.xml?locale=en&service_code=x%00")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    error = ElementTree.fromstring(response.content).find("error")
    assert error is not None
    assert [(child.tag, child.text) for child in error] == [
        ("code", "400"),
        (
            "description",
            "The field service_code contains a control character that is not allowed "
            "(such as NUL).",
        ),
    ]


def test_an_open311_form_with_a_control_character_files_nothing(
    client: Client, file_report: FileReport
) -> None:
    """Form fields: a vertical tab (pasted from a word processor) in a filed description."""
    file_report()
    _api_client, api_key = api_client_issue(name="Ứng dụng thử")
    before = counts()

    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": api_key,
            "service_code": "giao-thong",
            "lat": "15.05",
            "long": "108.80",
            "description": "Ổ gà\x0bsâu",
            "attribute[loai-hu-hong]": "o-ga",
        },
    )

    assert response.status_code == 400
    assert json.loads(response.content) == [
        {
            "code": 400,
            "description": "Trường description chứa ký tự điều khiển không được phép (như NUL).",
        }
    ]
    assert counts() == before


def test_a_page_answers_a_nul_with_a_400_page(client: Client, file_report: FileReport) -> None:
    """Pages: the refusal is a page in the visitor's language, not a stack trace or a 500."""
    file_report()

    response = client.get("/tra-cuu/?ma=%00")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Trường ma chứa ký tự điều khiển không được phép (như NUL)." in response.content.decode()


def test_tabs_and_line_breaks_are_ordinary_text(client: Client, file_report: FileReport) -> None:
    """What a citizen types in a multi-line description stays accepted."""
    incident = file_report().incident

    response = client.post(
        f"/api/v1/incidents/{incident.tracking_code}/support/",
        {"email": "an@example.vn", "note": "dòng 1\r\n\tdòng 2"},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("depth", [990, 100_000])
def test_a_json_body_nested_past_any_schema_is_refused_not_a_500(
    client: Client, file_report: FileReport, depth: int
) -> None:
    """Found while fuzzing (issue 8): `[[[…]]]` 990 deep made DRF's JSON parser raise
    RecursionError, answered 500."""
    incident = file_report().incident
    before = counts()

    response = client.post(
        f"/api/v1/incidents/{incident.tracking_code}/support/",
        '{"email": ' + "[" * depth + "]" * depth + "}",
        content_type="application/json",
    )

    assert refusal_json(response) == {
        "detail": "Nội dung JSON lồng nhau quá 32 tầng.",
        "code": "json_too_deep",
    }
    assert counts() == before


def test_a_json_body_nested_as_deep_as_allowed_reaches_the_view(
    client: Client, file_report: FileReport
) -> None:
    incident = file_report().incident

    response = client.post(
        f"/api/v1/incidents/{incident.tracking_code}/support/",
        '{"email": ' + "[" * 31 + "]" * 31 + "}",
        content_type="application/json",
    )

    assert refusal_json(response) == {"email": ["Nhập một địa chỉ email hợp lệ."]}
