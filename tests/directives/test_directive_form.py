"""The create-directive page (`/nhiem-vu/van-ban/moi/`): the leaders' office enters a directive
and its tasks; bad input is refused beside its field, in the user's language, and writes nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.test import Client

from directives.models import Directive, Task, TaskAction, TaskEvent
from tests.directives.conftest import People

pytestmark = pytest.mark.django_db

PAGE = "/nhiem-vu/van-ban/moi/"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _office_clerk() -> User:
    """A member of the leaders' office: may enter directives, nothing else."""
    clerk = User.objects.create_user(username="van-phong", password="unused-password")
    clerk.user_permissions.add(Permission.objects.get(codename="add_directive"))
    return clerk


def _task(index: int, **values: Any) -> dict[str, Any]:
    fields = {
        "lead_agency": "", "coordinating_agencies": [], "content": "", "field": "",
        "deadline": "", "deadline_working_days": "", "priority": "normal", "recurrence": "",
        "recurs_until": "", "area": "", "latitude": "", "longitude": "",
    }  # fmt: skip
    fields.update(values)
    return {f"tasks-{index}-{name}": value for name, value in fields.items()}


def _post(people: People, *tasks: dict[str, Any], **directive: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": "15/TB-UBND", "issued_on": "2026-02-12", "kind": "conclusion_notice",
        "signer": str(people.chairman.pk), "signer_name": "Chủ tịch UBND tỉnh",
        "subject": "Kết luận về chống ngập đô thị", "text": "",
        "tasks-TOTAL_FORMS": "3", "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0", "tasks-MAX_NUM_FORMS": "30",
    }  # fmt: skip
    data.update(directive)
    for index in range(3):
        data.update(tasks[index] if index < len(tasks) else _task(index))
    return data


def test_the_office_enters_a_directive_with_two_tasks_and_lands_on_its_page(
    people: People,
) -> None:
    response = _client(_office_clerk()).post(
        PAGE,
        _post(
            people,
            _task(0, lead_agency="so-van-hoa", coordinating_agencies=["ubnd-an-phu"],
                  content="Khơi thông cống thoát nước", field="Đô thị",
                  deadline_working_days="5", priority="urgent", latitude="15.12",
                  longitude="108.80"),
            _task(1, lead_agency="so-xay-dung", content="Báo cáo tình hình ngập hằng tháng",
                  deadline="2026-03-15", recurrence="monthly", recurs_until="2026-06-30"),
        ),
    )  # fmt: skip
    directive = Directive.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/nhiem-vu/van-ban/{directive.pk}/"
    assert (directive.number, directive.issued_on, directive.signer, directive.kind) == (
        "15/TB-UBND", datetime.date(2026, 2, 12), people.chairman, "conclusion_notice",
    )  # fmt: skip
    drains, reports = directive.tasks.order_by("id")
    # 5 working days from Thursday 12 February 2026 across Tết Bính Ngọ: Thursday 26 February.
    assert (drains.deadline, drains.deadline_working_days, drains.priority) == (
        datetime.date(2026, 2, 26), 5, "urgent",
    )  # fmt: skip
    assert drains.place is not None and (drains.place.x, drains.place.y) == (108.80, 15.12)
    assert list(drains.coordinating_agencies.values_list("code", flat=True)) == ["ubnd-an-phu"]
    assert (reports.deadline, reports.recurrence, reports.recurs_until, reports.lead_agency) == (
        datetime.date(2026, 3, 15), "monthly", datetime.date(2026, 6, 30), people.construction,
    )  # fmt: skip
    assert TaskEvent.objects.filter(action=TaskAction.ASSIGNED).count() == 2


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (
            _task(0, lead_agency="so-van-hoa", content="Khơi thông cống", deadline="2026-02-11"),
            "Hạn hoàn thành 11/02/2026 trước ngày ban hành văn bản 12/02/2026.",
        ),
        (
            _task(0, lead_agency="so-khong-co", content="Khơi thông cống", deadline="2026-03-01"),
            "Hãy chọn một lựa chọn hợp lệ. Lựa chọn đó không phải là một trong các lựa chọn khả thi.",
        ),
        (
            _task(0, lead_agency="so-van-hoa", content="Khơi thông cống"),
            "Nhập hạn hoàn thành là một ngày, hoặc là số ngày làm việc kể từ ngày văn bản.",
        ),
        (
            _task(0, lead_agency="so-van-hoa", content="Khơi thông cống", deadline="2026-03-01",
                  latitude="15.1"),
            "Nhập cả vĩ độ và kinh độ của vị trí, hoặc bỏ trống cả hai.",
        ),
        (_task(0), "Văn bản chỉ đạo phải giao ít nhất một nhiệm vụ."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    people: People, task: dict[str, Any], message: str
) -> None:
    response = _client(people.administrator).post(PAGE, _post(people, task))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Directive.objects.count(), Task.objects.count(), TaskEvent.objects.count()) == (0, 0, 0)


def test_the_refusal_is_in_english_for_an_english_reader(people: People) -> None:
    client = _client(people.administrator)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        PAGE,
        _post(people, _task(0, lead_agency="so-van-hoa", content="Drains", deadline="2026-02-11")),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Enter a directive" in body
    assert "The deadline 11/02/2026 is before the directive&#x27;s date 12/02/2026." in body
    assert Directive.objects.count() == 0


def test_only_the_leaders_office_and_administrators_may_open_the_page(people: People) -> None:
    assert _client(people.administrator).get(PAGE).status_code == 200
    assert _client(_office_clerk()).get(PAGE).status_code == 200
    assert _client(people.culture_officer).get(PAGE).status_code == 403
    assert _client(people.other_leader).get(PAGE).status_code == 403
    anonymous = Client().get(PAGE)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/tai-khoan/login/")
    refused = _client(people.culture_officer).post(
        PAGE, _post(people, _task(0, lead_agency="so-van-hoa", content="X", deadline="2026-03-01"))
    )
    assert refused.status_code == 403 and Directive.objects.count() == 0


def test_the_page_offers_the_leaders_as_signers_and_the_active_agencies(people: People) -> None:
    body = _client(people.administrator).get(PAGE).content.decode()
    assert f'<option value="{people.chairman.pk}">' in body
    assert f'<option value="{people.culture_officer.pk}">' not in body
    assert '<option value="so-van-hoa">Sở Văn hóa, Thể thao và Du lịch</option>' in body
    board = _client(people.administrator).get("/nhiem-vu/").content.decode()
    assert f'href="{PAGE}"' in board
    assert f'href="{PAGE}"' not in _client(people.other_leader).get("/nhiem-vu/").content.decode()
