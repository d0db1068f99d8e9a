"""Open311 GeoReport v2 conformance, written from the specification (wiki.open311.org/GeoReport_v2
and /Service_Discovery): every endpoint in XML and JSON, element names and order, exact field sets,
the status mapping, the response volume, the filters, filing a report and each refusal, and the
absence of personal data from everything a client can read.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timedelta
from typing import Any, TypedDict

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pytest_django import Settings

from geoapp.api_keys import api_client_issue
from geoapp.clock import VIETNAM_TIME_ZONE
from incidents.models import (
    Category,
    Incident,
    IncidentChannel,
    IncidentEvent,
    IncidentPhoto,
    IncidentStatus,
    RejectionReason,
)
from incidents.tracking_codes import tracking_code_generate
from tests.conftest import ClientResponse, Territory

from ..conftest import CAM_THANH_POINT, OUTSIDE_POINT, FileReport, jpeg_bytes, upload

BASE = "/open311/v2"
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"

# Field order of the specification's example responses.
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]
SERVICE_FIELDS = [
    "service_code",
    "service_name",
    "description",
    "metadata",
    "type",
    "keywords",
    "group",
]
ATTRIBUTE_FIELDS = [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
CREATED_FIELDS = ["service_request_id", "service_notice", "account_id"]
GIAO_THONG_NORM = "Tiếp nhận trong 8 giờ làm việc; giải quyết trong 3 ngày làm việc."
# What the `file_report` fixture files in the reporter's name.
PERSONAL_DATA = ["Trần Thị Bình", "0905 123 456", "binh@example.vn"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def open311() -> Client:
    return Client(REMOTE_ADDR="203.0.113.20")


@pytest.fixture
def api_key(db: None) -> str:
    _client, raw_key = api_client_issue(name="Ứng dụng Quảng Ngãi S")
    return raw_key


def json_of(response: ClientResponse, status: int = 200) -> Any:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == JSON_CONTENT_TYPE
    return json.loads(response.content)


def xml_of(response: ClientResponse, status: int = 200) -> ElementTree.Element:
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == XML_CONTENT_TYPE
    assert response.content.startswith(XML_DECLARATION)
    return ElementTree.fromstring(response.content)


def child(element: ElementTree.Element, tag: str) -> ElementTree.Element:
    """The first child element named `tag`, which must be there."""
    found = element.find(tag)
    assert found is not None, f"<{element.tag}> has no <{tag}>"
    return found


def children(element: ElementTree.Element) -> list[str]:
    return [child.tag for child in element]


def texts(element: ElementTree.Element) -> dict[str, str | None]:
    return {child.tag: child.text for child in element}


def w3c(moment: datetime) -> str:
    return moment.astimezone(VIETNAM_TIME_ZONE).isoformat(timespec="seconds")


def counts() -> tuple[int, int, int]:
    return Incident.objects.count(), IncidentEvent.objects.count(), IncidentPhoto.objects.count()


def bulk_reports(
    territory: Territory,
    count: int,
    *,
    newest: datetime,
    category_code: str = "giao-thong",
    **fields: Any,
) -> list[Incident]:
    """`count` public reports one minute apart back from `newest`, written in one INSERT."""
    category = Category.objects.get(code=category_code)
    reports = []
    for number in range(count):
        moment = newest - timedelta(minutes=number)
        values: dict[str, Any] = {
            "tracking_code": tracking_code_generate(),
            "category": category,
            "description": f"Phản ánh số {number}",
            "location": CAM_THANH_POINT,
            "reported_at": moment,
            "area": territory.cam_thanh,
            "agency": territory.committee_cam_thanh,
            "channel": IncidentChannel.WEB,
            "reporter_name": "Nguyễn Văn An",
            "reporter_phone": "0905000111",
            "reporter_email": "an@example.vn",
            "reporter_token_hash": "0" * 64,
            "deadlines_from": moment,
            "acknowledge_by": moment + timedelta(hours=8),
            "resolve_by": moment + timedelta(days=3),
        }
        values.update(fields)
        reports.append(Incident(**values))
    return Incident.objects.bulk_create(reports)


# Discovery


def test_discovery_lists_the_georeport_v2_endpoint_in_json(open311: Client) -> None:
    document = json_of(open311.get(f"{BASE}/discovery.json"))

    assert list(document) == DISCOVERY_FIELDS
    assert document["changeset"] == "2025-07-01T00:00:00+07:00"
    assert document["contact"] == (
        "Liên hệ quản trị viên hệ thống phản ánh, kiến nghị của tỉnh Quảng Ngãi."
    )
    assert "open311_issue_key" in document["key_service"]
    assert document["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": "http://testserver/open311/v2",
            "changeset": "2025-07-01T00:00:00+07:00",
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]


def test_discovery_in_xml_has_the_specification_elements_in_order(open311: Client) -> None:
    root = xml_of(open311.get(f"{BASE}/discovery.xml"))

    assert root.tag == "discovery"
    assert children(root) == DISCOVERY_FIELDS
    endpoints = child(root, "endpoints")
    assert children(endpoints) == ["endpoint"]
    endpoint = child(endpoints, "endpoint")
    assert children(endpoint) == ENDPOINT_FIELDS
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert endpoint.findtext("type") == "production"
    assert [item.text for item in child(endpoint, "formats")] == ["text/xml", "application/json"]
    assert children(child(endpoint, "formats")) == ["format", "format"]


def test_the_endpoint_root_answers_the_discovery_document(open311: Client) -> None:
    root = xml_of(open311.get(f"{BASE}/"))

    assert root.tag == "discovery"


# Services


def test_services_json_lists_every_active_category_with_the_specification_fields(
    open311: Client, categories: None
) -> None:
    Category.objects.create(code="khac", name="Khác", name_en="Other", order=90)
    Category.objects.create(code="cu", name="Lĩnh vực cũ", order=95, is_active=False)

    services = json_of(open311.get(f"{BASE}/services.json"))

    assert [service["service_code"] for service in services] == [
        "giao-thong",
        "chieu-sang",
        "cap-thoat-nuoc",
        "ve-sinh-moi-truong",
        "trat-tu-do-thi",
        "xay-dung",
        "cay-xanh",
        "an-ninh-trat-tu",
        "khac",
    ]
    for service in services:
        assert list(service) == SERVICE_FIELDS
        assert service["type"] == "realtime"
    assert services[0] == {
        "service_code": "giao-thong",
        "service_name": "Giao thông",
        "description": "Hư hỏng mặt đường, vỉa hè, cầu; biển báo, đèn tín hiệu giao thông.",
        "metadata": True,
        "type": "realtime",
        "keywords": "ổ gà, mặt đường, vỉa hè, cầu, biển báo, đèn giao thông",
        "group": "Hạ tầng đô thị",
    }
    assert services[-1]["metadata"] is False


def test_services_xml_has_the_specification_elements_in_order(
    open311: Client, categories: None
) -> None:
    root = xml_of(open311.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    assert set(children(root)) == {"service"}
    assert len(root) == 8
    first = root[0]
    assert children(first) == SERVICE_FIELDS
    assert texts(first) == {
        "service_code": "giao-thong",
        "service_name": "Giao thông",
        "description": "Hư hỏng mặt đường, vỉa hè, cầu; biển báo, đèn tín hiệu giao thông.",
        "metadata": "true",
        "type": "realtime",
        "keywords": "ổ gà, mặt đường, vỉa hè, cầu, biển báo, đèn giao thông",
        "group": "Hạ tầng đô thị",
    }


class LanguageHeaders(TypedDict, total=False):
    HTTP_ACCEPT_LANGUAGE: str


@pytest.mark.parametrize(
    ("query", "headers"),
    [("?locale=en", {}), ("", {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.8"}), ("?locale=en_US", {})],
)
def test_services_are_named_in_english_on_request(
    open311: Client, categories: None, query: str, headers: LanguageHeaders
) -> None:
    response = open311.get(f"{BASE}/services.json{query}", **headers)

    first = json_of(response)[0]
    assert (first["service_name"], first["group"], first["description"]) == (
        "Roads and traffic",
        "Urban infrastructure",
        "Damaged roads, pavements and bridges; traffic signs and signals.",
    )
    assert response["Content-Language"] == "en"


def test_services_are_in_vietnamese_by_default(open311: Client, categories: None) -> None:
    response = open311.get(f"{BASE}/services.json")

    assert json_of(response)[0]["service_name"] == "Giao thông"
    assert response["Content-Language"] == "vi"


# Service definitions


def test_a_service_definition_in_json_lists_the_attributes(
    open311: Client, categories: None
) -> None:
    definition = json_of(open311.get(f"{BASE}/services/chieu-sang.json"))

    assert list(definition) == ["service_code", "attributes"]
    assert definition["service_code"] == "chieu-sang"
    assert [list(attribute) for attribute in definition["attributes"]] == [ATTRIBUTE_FIELDS] * 2
    number, choice = definition["attributes"]
    assert number == {
        "variable": True,
        "code": "so-cot-den",
        "datatype": "number",
        "required": False,
        "datatype_description": "Một số, ví dụ 3 hoặc 2.5.",
        "order": 1,
        "description": "Số cột đèn",
        "values": [],
    }
    assert {key: choice[key] for key in ATTRIBUTE_FIELDS[:-1]} == {
        "variable": True,
        "code": "tinh-trang",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": None,
        "order": 2,
        "description": "Tình trạng",
    }
    assert [value["key"] for value in choice["values"]] == [
        "khong-sang",
        "chap-chon",
        "sang-ban-ngay",
        "hu-cot",
    ]
    assert choice["values"][0] == {"key": "khong-sang", "name": "Đèn không sáng"}


def test_a_service_definition_in_xml_has_the_specification_elements_in_order(
    open311: Client, categories: None
) -> None:
    root = xml_of(open311.get(f"{BASE}/services/giao-thong.xml?locale=en"))

    assert root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    assert root.findtext("service_code") == "giao-thong"
    attributes = child(root, "attributes")
    assert children(attributes) == ["attribute"]
    attribute = child(attributes, "attribute")
    assert children(attribute) == ATTRIBUTE_FIELDS
    assert attribute.findtext("variable") == "true"
    assert attribute.findtext("required") == "true"
    assert attribute.findtext("order") == "1"
    assert attribute.findtext("description") == "Kind of damage"
    assert child(attribute, "datatype_description").text is None
    values = child(attribute, "values")
    assert set(children(values)) == {"value"}
    assert [children(value) for value in values] == [["key", "name"]] * 5
    assert texts(values[0]) == {"key": "o-ga", "name": "Pothole"}


def test_the_attribute_order_counts_from_one_without_repeats(
    open311: Client, categories: None
) -> None:
    category = Category.objects.get(code="chieu-sang")
    category.attributes.update(order=0)

    definition = json_of(open311.get(f"{BASE}/services/chieu-sang.json"))

    assert [(item["code"], item["order"]) for item in definition["attributes"]] == [
        ("so-cot-den", 1),
        ("tinh-trang", 2),
    ]


@pytest.mark.parametrize("output", ["json", "xml"])
def test_an_unknown_service_code_is_not_found(
    open311: Client, categories: None, output: str
) -> None:
    response = open311.get(f"{BASE}/services/khong-co.{output}")

    expected = "Không tìm thấy service_code “khong-co”; xem danh sách tại services.xml."
    if output == "json":
        assert json_of(response, 404) == [{"code": 404, "description": expected}]
    else:
        root = xml_of(response, 404)
        assert root.tag == "errors"
        assert children(root) == ["error"]
        assert children(root[0]) == ["code", "description"]
        assert texts(root[0]) == {"code": "404", "description": expected}


# GET service requests


def test_requests_json_gives_each_public_report_with_exactly_the_specification_fields(
    open311: Client, territory: Territory, file_report: FileReport
) -> None:
    incident = file_report(address="12 Hùng Vương").incident

    requests = json_of(open311.get(f"{BASE}/requests.json"))

    assert requests == [
        {
            "service_request_id": incident.tracking_code,
            "status": "open",
            "status_notes": "Mới",
            "service_name": "Giao thông",
            "service_code": "giao-thong",
            "description": "Ổ gà sâu giữa đường Hùng Vương",
            "agency_responsible": "Ủy ban nhân dân Phường Cẩm Thành",
            "service_notice": GIAO_THONG_NORM,
            "requested_datetime": w3c(incident.reported_at),
            "updated_datetime": w3c(incident.updated_at),
            "expected_datetime": w3c(incident.resolve_by),
            "address": "12 Hùng Vương",
            "address_id": None,
            "zipcode": None,
            "lat": 15.05,
            "long": 108.8,
            "media_url": None,
        }
    ]
    assert requests[0]["requested_datetime"].endswith("+07:00")


def test_requests_xml_has_the_specification_elements_in_order(
    open311: Client, territory: Territory, file_report: FileReport
) -> None:
    incident = file_report().incident

    root = xml_of(open311.get(f"{BASE}/requests.xml"))

    assert root.tag == "service_requests"
    assert children(root) == ["request"]
    request = child(root, "request")
    assert children(request) == REQUEST_FIELDS
    values = texts(request)
    assert values["service_request_id"] == incident.tracking_code
    assert values["status"] == "open"
    assert values["requested_datetime"] == w3c(incident.reported_at)
    # No address was given: the commune the report fell in describes the location.
    assert values["address"] == "Phường Cẩm Thành"
    assert (values["address_id"], values["zipcode"], values["media_url"]) == (None, None, None)
    latitude, longitude = values["lat"], values["long"]
    assert latitude is not None
    assert longitude is not None
    assert (float(latitude), float(longitude)) == (15.05, 108.8)


def test_an_empty_list_is_an_empty_service_requests_element(open311: Client, db: None) -> None:
    assert json_of(open311.get(f"{BASE}/requests.json")) == []
    root = xml_of(open311.get(f"{BASE}/requests.xml"))
    assert (root.tag, len(root)) == ("service_requests", 0)


STATUS_MAPPING = [
    (IncidentStatus.NEW, "open", "Mới"),
    (IncidentStatus.ACKNOWLEDGED, "open", "Đã tiếp nhận"),
    (IncidentStatus.IN_PROGRESS, "open", "Đang xử lý"),
    (IncidentStatus.INFORMATION_REQUESTED, "open", "Chờ bổ sung thông tin"),
    (IncidentStatus.ANSWERED, "open", "Đã trả lời"),
    (IncidentStatus.RESOLVED, "closed", "Đã giải quyết"),
    (IncidentStatus.CLOSED, "closed", "Đã đóng"),
    (IncidentStatus.REJECTED, "closed", "Từ chối: Không thuộc phạm vi xử lý"),
]


@pytest.mark.parametrize(("internal", "open311_status", "notes"), STATUS_MAPPING)
def test_each_internal_status_maps_to_open_or_closed(
    open311: Client,
    territory: Territory,
    categories: None,
    internal: str,
    open311_status: str,
    notes: str,
) -> None:
    now = timezone.now()
    closed = open311_status == "closed"
    (incident,) = bulk_reports(
        territory,
        1,
        newest=now - timedelta(days=2),
        status=internal,
        rejection_reason=RejectionReason.OUTSIDE_SCOPE if internal == "rejected" else "",
        resolved_at=now - timedelta(days=1) if internal in ("resolved", "closed") else None,
        closed_at=now - timedelta(hours=5) if internal == "closed" else None,
        rejected_at=now - timedelta(hours=3) if internal == "rejected" else None,
    )

    (request,) = json_of(open311.get(f"{BASE}/requests.json"))

    assert request["status"] == open311_status
    assert request["status_notes"] == notes
    assert request["service_notice"] == (None if closed else GIAO_THONG_NORM)
    # "For requests with status=closed, this will be the date the request was closed."
    incident.refresh_from_db()
    expected_update = {
        "resolved": incident.resolved_at,
        "closed": incident.closed_at,
        "rejected": incident.rejected_at,
    }.get(internal, incident.updated_at)
    assert expected_update is not None
    assert request["updated_datetime"] == w3c(expected_update)
    filtered = json_of(open311.get(f"{BASE}/requests.json?status={open311_status}"))
    assert [item["service_request_id"] for item in filtered] == [incident.tracking_code]
    other = "open" if closed else "closed"
    assert json_of(open311.get(f"{BASE}/requests.json?status={other}")) == []


def test_status_notes_carry_the_public_answer_and_the_original_of_a_duplicate(
    open311: Client, territory: Territory, categories: None
) -> None:
    now = timezone.now()
    original, answered, duplicate = bulk_reports(territory, 3, newest=now - timedelta(hours=1))
    Incident.objects.filter(pk=answered.pk).update(
        status=IncidentStatus.RESOLVED,
        resolved_at=now,
        public_answer="Đã vá ổ gà ngày 20/11.",
    )
    Incident.objects.filter(pk=duplicate.pk).update(
        status=IncidentStatus.REJECTED,
        rejection_reason=RejectionReason.DUPLICATE,
        duplicate_of=original,
        rejected_at=now,
    )

    notes = {
        item["service_request_id"]: item["status_notes"]
        for item in json_of(open311.get(f"{BASE}/requests.json"))
    }

    assert notes == {
        original.tracking_code: "Mới",
        answered.tracking_code: "Đã giải quyết: Đã vá ổ gà ngày 20/11.",
        duplicate.tracking_code: f"Từ chối: Trùng với phản ánh khác ({original.tracking_code})",
    }


def test_the_default_window_is_the_most_recent_90_days(
    open311: Client, territory: Territory, categories: None
) -> None:
    now = timezone.now()
    recent = bulk_reports(territory, 3, newest=now - timedelta(days=89, hours=23))
    bulk_reports(territory, 4, newest=now - timedelta(days=90, minutes=1))

    requests = json_of(open311.get(f"{BASE}/requests.json"))

    assert [item["service_request_id"] for item in requests] == [
        report.tracking_code for report in recent
    ]


def test_at_most_1000_requests_are_returned_newest_first(
    open311: Client, territory: Territory, categories: None
) -> None:
    reports = bulk_reports(territory, 1005, newest=timezone.now() - timedelta(minutes=1))

    requests = json_of(open311.get(f"{BASE}/requests.json"))
    root = xml_of(open311.get(f"{BASE}/requests.xml"))

    expected = [report.tracking_code for report in reports[:1000]]
    assert [item["service_request_id"] for item in requests] == expected
    assert [request.findtext("service_request_id") for request in root] == expected


def test_service_request_ids_override_the_other_arguments(
    open311: Client, territory: Territory, categories: None
) -> None:
    now = timezone.now()
    old = bulk_reports(territory, 1, newest=now - timedelta(days=400), status="closed")[0]
    recent = bulk_reports(territory, 2, newest=now - timedelta(days=1))

    response = open311.get(
        f"{BASE}/requests.json",
        {
            "service_request_id": f"{old.tracking_code}, {recent[1].tracking_code.lower()},PA-0000-0000",
            "status": "open",
            "service_code": "chieu-sang",
            "start_date": "2020-01-01T00:00:00Z",
            "end_date": "2020-01-02T00:00:00Z",
        },
    )

    assert [item["service_request_id"] for item in json_of(response)] == [
        recent[1].tracking_code,
        old.tracking_code,
    ]


def test_service_code_filters_by_one_or_several_services(
    open311: Client, territory: Territory, categories: None
) -> None:
    newest = timezone.now() - timedelta(hours=1)
    roads = bulk_reports(territory, 1, newest=newest)[0]
    lights = bulk_reports(
        territory, 1, newest=newest - timedelta(hours=1), category_code="chieu-sang"
    )[0]
    bulk_reports(territory, 1, newest=newest - timedelta(hours=2), category_code="cay-xanh")

    def codes(query: str) -> list[str]:
        return [
            item["service_request_id"]
            for item in json_of(open311.get(f"{BASE}/requests.json?{query}"))
        ]

    assert codes("service_code=chieu-sang") == [lights.tracking_code]
    assert codes("service_code=giao-thong,chieu-sang") == [
        roads.tracking_code,
        lights.tracking_code,
    ]


def test_start_and_end_dates_bound_the_requested_datetime(
    open311: Client, territory: Territory, categories: None
) -> None:
    def report_at(year: int, month: int, day: int, hour: int, minute: int) -> str:
        newest = datetime(year, month, day, hour, minute, tzinfo=VIETNAM_TIME_ZONE)
        return bulk_reports(territory, 1, newest=newest)[0].tracking_code

    before = report_at(2026, 2, 28, 23, 0)
    inside = report_at(2026, 3, 10, 9, 0)
    last_day = report_at(2026, 3, 31, 23, 30)
    after = report_at(2026, 4, 1, 0, 30)
    late = report_at(2026, 5, 29, 8, 0)  # 89 days after 1 March

    def codes(**query: str) -> list[str]:
        return [
            item["service_request_id"]
            for item in json_of(open311.get(f"{BASE}/requests.json", query))
        ]

    # A W3C date-time in UTC, and a bare date meaning that whole day in Vietnam time.
    assert codes(start_date="2026-02-28T17:00:00Z", end_date="2026-03-31") == [last_day, inside]
    assert codes(start_date="2026-03-01T00:00:00+07:00", end_date="2026-03-10T09:00:00+07:00") == [
        inside
    ]
    # A lone start_date searches the 90 days after it; a lone end_date the 90 days before it.
    assert report_at(2026, 5, 31, 8, 0) not in codes(start_date="2026-03-01")
    assert codes(start_date="2026-03-01") == [late, after, last_day, inside]
    assert codes(end_date="2026-03-31T23:59:59+07:00") == [last_day, inside, before]


@pytest.mark.parametrize(
    ("query", "description"),
    [
        (
            "start_date=2026-01-01T00:00:00Z&end_date=2026-04-02T00:00:00Z",
            "Khoảng từ start_date đến end_date không được quá 90 ngày.",
        ),
        (
            "start_date=2026-03-02&end_date=2026-03-01",
            "start_date phải trước end_date.",
        ),
        (
            "start_date=01/03/2026",
            "start_date “01/03/2026” không hợp lệ; dùng dạng W3C, ví dụ 2025-07-01T00:00:00+07:00.",
        ),
        ("status=pending", "status “pending” không hợp lệ; dùng open hoặc closed."),
    ],
)
@pytest.mark.parametrize("output", ["json", "xml"])
def test_bad_query_arguments_get_a_400_in_the_specification_error_form(
    open311: Client, db: None, query: str, description: str, output: str
) -> None:
    response = open311.get(f"{BASE}/requests.{output}?{query}")

    if output == "json":
        assert json_of(response, 400) == [{"code": 400, "description": description}]
    else:
        root = xml_of(response, 400)
        assert root.tag == "errors"
        assert [texts(error) for error in root] == [{"code": "400", "description": description}]


def test_non_public_and_spam_reports_are_never_listed(
    open311: Client, territory: Territory, categories: None
) -> None:
    newest = timezone.now() - timedelta(hours=1)
    public, hidden, spam = bulk_reports(territory, 3, newest=newest)
    Incident.objects.filter(pk=hidden.pk).update(is_public=False, hidden_reason="Thông tin riêng")
    Incident.objects.filter(pk=spam.pk).update(
        status=IncidentStatus.REJECTED, rejection_reason=RejectionReason.SPAM, rejected_at=newest
    )

    listed = json_of(
        open311.get(
            f"{BASE}/requests.json",
            {"service_request_id": ",".join(r.tracking_code for r in (public, hidden, spam))},
        )
    )

    assert [item["service_request_id"] for item in listed] == [public.tracking_code]
    for report in (hidden, spam):
        for output in ("json", "xml"):
            assert (
                open311.get(f"{BASE}/requests/{report.tracking_code}.{output}").status_code == 404
            )
            assert open311.get(f"{BASE}/tokens/{report.tracking_code}.{output}").status_code == 404


def test_a_hidden_description_is_null_and_only_visible_photos_are_linked(
    open311: Client, territory: Territory, file_report: FileReport, settings: Settings
) -> None:
    with_photo = file_report(photos=[upload("anh.jpg", jpeg_bytes())]).incident
    hidden_photo = file_report(photos=[upload("anh.jpg", jpeg_bytes())]).incident
    hidden_text = file_report(media_url="https://anh.example.vn/o-ga.jpg").incident
    IncidentPhoto.objects.filter(incident=hidden_photo).update(is_hidden=True)
    Incident.objects.filter(pk=hidden_text.pk).update(
        description_hidden=True, description_hidden_reason="Có số điện thoại"
    )

    requests = {
        item["service_request_id"]: item for item in json_of(open311.get(f"{BASE}/requests.json"))
    }

    photo = IncidentPhoto.objects.get(incident=with_photo)
    assert requests[with_photo.tracking_code]["media_url"] == (
        f"http://testserver/phan-anh/{with_photo.tracking_code}/anh/{photo.pk}/"
    )
    assert requests[hidden_photo.tracking_code]["media_url"] is None
    assert requests[hidden_text.tracking_code]["description"] is None
    # The submitter's own link is not published (tests/incidents/open311/test_media_url.py).
    assert requests[hidden_text.tracking_code]["media_url"] is None
    xml_request = next(
        request
        for request in xml_of(open311.get(f"{BASE}/requests.xml"))
        if request.findtext("service_request_id") == hidden_text.tracking_code
    )
    assert child(xml_request, "description").text is None


def test_text_with_markup_or_control_characters_stays_well_formed_xml(
    open311: Client, territory: Territory, categories: None
) -> None:
    bulk_reports(
        territory,
        1,
        newest=timezone.now(),
        description="<script>alert('x')</script> & \x07chuông\x1b",
        address='"Ngõ" <5>',
    )

    request = xml_of(open311.get(f"{BASE}/requests.xml"))[0]

    assert request.findtext("description") == "<script>alert('x')</script> & chuông"
    assert request.findtext("address") == '"Ngõ" <5>'
    assert b"<script>" not in open311.get(f"{BASE}/requests.xml").content


# One request and tokens


@pytest.mark.parametrize("output", ["json", "xml"])
def test_one_request_is_a_list_of_one(
    open311: Client, territory: Territory, file_report: FileReport, output: str
) -> None:
    incident = file_report().incident
    # Codes are read as a person types them: case, spaces and hyphens do not matter.
    typed = incident.tracking_code.lower().replace("-", "")

    response = open311.get(f"{BASE}/requests/{typed}.{output}")

    if output == "json":
        (request,) = json_of(response)
        assert list(request) == REQUEST_FIELDS
        assert request["service_request_id"] == incident.tracking_code
    else:
        root = xml_of(response)
        assert (root.tag, children(root)) == ("service_requests", ["request"])
        assert children(root[0]) == REQUEST_FIELDS


def test_one_request_answers_outside_the_default_window(
    open311: Client, territory: Territory, categories: None
) -> None:
    old = bulk_reports(territory, 1, newest=timezone.now() - timedelta(days=500))[0]

    (request,) = json_of(open311.get(f"{BASE}/requests/{old.tracking_code}.json"))

    assert request["service_request_id"] == old.tracking_code


@pytest.mark.parametrize("output", ["json", "xml"])
def test_an_unknown_request_is_not_found(open311: Client, db: None, output: str) -> None:
    response = open311.get(f"{BASE}/requests/PA-0000-0000.{output}")

    description = "Không tìm thấy phản ánh có mã “PA-0000-0000”."
    if output == "json":
        assert json_of(response, 404) == [{"code": 404, "description": description}]
    else:
        assert [texts(error) for error in xml_of(response, 404)] == [
            {"code": "404", "description": description}
        ]


@pytest.mark.parametrize("output", ["json", "xml"])
def test_a_token_gives_the_service_request_id(
    open311: Client, territory: Territory, file_report: FileReport, output: str
) -> None:
    incident = file_report().incident

    response = open311.get(f"{BASE}/tokens/{incident.tracking_code}.{output}")

    if output == "json":
        assert json_of(response) == [
            {"service_request_id": incident.tracking_code, "token": incident.tracking_code}
        ]
    else:
        root = xml_of(response)
        assert (root.tag, children(root)) == ("service_requests", ["request"])
        assert children(root[0]) == ["service_request_id", "token"]
        assert root[0].findtext("service_request_id") == incident.tracking_code


def test_an_unknown_token_is_not_found(open311: Client, db: None) -> None:
    assert json_of(open311.get(f"{BASE}/tokens/12345.json"), 404) == [
        {"code": 404, "description": "Không tìm thấy token “12345”."}
    ]


# Jurisdiction, formats, methods


ALL_GET_PATHS = [
    "discovery.json",
    "services.json",
    "services/giao-thong.json",
    "requests.json",
    "requests/PA-0000-0000.json",
    "tokens/PA-0000-0000.json",
]


@pytest.mark.parametrize("path", ALL_GET_PATHS)
def test_an_unknown_jurisdiction_is_not_found_everywhere(
    open311: Client, categories: None, path: str
) -> None:
    response = open311.get(f"{BASE}/{path}?jurisdiction_id=hanoi.gov.vn")

    assert json_of(response, 404) == [
        {
            "code": 404,
            "description": (
                "Không tìm thấy jurisdiction_id “hanoi.gov.vn”; hệ thống này phục vụ "
                "“quangngai.gov.vn”."
            ),
        }
    ]


def test_the_served_jurisdiction_is_accepted(open311: Client, categories: None) -> None:
    response = open311.get(f"{BASE}/services.json?jurisdiction_id=quangngai.gov.vn")

    assert len(json_of(response)) == 8


def test_the_jurisdiction_comes_from_the_setting(
    open311: Client, categories: None, settings: Settings
) -> None:
    settings.OPEN311_JURISDICTION_ID = "quangngai.example"

    assert open311.get(f"{BASE}/services.json?jurisdiction_id=quangngai.example").status_code == 200
    assert open311.get(f"{BASE}/services.json?jurisdiction_id=quangngai.gov.vn").status_code == 404


def test_an_unknown_format_is_refused_in_xml(open311: Client, categories: None) -> None:
    root = xml_of(open311.get(f"{BASE}/services.csv"), 400)

    assert [texts(error) for error in root] == [
        {
            "code": "400",
            "description": "Định dạng “csv” không được hỗ trợ; dùng .xml hoặc .json.",
        }
    ]


def test_a_method_the_resource_does_not_have_is_refused(open311: Client, db: None) -> None:
    response = open311.post(f"{BASE}/services.json")

    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert json_of(response, 405) == [
        {"code": 405, "description": "Phương thức POST không được hỗ trợ; dùng GET, HEAD, OPTIONS."}
    ]


# POST service request


def post_form(**overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "service_code": "giao-thong",
        "lat": "15.05",
        "long": "108.80",
        "address_string": "12 Hùng Vương, Phường Cẩm Thành",
        "description": "Ổ gà sâu trước số 12",
        "attribute[loai-hu-hong]": "o-ga",
        "email": "binh@example.vn",
        "first_name": "Bình",
        "last_name": "Trần Thị",
        "phone": "0905 123 456",
        "device_id": "tt222111",
        "account_id": "tai-khoan-42",
        "media_url": "https://anh.example.vn/o-ga.jpg",
    }
    form.update(overrides)
    return {key: value for key, value in form.items() if value is not None}


def test_posting_a_request_files_a_report_through_the_core(
    open311: Client, territory: Territory, categories: None
) -> None:
    client, raw_key = api_client_issue(name="Ứng dụng Quảng Ngãi S")

    response = open311.post(f"{BASE}/requests.json", post_form(api_key=raw_key))

    (created,) = json_of(response, 201)
    assert list(created) == CREATED_FIELDS
    incident = Incident.objects.get()
    assert created["service_request_id"] == incident.tracking_code
    assert created["account_id"] == "tai-khoan-42"
    assert created["service_notice"].startswith(GIAO_THONG_NORM + " Đơn vị xử lý: Ủy ban nhân dân")
    assert incident.channel == IncidentChannel.OPEN311
    assert incident.category.code == "giao-thong"
    assert incident.status == IncidentStatus.NEW
    assert incident.description == "Ổ gà sâu trước số 12"
    assert incident.location.coords == (108.8, 15.05)
    assert incident.address == "12 Hùng Vương, Phường Cẩm Thành"
    assert incident.attributes == {"loai-hu-hong": "o-ga"}
    assert incident.area == territory.cam_thanh
    assert incident.agency == territory.committee_cam_thanh
    assert incident.reporter_name == "Trần Thị Bình"
    assert incident.reporter_phone == "0905 123 456"
    assert incident.reporter_email == "binh@example.vn"
    assert incident.reporter_may_be_contacted is True
    assert incident.media_url == "https://anh.example.vn/o-ga.jpg"
    assert incident.is_public is True
    assert (
        incident.client_fingerprint
        == hashlib.sha256(f"api-client:{client.pk}".encode()).hexdigest()
    )
    assert "tt222111" not in json.dumps(
        [str(value) for value in Incident.objects.values().get().values()], ensure_ascii=False
    )
    assert list(incident.events.values_list("action", flat=True)) == ["created"]


def test_posting_in_xml_with_the_key_in_the_query_string_and_a_photo(
    open311: Client, territory: Territory, categories: None, api_key: str
) -> None:
    form = post_form(
        service_code="ve-sinh-moi-truong",
        description="Rác thải xây dựng đổ trộm",
        media_url=None,
        email=None,
        phone=None,
        **{"attribute[loai-hu-hong]": None, "attribute[loai-rac][]": ["sinh-hoat", "xay-dung"]},
    )
    form["media"] = upload("rac.jpg", jpeg_bytes())

    response = open311.post(f"{BASE}/requests.xml?api_key={api_key}", form)

    root = xml_of(response, 201)
    assert (root.tag, children(root)) == ("service_requests", ["request"])
    assert children(root[0]) == CREATED_FIELDS
    incident = Incident.objects.get()
    assert root[0].findtext("service_request_id") == incident.tracking_code
    assert incident.attributes == {"loai-rac": ["sinh-hoat", "xay-dung"]}
    assert incident.reporter_may_be_contacted is False
    assert incident.photos.count() == 1
    listed = json_of(open311.get(f"{BASE}/requests/{incident.tracking_code}.json"))[0]
    assert listed["media_url"] == (
        f"http://testserver/phan-anh/{incident.tracking_code}/anh/{incident.photos.get().pk}/"
    )


def test_the_key_may_also_come_in_the_x_api_key_header(
    open311: Client, territory: Territory, categories: None, api_key: str
) -> None:
    response = open311.post(f"{BASE}/requests.json", post_form(), HTTP_X_API_KEY=api_key)

    assert json_of(response, 201)[0]["service_request_id"] == Incident.objects.get().tracking_code


def test_a_replayed_submission_with_the_same_idempotency_key_files_nothing_new(
    open311: Client, territory: Territory, categories: None, api_key: str
) -> None:
    first = open311.post(
        f"{BASE}/requests.json", post_form(api_key=api_key), HTTP_IDEMPOTENCY_KEY="lan-gui-1"
    )
    again = open311.post(
        f"{BASE}/requests.json", post_form(api_key=api_key), HTTP_IDEMPOTENCY_KEY="lan-gui-1"
    )

    assert (
        json_of(again, 200)[0]["service_request_id"] == json_of(first, 201)[0]["service_request_id"]
    )
    assert counts() == (1, 1, 0)


def test_posting_in_english_answers_in_english(
    open311: Client, territory: Territory, categories: None, api_key: str
) -> None:
    response = open311.post(f"{BASE}/requests.json", post_form(api_key=api_key, locale="en"))

    assert response["Content-Language"] == "en"
    assert json_of(response, 201)[0]["service_notice"].startswith("Acknowledged within 8")


REFUSALS = [
    # (form overrides, HTTP status, description)
    (
        {"api_key": None},
        403,
        "Thiếu khóa API (api_key); hãy xin khóa từ quản trị viên hệ thống.",
    ),
    ({"api_key": "sai-khoa"}, 403, "Khóa API (api_key) không hợp lệ."),
    (
        {"service_code": "khong-co"},
        404,
        "Không tìm thấy service_code “khong-co”; xem danh sách tại services.xml.",
    ),
    ({"service_code": ""}, 400, "Thiếu service_code."),
    (
        {"jurisdiction_id": "hanoi.gov.vn"},
        404,
        "Không tìm thấy jurisdiction_id “hanoi.gov.vn”; hệ thống này phục vụ “quangngai.gov.vn”.",
    ),
    (
        {"lat": None, "long": None, "address_string": None},
        400,
        "Thiếu vị trí: gửi lat và long (WGS 84).",
    ),
    (
        {"lat": None, "long": None},
        400,
        "Cần gửi vị trí bằng lat và long: hệ thống chưa thể xác định vị trí từ address_string "
        "hay address_id. address_string được lưu làm địa chỉ khi gửi kèm lat và long.",
    ),
    ({"long": None}, 400, "Thiếu Kinh độ (lon)."),
    (
        {"lat": str(OUTSIDE_POINT.y), "long": str(OUTSIDE_POINT.x)},
        400,
        "Vị trí (10.780000, 106.700000) nằm ngoài địa bàn phục vụ vào ngày {today}. "
        "Hãy chọn một điểm trong tỉnh Quảng Ngãi.",
    ),
    (
        {"lat": "108.80", "long": "15.05"},
        400,
        "Vĩ độ 108.8 nằm ngoài khoảng −90 đến 90: có thể vĩ độ và kinh độ đã bị đảo ngược (lat là "
        "vĩ độ, khoảng 15 ở Quảng Ngãi; lon là kinh độ, khoảng 108).",
    ),
    (
        {"attribute[loai-hu-hong]": "cay-do"},
        400,
        "Câu trả lời cho “Loại hư hỏng” không hợp lệ: “cay-do” không nằm trong các lựa chọn "
        "(o-ga, nut, sut-lun, bien-bao, khac).",
    ),
    (
        {"attribute[loai-hu-hong]": None},
        400,
        "Vui lòng trả lời câu hỏi “Loại hư hỏng”.",
    ),
    ({"attribute[khong-co]": "x"}, 400, "Câu hỏi không thuộc lĩnh vực này: khong-co."),
    ({"description": "   "}, 400, "Vui lòng nhập nội dung phản ánh."),
    ({"description": "x" * 4001}, 400, "Nội dung phản ánh dài tối đa 4000 ký tự."),
    (
        {"media_url": "file:///etc/passwd"},
        400,
        "media_url phải là một địa chỉ http hoặc https, dài tối đa 1000 ký tự.",
    ),
    ({"email": "khong-phai-thu"}, 400, "Địa chỉ thư điện tử “khong-phai-thu” không hợp lệ."),
    (
        {"description": "Ổ gà\x00"},
        400,
        "Trường description chứa ký tự điều khiển không được phép (như NUL).",
    ),
]


@pytest.mark.parametrize(("overrides", "status", "description"), REFUSALS)
@pytest.mark.parametrize("output", ["json", "xml"])
def test_a_refused_request_gets_the_specification_error_and_files_nothing(
    open311: Client,
    territory: Territory,
    categories: None,
    api_key: str,
    overrides: dict[str, Any],
    status: int,
    description: str,
    output: str,
) -> None:
    form = post_form(api_key=api_key)
    form.update(overrides)
    form = {key: value for key, value in form.items() if value is not None}
    today = timezone.now().astimezone(VIETNAM_TIME_ZONE).strftime("%d/%m/%Y")

    response = open311.post(f"{BASE}/requests.{output}", form)

    expected = [{"code": status, "description": description.format(today=today)}]
    if output == "json":
        assert json_of(response, status) == expected
    else:
        root = xml_of(response, status)
        assert root.tag == "errors"
        assert [children(error) for error in root] == [["code", "description"]]
        assert [texts(error) for error in root] == [
            {"code": str(status), "description": expected[0]["description"]}
        ]
    assert counts() == (0, 0, 0)


def test_the_key_of_a_suspended_client_is_refused_and_files_nothing(
    open311: Client, territory: Territory, categories: None
) -> None:
    _client, raw_key = api_client_issue(name="Ứng dụng cũ", is_active=False)

    response = open311.post(f"{BASE}/requests.json", post_form(api_key=raw_key))

    assert json_of(response, 403) == [
        {
            "code": 403,
            "description": "Khóa API (api_key) đã bị thu hồi; liên hệ quản trị viên hệ thống.",
        }
    ]
    assert counts() == (0, 0, 0)


def test_media_that_is_not_an_image_is_refused_and_files_nothing(
    open311: Client, territory: Territory, categories: None, api_key: str
) -> None:
    form = post_form(api_key=api_key)
    form["media"] = upload("anh.jpg", b"%PDF-1.4 not an image at all", "image/jpeg")

    response = open311.post(f"{BASE}/requests.json", form)

    assert json_of(response, 400) == [
        {
            "code": 400,
            "description": (
                "Tệp tải lên không phải là ảnh hợp lệ. Chỉ nhận ảnh JPEG, PNG, WebP hoặc HEIC."
            ),
        }
    ]
    assert counts() == (0, 0, 0)


def test_too_many_submissions_from_one_key_are_throttled(
    open311: Client, territory: Territory, categories: None, api_key: str, settings: Settings
) -> None:
    settings.INCIDENT_CREATE_RATE = "2/hour"
    for _number in range(2):
        assert open311.post(f"{BASE}/requests.json", post_form(api_key=api_key)).status_code == 201

    # Another network address does not reset the count: it is the key that is limited.
    response = Client(REMOTE_ADDR="198.51.100.7").post(
        f"{BASE}/requests.json", post_form(api_key=api_key)
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    (error,) = json_of(response, 429)
    assert error["code"] == 429
    assert error["description"].startswith("Ứng dụng đã gửi quá nhiều phản ánh; thử lại sau ")
    assert counts() == (2, 2, 0)


# Privacy


def test_no_get_ever_carries_personal_data(
    open311: Client, territory: Territory, file_report: FileReport, api_key: str
) -> None:
    filed = file_report(photos=[upload("anh.jpg", jpeg_bytes())]).incident
    open311.post(f"{BASE}/requests.json", post_form(api_key=api_key))
    posted = Incident.objects.exclude(pk=filed.pk).get()
    paths = [
        "requests.{output}",
        "requests.{output}?status=open",
        f"requests.{{output}}?service_request_id={filed.tracking_code},{posted.tracking_code}",
        f"requests/{filed.tracking_code}.{{output}}",
        f"requests/{posted.tracking_code}.{{output}}",
        f"tokens/{posted.tracking_code}.{{output}}",
        "services.{output}",
        "services/giao-thong.{output}",
        "discovery.{output}",
    ]

    for path in paths:
        for output in ("json", "xml"):
            response = open311.get(f"{BASE}/{path.format(output=output)}")
            assert response.status_code == 200, path
            body = response.content.decode()
            for personal in [*PERSONAL_DATA, "Bình", "tt222111", "tai-khoan-42", api_key]:
                assert personal not in body, (path, output, personal)
    listed = json_of(open311.get(f"{BASE}/requests.json"))
    assert {item["service_request_id"] for item in listed} == {
        filed.tracking_code,
        posted.tracking_code,
    }
    assert all(list(item) == REQUEST_FIELDS for item in listed)


def test_requests_are_read_in_a_fixed_number_of_queries(
    open311: Client,
    territory: Territory,
    file_report: FileReport,
) -> None:
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert open311.get(f"{BASE}/requests.json").status_code == 200
        return len(captured.captured_queries)

    file_report(photos=[upload("anh.jpg", jpeg_bytes())])
    with_one = queries_for_list()
    for _number in range(5):
        file_report(photos=[upload("anh.jpg", jpeg_bytes())], point=Point(108.81, 15.06, srid=4326))
    bulk_reports(territory, 50, newest=timezone.now())

    assert queries_for_list() == with_one
