"""The demo of `make run`: conclusion notices and decisions of the province's leaders, 2024–2026.

Twelve directives with five tasks each (60 tasks; the latest two dated relative to the day of
loading) across the province's departments, utilities and
communes, replayed through the services with the moments they happened at, so the history, the
events and the standings are those the workflow produces: done on time, done late, overdue,
extended (then done), cancelled, and open ones in every status with deadlines ahead. Deadlines are
counted in working days on the calendar, so those around Tết fall after the holiday.

Three of the tasks are periodic reports (`RECURRING`): a quarterly report on the reform of the
communes, a quarterly one on digital reception of dossiers, and a monthly one on the environment
after Tết Bính Ngọ, each with its end. Their occurrences are created as the hourly task creates
them (`directives/recurrence.py`), each on the day after the previous report was due, and those
already due are replayed like the other tasks (most on time, one late, one overdue).

Idempotent: when the demo's directives exist (external ids `demo-…`), nothing is loaded. The
steps are taken by a service account of the administrators' group, which has no usable password.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

from directives import recurrence, services
from directives.deadlines import working_day_after
from directives.models import Directive, DirectiveKind, Task
from directives.services import TaskSpecification
from geoapp.clock import VIETNAM_TIME_ZONE, vietnam_now, vietnam_today
from geoapp.selectors import working_calendar
from wards.selectors import agencies_by_code

DEMO_PREFIX = "demo-"
DEMO_ACTOR_USERNAME = "dieu-phoi-nhiem-vu"
ADMINISTRATORS_GROUP = "Quản trị viên"

DEPARTMENTS = (
    "so-xay-dung",
    "so-nong-nghiep-va-moi-truong",
    "cong-an-tinh-quang-ngai",
    "cong-ty-moi-truong-do-thi-quang-ngai",
    "cong-ty-cap-thoat-nuoc-quang-ngai",
    "cong-ty-dien-luc-quang-ngai",
    "trung-tam-phuc-vu-hanh-chinh-cong",
)
COMMUNES_AFTER_REFORM = (
    "ubnd-21025-2025",
    "ubnd-21028-2025",
    "ubnd-21172-2025",
    "ubnd-21034-2025",
    "ubnd-21211-2025",
    "ubnd-21109-2025",
)
CITY_BEFORE_REFORM = "ubnd-522-2014"


@dataclass(frozen=True)
class DemoDirective:
    number: str
    issued_on: datetime.date
    kind: str
    subject: str
    field: str
    # The latest directives are dated relative to the day the demo is loaded, so the board
    # always has open tasks with deadlines ahead.
    days_before_today: int | None = None

    def issued(self, today: datetime.date) -> datetime.date:
        if self.days_before_today is None:
            return self.issued_on
        return today - datetime.timedelta(days=self.days_before_today)


DEMO_DIRECTIVES = (
    DemoDirective("12/TB-UBND", datetime.date(2024, 1, 15), DirectiveKind.CONCLUSION_NOTICE,
                  "Kết luận của Chủ tịch UBND tỉnh về chỉnh trang đô thị dịp Tết Giáp Thìn", "Đô thị"),
    DemoDirective("58/TB-UBND", datetime.date(2024, 4, 2), DirectiveKind.CONCLUSION_NOTICE,
                  "Kết luận về phòng, chống hạn hán và xâm nhập mặn mùa khô 2024", "Nông nghiệp"),
    DemoDirective("1025/QĐ-UBND", datetime.date(2024, 7, 10), DirectiveKind.DECISION,
                  "Kế hoạch xử lý các điểm ngập úng trên địa bàn thành phố", "Hạ tầng"),
    DemoDirective("3310/UBND-KT", datetime.date(2024, 10, 21), DirectiveKind.OFFICIAL_LETTER,
                  "Khắc phục hậu quả mưa lũ tháng 10/2024", "Phòng chống thiên tai"),
    DemoDirective("07/TB-UBND", datetime.date(2025, 1, 20), DirectiveKind.CONCLUSION_NOTICE,
                  "Kết luận về bảo đảm trật tự an toàn giao thông dịp Tết Ất Tỵ", "Giao thông"),
    DemoDirective("95/TB-UBND", datetime.date(2025, 5, 12), DirectiveKind.CONCLUSION_NOTICE,
                  "Kết luận về chuẩn bị sắp xếp đơn vị hành chính cấp xã", "Cải cách hành chính"),
    DemoDirective("1502/QĐ-UBND", datetime.date(2025, 8, 4), DirectiveKind.DECISION,
                  "Kế hoạch chuyển đổi số trong tiếp nhận hồ sơ tại các xã, phường mới", "Chuyển đổi số"),
    DemoDirective("4120/UBND-NC", datetime.date(2025, 11, 3), DirectiveKind.OFFICIAL_LETTER,
                  "Triển khai phòng chống bão số 13 và mưa lớn", "Phòng chống thiên tai"),
    DemoDirective("21/TB-UBND", datetime.date(2026, 2, 11), DirectiveKind.CONCLUSION_NOTICE,
                  "Kết luận về vệ sinh môi trường và cấp nước dịp Tết Bính Ngọ", "Môi trường"),
    DemoDirective("88/TB-UBND", datetime.date(2026, 9, 28), DirectiveKind.CONCLUSION_NOTICE,
                  "Kết luận về chỉnh trang đô thị và chiếu sáng cuối năm 2026", "Đô thị"),
    DemoDirective("102/TB-UBND", datetime.date(2026, 11, 1), DirectiveKind.CONCLUSION_NOTICE,
                  "Kết luận về nạo vét kênh mương, chống ngập mùa mưa", "Hạ tầng", 24),
    DemoDirective("4477/UBND-KT", datetime.date(2026, 11, 20), DirectiveKind.OFFICIAL_LETTER,
                  "Chuẩn bị cấp nước, điện và vệ sinh môi trường dịp Tết", "Môi trường", 6),
)  # fmt: skip

TASK_CONTENTS = (
    "Chủ trì, phối hợp với các xã, phường rà soát và báo cáo kết quả thực hiện",
    "Kiểm tra hiện trường, đề xuất phương án xử lý và kinh phí",
    "Tổ chức thực hiện dứt điểm, báo cáo Chủ tịch UBND tỉnh",
    "Tuyên truyền, vận động người dân và báo cáo định kỳ",
    "Tổng hợp kết quả, tham mưu văn bản chỉ đạo tiếp theo",
)
# Working days from the directive to each of its five tasks' deadlines.
DEADLINE_WORKING_DAYS = (10, 15, 20, 30, 45)
# What happens to each task whose deadline is past (cycled): on time, late, overdue, extended
# then done, cancelled, on time.
PAST_OUTCOMES = ("on_time", "late", "overdue", "extended", "on_time", "cancelled", "late")
FUTURE_OUTCOMES = ("assigned", "accepted", "in_progress", "in_progress", "extension_pending")
# The periodic reports: (directive's position in DEMO_DIRECTIVES, task's position) → the
# recurrence and its last day. The fourth task of each directive is "… báo cáo định kỳ".
RECURRING: dict[tuple[int, int], tuple[str, datetime.date]] = {
    (5, 3): ("quarterly", datetime.date(2025, 12, 31)),
    (6, 3): ("quarterly", datetime.date(2026, 9, 30)),
    (8, 3): ("monthly", datetime.date(2026, 6, 30)),
}
# What happens to each occurrence already due (cycled).
OCCURRENCE_OUTCOMES = ("on_time", "on_time", "late", "on_time", "overdue")


def demo_directives_exist() -> bool:
    return Directive.objects.filter(external_id__startswith=DEMO_PREFIX).exists()


def _demo_actor() -> User:
    actor, created = User.objects.get_or_create(
        username=DEMO_ACTOR_USERNAME,
        defaults={"first_name": "Điều phối", "last_name": "Văn phòng UBND tỉnh"},
    )
    if created:
        actor.set_unusable_password()
        actor.save(update_fields=["password"])
    group, _created = Group.objects.get_or_create(name=ADMINISTRATORS_GROUP)
    # The group and its permissions come from migration 0002; a database emptied since (a flush)
    # has neither, and the steps below need them.
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="directives",
            codename__in=["view_all_tasks", "manage_all_tasks"],
        )
    )
    actor.groups.add(group)
    return actor


def _moment(day: datetime.date, hour: int = 9) -> datetime.datetime:
    # Never in the future: a step replayed "today" happens no later than now.
    return min(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=VIETNAM_TIME_ZONE),
        vietnam_now(),
    )


def _agency_codes(issued_on: datetime.date, index: int) -> tuple[str, tuple[str, ...]]:
    """The lead and coordinating agencies of task `index`: departments and the communes of the
    day (the city before the 2025 reform, the new wards and communes after)."""
    communes = (
        (CITY_BEFORE_REFORM,) if issued_on < datetime.date(2025, 7, 1) else COMMUNES_AFTER_REFORM
    )
    if index % 2 == 0:
        return DEPARTMENTS[index % len(DEPARTMENTS)], (communes[index % len(communes)],)
    return communes[index % len(communes)], (DEPARTMENTS[(index + 3) % len(DEPARTMENTS)],)


@transaction.atomic
def directives_demo_load(*, today: datetime.date | None = None) -> int:
    """Load the demo directives and replay their tasks' histories; the number of tasks loaded
    (zero when the demo is already there)."""
    if demo_directives_exist():
        return 0
    today = today or vietnam_today()
    actor = _demo_actor()
    signer = User.objects.filter(username="lanh-dao").first()
    known = agencies_by_code(codes=[*DEPARTMENTS, *COMMUNES_AFTER_REFORM, CITY_BEFORE_REFORM])
    loaded = 0
    past_index = 0
    future_index = 0
    for number, demo in enumerate(DEMO_DIRECTIVES):
        issued_on = demo.issued(today)
        specifications = []
        for index, days in enumerate(DEADLINE_WORKING_DAYS):
            lead, coordinating = _agency_codes(issued_on, number * 5 + index)
            specifications.append(
                TaskSpecification(
                    external_id=f"{DEMO_PREFIX}{number + 1:02d}-{index + 1}",
                    lead_agency_code=lead,
                    coordinating_agency_codes=tuple(code for code in coordinating if code in known),
                    content=TASK_CONTENTS[index],
                    field=demo.field,
                    deadline_working_days=days,
                    priority=("normal", "high", "urgent")[index % 3],
                    recurrence=RECURRING.get((number, index), ("", None))[0],
                    recurs_until=RECURRING.get((number, index), ("", None))[1],
                )
            )
        directive = services.directive_create(
            external_id=f"{DEMO_PREFIX}{number + 1:02d}", number=demo.number,
            issued_on=issued_on, kind=demo.kind,
            signer_name="Chủ tịch UBND tỉnh Quảng Ngãi", signer=signer, subject=demo.subject,
            tasks=specifications, actor=actor, at=_moment(issued_on, 8),
        )  # fmt: skip
        for task in directive.tasks.order_by("id"):
            if task.deadline < today:
                outcome = PAST_OUTCOMES[past_index % len(PAST_OUTCOMES)]
                if task.recurrence and outcome == "cancelled":
                    # Cancelling a series' first task ends it: the report is sent instead.
                    outcome = "on_time"
                _replay_past(task, outcome, actor, today)
                past_index += 1
            else:
                _replay_future(
                    task, FUTURE_OUTCOMES[future_index % len(FUTURE_OUTCOMES)], actor, today
                )
                future_index += 1
            loaded += 1
    return loaded + _occurrences_replay(actor, today)


def _occurrences_replay(actor: User, today: datetime.date) -> int:
    """Create the demo series' occurrences as the hourly task would have, each on the day after
    the previous report was due, and replay those already due; the number created."""
    working = working_calendar()
    created = 0
    outcome_index = 0
    series = Task.objects.filter(external_id__startswith=DEMO_PREFIX, series__isnull=True).exclude(
        recurrence=""
    )
    for first in series.order_by("id"):
        previous = first
        while previous.deadline < today:
            day = previous.original_deadline + datetime.timedelta(days=1)
            new_ids = recurrence.series_occurrences_create(
                series_id=first.pk, today=day, working=working, at=_moment(day, 7)
            )
            if not new_ids:
                break
            previous = Task.objects.select_related("directive").get(pk=new_ids[-1])
            created += len(new_ids)
            if previous.deadline < today:
                outcome = OCCURRENCE_OUTCOMES[outcome_index % len(OCCURRENCE_OUTCOMES)]
                outcome_index += 1
                _replay_occurrence(previous, outcome, actor, day, today)
    return created


def _replay_occurrence(
    task: Task, outcome: str, actor: User, created_on: datetime.date, today: datetime.date
) -> None:
    services.task_accept(actor=actor, task=task, at=_moment(created_on, 9))
    if outcome == "overdue":
        return
    finished = task.deadline - datetime.timedelta(days=1)
    if outcome == "late":
        finished = min(task.deadline + datetime.timedelta(days=4), today)
    services.task_complete(
        actor=actor, task=task, evidence="Đã gửi báo cáo định kỳ.",
        at=_moment(max(finished, created_on), 16),
    )  # fmt: skip


def _replay_past(task: Task, outcome: str, actor: User, today: datetime.date) -> None:
    issued = task.directive.issued_on
    accepted_on = min(issued + datetime.timedelta(days=1), today)
    services.task_accept(actor=actor, task=task, at=_moment(accepted_on, 8))
    if outcome == "cancelled":
        services.task_cancel(
            actor=actor, task=task, reason="Nhiệm vụ được lồng ghép vào kế hoạch chung.",
            at=_moment(accepted_on, 10),
        )  # fmt: skip
        return
    middle = issued + (task.deadline - issued) / 2
    services.task_report_progress(
        actor=actor, task=task, text="Đã khảo sát, đang triển khai.", percent=50,
        at=_moment(middle, 15),
    )  # fmt: skip
    if outcome == "overdue":
        return
    if outcome == "extended":
        requested = task.deadline + datetime.timedelta(days=21)
        services.task_request_extension(
            actor=actor, task=task, requested_deadline=requested,
            reason="Chờ bố trí kinh phí và thời tiết mưa kéo dài.",
            at=_moment(task.deadline - datetime.timedelta(days=2), 9),
        )  # fmt: skip
        services.task_decide_extension(
            actor=actor, task=task, grant=True, note="Đồng ý gia hạn.",
            at=_moment(task.deadline - datetime.timedelta(days=1), 9),
        )  # fmt: skip
        task.refresh_from_db()
        finished = min(task.deadline - datetime.timedelta(days=3), today)
    elif outcome == "late":
        finished = min(task.deadline + datetime.timedelta(days=9), today)
    else:
        finished = task.deadline - datetime.timedelta(days=2)
    services.task_complete(
        actor=actor, task=task, evidence="Đã hoàn thành, có báo cáo kết quả kèm theo.",
        at=_moment(max(finished, middle), 16),
    )  # fmt: skip


def _replay_future(task: Task, outcome: str, actor: User, today: datetime.date) -> None:
    if outcome == "assigned":
        return
    services.task_accept(
        actor=actor,
        task=task,
        at=_moment(min(task.directive.issued_on + datetime.timedelta(days=1), today), 8),
    )
    if outcome == "accepted":
        return
    services.task_report_progress(
        actor=actor, task=task, text="Đang triển khai theo kế hoạch.", percent=40,
        at=_moment(today, 7),
    )  # fmt: skip
    if outcome == "extension_pending":
        services.task_request_extension(
            actor=actor, task=task, requested_deadline=working_day_after(working_calendar(), task.deadline, 10),
            reason="Khối lượng phát sinh, đề nghị gia hạn.", at=_moment(today, 8),
        )  # fmt: skip
