"""The boards: the leader's board, an agency's queue, a directive's page, a task's page, XLSX."""

from __future__ import annotations

import datetime
import io

import pytest
from django.contrib.auth.models import User
from django.test import Client
from openpyxl import load_workbook

from directives import services
from directives.models import Task
from geoapp.exceptions import PermissionDenied
from tests.directives.conftest import People, make_directive, vietnam
from wards.models import AgencyMembership

pytestmark = pytest.mark.django_db


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_the_leader_sees_every_agency_on_the_board_overdue_first(people: People) -> None:
    late = make_directive(people, deadline=None, deadline_working_days=5).tasks.get()
    services.directive_create(
        number="9/TB-UBND", issued_on=late.directive.issued_on, kind="decision",
        signer_name="Chủ tịch", subject="Xây dựng",
        tasks=[services.TaskSpecification(lead_agency_code="so-xay-dung", content="Sửa cầu",
                                          deadline=datetime.date(2099, 1, 1))],
    )  # fmt: skip
    response = _client(people.other_leader).get("/nhiem-vu/")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.index("Chủ trì tổ chức lễ hội") < body.index("Sửa cầu")
    assert 'data-agency="so-van-hoa"' in body and 'data-agency="so-xay-dung"' in body
    assert "Quá hạn" in body


def test_an_agency_sees_only_its_own_tasks(people: People, task: Task) -> None:
    response = _client(people.construction_officer).get("/nhiem-vu/")
    assert response.status_code == 200
    assert "Chủ trì tổ chức lễ hội" not in response.content.decode()
    assert _client(people.construction_officer).get(f"/nhiem-vu/{task.pk}/").status_code == 404
    assert (
        _client(people.construction_officer).get("/nhiem-vu/don-vi/so-van-hoa/").status_code == 404
    )
    assert _client(people.culture_officer).get(f"/nhiem-vu/{task.pk}/").status_code == 200


def test_the_board_exports_its_list_as_xlsx(people: People, task: Task) -> None:
    response = _client(people.chairman).get("/nhiem-vu/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "Số văn bản"
    assert rows[1][0] == "21/TB-UBND" and rows[1][4] == "Sở Văn hóa, Thể thao và Du lịch"
    assert len(rows) == 2


def test_a_task_step_from_its_page(people: People, task: Task) -> None:
    client = _client(people.culture_officer)
    response = client.post(f"/nhiem-vu/{task.pk}/nhan/", {"accept-note": "Đã nhận"}, follow=True)
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.status == "accepted"
    page = client.get(f"/nhiem-vu/van-ban/{task.directive_id}/")
    assert page.status_code == 200


def test_the_admin_site_shows_tasks_read_only(people: People, task: Task) -> None:
    from django.contrib.auth.models import User

    superuser = User.objects.create_superuser("sieu-quan-tri", password="unused-password")
    client = _client(superuser)
    assert client.get(f"/admin/directives/task/{task.pk}/change/").status_code == 200
    assert client.get("/admin/directives/task/add/").status_code == 403
    response = client.post(f"/admin/directives/task/{task.pk}/change/", {"content": "Đổi"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.content == "Chủ trì tổ chức lễ hội, báo cáo Chủ tịch UBND tỉnh"


def test_a_directive_page_and_an_agency_queue_export_their_own_tasks(
    people: People, task: Task
) -> None:
    services.directive_create(
        number="9/TB-UBND", issued_on=datetime.date(2026, 2, 10), kind="decision",
        signer_name="Chủ tịch", subject="Xây dựng",
        tasks=[services.TaskSpecification(lead_agency_code="so-xay-dung", content="Sửa cầu",
                                          deadline=datetime.date(2026, 5, 1))],
    )  # fmt: skip
    client = _client(people.chairman)
    for path, expected in (
        (f"/nhiem-vu/van-ban/{task.directive_id}/?format=xlsx", ["21/TB-UBND"]),
        ("/nhiem-vu/don-vi/so-xay-dung/?format=xlsx", ["9/TB-UBND"]),
    ):
        response = client.get(path)
        assert response.status_code == 200
        rows = list(load_workbook(io.BytesIO(response.content)).active.values)
        assert [row[0] for row in rows[1:]] == expected


def test_a_refused_step_on_the_page_shows_the_reason_and_changes_nothing(
    people: People, task: Task
) -> None:
    client = _client(people.culture_officer)
    response = client.post(
        f"/nhiem-vu/{task.pk}/hoan-thanh/", {"complete-evidence": "Xong"}, follow=True
    )
    assert "Không thể hoàn thành nhiệm vụ khi đang ở trạng thái “Đã giao”." in (
        response.content.decode()
    )
    task.refresh_from_db()
    assert (task.status, task.events.count()) == ("assigned", 1)


def test_someone_with_no_agency_and_no_leader_right_is_refused(db: None) -> None:
    from django.contrib.auth.models import User

    nobody = User.objects.create_user("nguoi-ngoai", password="unused-password")
    response = _client(nobody).get("/nhiem-vu/")
    assert response.status_code == 403
    assert Client().get("/nhiem-vu/").status_code == 302


def test_a_coordinating_agency_sees_the_task_but_only_the_lead_agency_takes_its_steps(
    people: People, task: Task
) -> None:
    commune_officer = User.objects.create_user(username="can-bo-an-phu", password="unused")
    AgencyMembership.objects.create(user=commune_officer, agency=people.commune)
    board = _client(commune_officer).get("/nhiem-vu/")
    assert board.status_code == 200
    assert "Chủ trì tổ chức lễ hội" in board.content.decode()
    assert _client(commune_officer).get(f"/nhiem-vu/{task.pk}/").status_code == 200
    before = list(task.events.values_list("action", flat=True))
    with pytest.raises(PermissionDenied) as refusal:
        services.task_accept(actor=commune_officer, task=task, at=vietnam(2026, 2, 11))
    assert refusal.value.message == (
        "Chỉ đơn vị chủ trì “Sở Văn hóa, Thể thao và Du lịch” mới được nhận nhiệm vụ này."
    )
    task.refresh_from_db()
    assert task.status == "assigned"
    assert list(task.events.values_list("action", flat=True)) == before
