"""Open311 with malformed input (issue 8, "What to build" item 3): broken forms, format suffixes
and query strings each get a 4xx in the specification's error list, in the format the path asks
for (XML for any other), never a 500 or an HTML page, and write nothing."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from typing import Any

import pytest
from django.test import Client

from geoapp.api_keys import api_client_issue
from incidents.models import Incident, IncidentEvent, IncidentPhoto
from notifications.models import Notification
from tests.conftest import ClientResponse, Territory

from ..conftest import FileReport

BASE = "/open311/v2"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
UNREADABLE = "Không đọc được yêu cầu: quá lớn, quá nhiều trường hoặc sai định dạng."


def counts() -> tuple[int, int, int, int]:
    return (
        Incident.objects.count(),
        IncidentEvent.objects.count(),
        IncidentPhoto.objects.count(),
        Notification.objects.count(),
    )


def json_errors(response: ClientResponse, status: int) -> list[tuple[int, str]]:
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"] == JSON_CONTENT_TYPE
    return [(error["code"], error["description"]) for error in json.loads(response.content)]


def xml_errors(response: ClientResponse, status: int) -> list[tuple[int, str]]:
    assert response.status_code == status, response.content[:400]
    assert response["Content-Type"] == XML_CONTENT_TYPE
    root = ElementTree.fromstring(response.content)
    assert root.tag == "errors"
    return [
        (int(error.findtext("code") or 0), error.findtext("description") or "")
        for error in root.findall("error")
    ]


@pytest.fixture
def open311() -> Client:
    return Client(REMOTE_ADDR="203.0.113.40", raise_request_exception=False)


@pytest.fixture
def api_key(db: None) -> str:
    _client, raw_key = api_client_issue(name="Ứng dụng thử lỗi")
    return raw_key


@pytest.fixture
def ready(territory: Territory, categories: None, file_report: FileReport) -> str:
    """A territory, the categories and one public report; its tracking code."""
    return file_report().incident.tracking_code


def form(api_key: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "api_key": api_key,
        "service_code": "giao-thong",
        "lat": "15.05",
        "long": "108.80",
        "description": "Ổ gà sâu trước số 12",
        "attribute[loai-hu-hong]": "o-ga",
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


# Forms ------------------------------------------------------------------------------------------

FORM_REFUSALS = [
    ({"service_code": None}, 400, "Thiếu service_code."),
    (
        {"service_code": "123"},
        404,
        "Không tìm thấy service_code “123”; xem danh sách tại services.xml.",
    ),
    ({"lat": None, "long": None}, 400, "Thiếu vị trí: gửi lat và long (WGS 84)."),
    ({"lat": "mười lăm"}, 400, "Vĩ độ (lat) phải là một số, nhận được “mười lăm”."),
    ({"lat": "NaN"}, 400, "Vĩ độ (lat) phải là một số hữu hạn."),
    ({"long": "Infinity"}, 400, "Kinh độ (lon) phải là một số hữu hạn."),
    ({"lat": "1e400"}, 400, "Vĩ độ (lat) phải là một số hữu hạn."),
    ({"lat": "-90.5", "long": "200"}, 400, "Vĩ độ -90.5 nằm ngoài khoảng −90 đến 90."),
    ({"long": "180.01"}, 400, "Kinh độ 180.01 nằm ngoài khoảng −180 đến 180."),
    (
        {"lat": "108.80", "long": "15.05"},
        400,
        "Vĩ độ 108.8 nằm ngoài khoảng −90 đến 90: có thể vĩ độ và kinh độ đã bị đảo ngược "
        "(lat là vĩ độ, khoảng 15 ở Quảng Ngãi; lon là kinh độ, khoảng 108).",
    ),
    (
        {"service_code": ["giao-thong", "chieu-sang"]},
        400,
        "Trường service_code được gửi nhiều lần; mỗi trường chỉ gửi một lần.",
    ),
    (
        {"lat": ["15.05", "15.06"]},
        400,
        "Trường lat được gửi nhiều lần; mỗi trường chỉ gửi một lần.",
    ),
    ({"description": "x" * 100_000}, 400, "Nội dung phản ánh dài tối đa 4000 ký tự."),
    ({"first_name": "a" * 100_000}, 400, "Họ tên dài tối đa 200 ký tự."),
    ({"address_string": "a" * 100_000}, 400, "Địa chỉ dài tối đa 500 ký tự."),
    ({"account_id": "a" * 100_000}, 400, "account_id dài tối đa 200 ký tự."),
    ({"device_id": "d" * 201}, 400, "device_id dài tối đa 200 ký tự."),
    (
        {"attribute[]": "o-ga"},
        400,
        "Trường attribute[] không đúng dạng attribute[MÃ] hoặc attribute[MÃ][].",
    ),
    (
        {"attribute[loai-hu-hong][][]": "o-ga"},
        400,
        "Trường attribute[loai-hu-hong][][] không đúng dạng attribute[MÃ] hoặc attribute[MÃ][].",
    ),
    (
        {"attribute[loai-hu-hong": "o-ga"},
        400,
        "Trường attribute[loai-hu-hong không đúng dạng attribute[MÃ] hoặc attribute[MÃ][].",
    ),
    (
        {"attribute[loai-hu-hong][]": ["o-ga", "nut"], "attribute[loai-hu-hong]": None},
        400,
        "Câu trả lời cho “Loại hư hỏng” không hợp lệ: chỉ được chọn một giá trị.",
    ),
    ({"attribute[khong-co]": "x"}, 400, "Câu hỏi không thuộc lĩnh vực này: khong-co."),
]


@pytest.mark.parametrize(("overrides", "status", "description"), FORM_REFUSALS)
def test_a_malformed_form_is_refused_in_json_and_files_nothing(
    open311: Client,
    ready: str,
    api_key: str,
    overrides: dict[str, Any],
    status: int,
    description: str,
) -> None:
    before = counts()

    response = open311.post(f"{BASE}/requests.json", form(api_key, **overrides))

    assert json_errors(response, status) == [(status, description)]
    assert counts() == before


@pytest.mark.parametrize(("overrides", "status", "description"), FORM_REFUSALS[:3])
def test_a_malformed_form_is_refused_in_xml_too(
    open311: Client,
    ready: str,
    api_key: str,
    overrides: dict[str, Any],
    status: int,
    description: str,
) -> None:
    before = counts()

    response = open311.post(f"{BASE}/requests.xml", form(api_key, **overrides))

    assert xml_errors(response, status) == [(status, description)]
    assert counts() == before


def test_a_form_with_too_many_fields_is_refused_in_the_specification_format(
    open311: Client, ready: str, api_key: str
) -> None:
    """Over DATA_UPLOAD_MAX_NUMBER_FIELDS (1000): Django refuses it before the view, with its HTML
    400 page until then."""
    before = counts()
    body = "&".join(f"f{number}=1" for number in range(1200)) + f"&api_key={api_key}"

    response = open311.generic("POST", f"{BASE}/requests.xml", body, content_type=FORM_CONTENT_TYPE)

    assert xml_errors(response, 400) == [
        (400, "Gửi quá nhiều trường trong một lần: tối đa 1000 trường.")
    ]
    assert counts() == before


def test_a_form_larger_than_a_request_may_be_is_refused(
    open311: Client, ready: str, api_key: str
) -> None:
    before = counts()
    body = f"api_key={api_key}&description=" + "a" * 3_000_000

    response = open311.generic(
        "POST", f"{BASE}/requests.json", body, content_type=FORM_CONTENT_TYPE
    )

    assert json_errors(response, 413) == [
        (413, "Phần chữ của dữ liệu gửi lên quá lớn: tối đa 2.5 MB, không kể ảnh.")
    ]
    assert counts() == before


def test_a_multipart_form_without_its_boundary_is_refused(
    open311: Client, ready: str, api_key: str
) -> None:
    before = counts()

    response = open311.generic(
        "POST", f"{BASE}/requests.json", b"abc", content_type="multipart/form-data"
    )

    assert json_errors(response, 400) == [(400, UNREADABLE)]
    assert counts() == before


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        # Latin-1 bytes where UTF-8 is declared (by default): "é" alone.
        (FORM_CONTENT_TYPE, b"description=%E9"),
        (f"{FORM_CONTENT_TYPE}; charset=utf-8", b"description=\xff\xfe"),
        (f"{FORM_CONTENT_TYPE}; charset=khong-co", b"description=x"),
    ],
)
def test_a_form_not_in_its_declared_charset_is_refused_rather_than_stored_garbled(
    open311: Client, ready: str, api_key: str, content_type: str, body: bytes
) -> None:
    """Django would replace the undecodable bytes with U+FFFD and store the citizen's text
    garbled (an unknown charset left the form empty: "Thiếu service_code")."""
    before = counts()
    fields = (
        f"api_key={api_key}&service_code=giao-thong&lat=15.05&long=108.80"
        "&attribute%5Bloai-hu-hong%5D=o-ga&"
    ).encode()

    response = open311.generic(
        "POST", f"{BASE}/requests.json", fields + body, content_type=content_type
    )

    assert json_errors(response, 400) == [
        (400, "Biểu mẫu không đọc được theo bảng mã đã khai (UTF-8 nếu không khai).")
    ]
    assert counts() == before


def test_a_json_body_is_not_an_open311_form(open311: Client, ready: str, api_key: str) -> None:
    before = counts()

    response = open311.post(
        f"{BASE}/requests.json?api_key={api_key}",
        json.dumps(form(api_key)),
        content_type="application/json",
    )

    assert json_errors(response, 400) == [(400, "Thiếu service_code.")]
    assert counts() == before


# Format suffixes --------------------------------------------------------------------------------


def test_an_unknown_format_is_refused_in_xml(open311: Client, ready: str, api_key: str) -> None:
    before = counts()

    response = open311.post(f"{BASE}/requests.foo", form(api_key))

    assert xml_errors(response, 400) == [
        (400, "Định dạng “foo” không được hỗ trợ; dùng .xml hoặc .json.")
    ]
    assert counts() == before


@pytest.mark.parametrize(
    ("path", "errors_of"),
    [
        ("requests.", xml_errors),
        ("requests.xml.json", json_errors),
        ("services/.json", json_errors),
        ("requests/.xml", xml_errors),
        ("khong-co.json", json_errors),
    ],
)
def test_an_address_without_a_resource_is_a_404_in_the_specification_format(
    open311: Client, ready: str, path: str, errors_of: Any
) -> None:
    response = open311.get(f"{BASE}/{path}")

    assert errors_of(response, 404) == [(404, "Không có tài nguyên nào ở địa chỉ này.")]


def test_an_empty_format_argument_is_ignored(open311: Client, ready: str) -> None:
    """`?format=` is not an argument of the specification: the suffix decides."""
    response = open311.get(f"{BASE}/requests.json?format=")

    assert response.status_code == 200
    assert [request["service_request_id"] for request in json.loads(response.content)] == [ready]


# Query strings ----------------------------------------------------------------------------------

W3C_HINT = "dùng dạng W3C, ví dụ 2025-07-01T00:00:00+07:00."
OUT_OF_RANGE = "nằm ngoài khoảng cho phép (từ năm 1900 đến năm 2999)."


@pytest.mark.parametrize(
    ("query", "status", "description"),
    [
        ("start_date=notadate", 400, f"start_date “notadate” không hợp lệ; {W3C_HINT}"),
        ("start_date=2025-13-45", 400, f"start_date “2025-13-45” không hợp lệ; {W3C_HINT}"),
        ("end_date=2025-07-01T25:00", 400, f"end_date “2025-07-01T25:00” không hợp lệ; {W3C_HINT}"),
        (
            "start_date=2025-07-01T00:00:00%2B25:00",
            400,
            f"start_date “2025-07-01T00:00:00+25:00” không hợp lệ; {W3C_HINT}",
        ),
        (
            "start_date=0001-01-01T00:00:00-23:59",
            400,
            f"start_date “0001-01-01T00:00:00-23:59” {OUT_OF_RANGE}",
        ),
        ("start_date=9999-12-31", 400, f"start_date “9999-12-31” {OUT_OF_RANGE}"),
        ("end_date=0001-01-01", 400, f"end_date “0001-01-01” {OUT_OF_RANGE}"),
        ("start_date=2025-07-01&end_date=2025-01-01", 400, "start_date phải trước end_date."),
        ("status=open,junk", 400, "status “junk” không hợp lệ; dùng open hoặc closed."),
        (
            "service_request_id=" + ",".join(["PA-0000-0000"] * 1001),
            400,
            "Tối đa 1000 service_request_id trong một lần hỏi.",
        ),
        (
            "jurisdiction_id=" + "x" * 10_000,
            404,
            f"Không tìm thấy jurisdiction_id “{'x' * 10_000}”; hệ thống này phục vụ "
            "“quangngai.gov.vn”.",
        ),
    ],
)
def test_a_malformed_query_is_refused_in_json(
    open311: Client, ready: str, query: str, status: int, description: str
) -> None:
    response = open311.get(f"{BASE}/requests.json?{query}")

    assert json_errors(response, status) == [(status, description)]


def test_a_malformed_query_is_refused_in_xml_too(open311: Client, ready: str) -> None:
    response = open311.get(f"{BASE}/requests.xml?start_date=9999-12-31T23:59:59-23:59")

    assert xml_errors(response, 400) == [
        (400, f"start_date “9999-12-31T23:59:59-23:59” {OUT_OF_RANGE}")
    ]


@pytest.mark.parametrize(
    "query",
    [
        "status=,,,",
        "service_request_id=PA-0000-0000,junk,," + "x" * 5000,
        "service_code=" + "x" * 100_000,
        "locale=" + "x" * 10_000,
        "start_date=2025-07-01T00:00:00.9999999999",
    ],
)
def test_junk_that_selects_nothing_answers_an_empty_list_or_a_400_never_a_500(
    open311: Client, ready: str, query: str
) -> None:
    """Junk that is not an error of the specification's arguments (an empty list, an id that
    names no report, a long service code, an unknown locale) selects what it names: nothing,
    or, for an unknown locale, the default language."""
    response = open311.get(f"{BASE}/requests.json?{query}")

    assert response.status_code in (200, 400), response.content[:400]
    assert response["Content-Type"] == JSON_CONTENT_TYPE
    if response.status_code == 400:
        assert json.loads(response.content)[0]["code"] == 400


@pytest.mark.parametrize(
    "path",
    ["services/" + "x" * 10_000 + ".xml", "requests/" + "x" * 100_000 + ".json", "tokens/x.json"],
)
def test_very_long_or_unknown_identifiers_in_the_path_are_404(
    open311: Client, ready: str, path: str
) -> None:
    response = open311.get(f"{BASE}/{path}")

    assert response.status_code == 404
    assert response["Content-Type"] == (
        XML_CONTENT_TYPE if path.endswith(".xml") else JSON_CONTENT_TYPE
    )
