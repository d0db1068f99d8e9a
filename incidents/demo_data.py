"""Demo citizen feedback for `make run`: staff accounts and 300 reports in every state.

What it makes (README, "Demo accounts and reports"):

- staff accounts, all with the password `DEMO_PASSWORD`: an officer for each of the six units of
  the former city (who is also a member of the committees that unit succeeded, so that one account
  works through the former wards' records), officers of the urban environment company, the
  police, the Department of Construction and the water company, a leader, an administrator and
  a planner (the spatial report builder);
- `REPORT_COUNT` reports, most of them in the former city, on dates from January 2025 to the day
  of the load: `PRE_REFORM_REPORT_COUNT` before 1 July 2025 (routed by the core to the communes
  and committees of before the reform), in every status (`FINAL_STATUS_COUNTS`), some transferred,
  reopened, answered, marked duplicate, rejected, supported and rated; the open reports are either
  recent or `OVERDUE_OPEN_REPORT_COUNT` of them long overdue (the plan: `incidents/demo_history.py`).

How: every report is filed with `incident_create` and moved through the real workflow services,
in the order its history happened (`_replay`), each step at its planned moment (the services'
`at`): the timeline, the deadlines recomputed at a transfer or a reopening and the on-time figures
are those of the planned history, not of the minute of the load. The notification hooks plan
nothing during the replay (`notifications.history_recorded_silently`): history is not news, and
nobody should receive 300 messages about reports closed last year.

Deterministic: one seeded random generator; the same territory gives the same reports, counts per
status and overdue reports (dates are placed relative to the day of the load). Idempotent: when
demo reports exist (filed by `DEMO_CLIENT_IDENTITY`), nothing is changed.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from geoapp.selectors import working_calendar
from incidents import notifications, services
from incidents.demo_history import (
    CATEGORY_WEIGHTS,
    FINAL_STATUS_COUNTS,
    STAFF_ACTIONS,
    HistoryPlanner,
    PlannedReport,
    PlannedStep,
)
from incidents.demo_places import DemoTerritory
from incidents.models import (
    Category,
    Incident,
    IncidentEvent,
    IncidentStatus,
    IncidentSupporter,
)
from incidents.services import steps
from wards.demo_territory import DEMO_EMAIL_DOMAIN
from wards.models import (
    Agency,
    AgencyKind,
    AgencyMembership,
    AgencyRole,
    Area,
)

Status = IncidentStatus

DEMO_PASSWORD = "geoapp-demo"
# Every demo report is filed by this client: its fingerprint tells demo reports from real ones.
DEMO_CLIENT_IDENTITY = "geoapp-demo-data"
DEMO_SEED = 20250701
LEADERS_GROUP = "Lãnh đạo"
ADMINISTRATORS_GROUP = "Quản trị viên"
# The planners' group is made by spatial_reports' migration 0002 (all migrations run before a
# demo loads); incidents names it only to put the demo planner in it.
PLANNERS_GROUP = "Chuyên viên quy hoạch"


@dataclass(frozen=True)
class DemoAccount:
    """A demo staff account: an officer of `agency_code` (and, with `with_predecessors`, of the
    committees whose areas passed to that unit's area), or a leader or administrator."""

    username: str
    first_name: str
    last_name: str
    agency_code: str = ""
    with_predecessors: bool = False
    group: str = ""
    is_staff: bool = False


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("can-bo-cam-thanh", "Thu Hà", "Nguyễn Thị", "ubnd-21025-2025", True),
    DemoAccount("can-bo-cam-thanh-2", "Minh Đức", "Trần", "ubnd-21025-2025", True),
    DemoAccount("can-bo-nghia-lo", "Văn Hùng", "Lê", "ubnd-21028-2025", True),
    DemoAccount("can-bo-truong-quang-trong", "Thị Lan", "Phạm", "ubnd-21172-2025", True),
    DemoAccount("can-bo-an-phu", "Văn Tâm", "Võ", "ubnd-21034-2025", True),
    DemoAccount("can-bo-tinh-khe", "Thị Mai", "Huỳnh", "ubnd-21211-2025", True),
    DemoAccount("can-bo-dong-son", "Văn Phúc", "Đặng", "ubnd-21109-2025", True),
    DemoAccount(
        "can-bo-moi-truong-do-thi", "Thị Hồng", "Bùi", "cong-ty-moi-truong-do-thi-quang-ngai"
    ),
    DemoAccount(
        "can-bo-moi-truong-do-thi-2", "Văn Sơn", "Ngô", "cong-ty-moi-truong-do-thi-quang-ngai"
    ),
    DemoAccount("can-bo-cong-an", "Quốc Việt", "Đỗ", "cong-an-tinh-quang-ngai"),
    DemoAccount("can-bo-so-xay-dung", "Văn Long", "Trương", "so-xay-dung"),
    DemoAccount("can-bo-cap-thoat-nuoc", "Thị Ngọc", "Phan", "cong-ty-cap-thoat-nuoc-quang-ngai"),
    DemoAccount("lanh-dao", "Văn Thành", "Nguyễn", group=LEADERS_GROUP),
    DemoAccount("quan-tri", "Thị Kim Oanh", "Lê", group=ADMINISTRATORS_GROUP, is_staff=True),
    DemoAccount("quy-hoach", "Minh Khoa", "Trần", group=PLANNERS_GROUP),
)
ADMINISTRATOR_USERNAME = "quan-tri"


@dataclass(frozen=True)
class DemoReportsLoad:
    """What one run loaded; nothing at all when demo reports were already there."""

    reports_created: int = 0
    events_created: int = 0
    supporters_created: int = 0
    accounts_created: int = 0
    status_counts: dict[str, int] = field(default_factory=dict)

    @property
    def nothing_loaded(self) -> bool:
        return self.reports_created == 0

    def summary(self) -> str:
        """One line for the administrator; `make run` shows the lines that start with "Loaded"."""
        statuses = ", ".join(
            f"{count} {status}" for status, count in self.status_counts.items() if count
        )
        return (
            f"Loaded demo reports: {self.reports_created} reports ({statuses}), "
            f"{self.events_created} events, {self.supporters_created} supporters, "
            f"{self.accounts_created} demo staff accounts (password in README)"
        )


def demo_reports_exist() -> bool:
    return Incident.objects.filter(client_fingerprint=_demo_fingerprint()).exists()


def _demo_fingerprint() -> str:
    # The fingerprint incident_create stores for a client identity.
    return steps.identity_fingerprint(DEMO_CLIENT_IDENTITY)


@transaction.atomic
def demo_reports_load() -> DemoReportsLoad:
    """Create the demo accounts and reports in one transaction, unless demo reports exist.

    Needs the demo territory (`wards_load_demo`) and the categories (`incidents_load_categories`);
    without them it raises InvalidInput and writes nothing. Refused, also with InvalidInput,
    unless the settings allow demo data (development and tests, never production): the demo
    accounts have a published password.
    """
    if not settings.DEMO_DATA_ALLOWED:
        raise InvalidInput(
            _(
                "Dữ liệu mẫu chỉ được nạp với cấu hình phát triển (geoapp.settings.development), "
                "không bao giờ vào cơ sở dữ liệu vận hành."
            ),
            code="demo_data_not_allowed",
        )
    # Two loads started together would both find no demo report; the second waits here for the
    # first to commit, then finds its reports and does nothing.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('geoapp: incidents demo data'))")
    if demo_reports_exist():
        return DemoReportsLoad()
    _require_categories()
    territory = DemoTerritory.load()
    accounts_created, staff = _accounts_create()
    calendar = working_calendar()
    latest = timezone.now() - timedelta(minutes=5)
    plan = HistoryPlanner(
        rng=random.Random(DEMO_SEED), calendar=calendar, territory=territory, latest=latest
    ).plan()
    _replay(plan, staff=staff)

    demo = Incident.objects.filter(client_fingerprint=_demo_fingerprint())
    counts = {status: demo.filter(status=status).count() for status in FINAL_STATUS_COUNTS}
    return DemoReportsLoad(
        reports_created=demo.count(),
        events_created=IncidentEvent.objects.filter(incident__in=demo).count(),
        supporters_created=IncidentSupporter.objects.filter(incident__in=demo).count(),
        accounts_created=accounts_created,
        status_counts=counts,
    )


def _require_categories() -> None:
    present = set(
        Category.objects.filter(code__in=CATEGORY_WEIGHTS, is_active=True).values_list(
            "code", flat=True
        )
    )
    missing = sorted(set(CATEGORY_WEIGHTS) - present)
    if missing:
        raise InvalidInput(
            _(
                "Chưa có các lĩnh vực phản ánh %(codes)s; hãy chạy manage.py "
                "incidents_load_categories trước."
            )
            % {"codes": ", ".join(missing)},
            code="demo_categories_missing",
        )


# --- the accounts -------------------------------------------------------------------------------


def _accounts_create() -> tuple[int, dict[str, User]]:
    """Create the missing demo accounts and memberships; existing accounts keep their password.

    The password is hashed once for all accounts: hashing costs about half a second, and a salt
    shared by accounts whose password is published anyway protects nothing less.
    """
    user_model = get_user_model()
    password_hash = make_password(DEMO_PASSWORD)
    agencies = {
        agency.code: agency
        for agency in Agency.objects.filter(
            code__in={account.agency_code for account in DEMO_ACCOUNTS if account.agency_code}
        )
    }
    created = 0
    staff: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        user = user_model.objects.filter(username=account.username).first()
        if user is None:
            user = user_model.objects.create(
                username=account.username,
                first_name=account.first_name,
                last_name=account.last_name,
                email=f"{account.username}@{DEMO_EMAIL_DOMAIN}",
                is_staff=account.is_staff,
                password=password_hash,
            )
            created += 1
        if account.group:
            user.groups.add(Group.objects.get(name=account.group))
        if account.agency_code:
            agency = agencies.get(account.agency_code)
            if agency is None:
                raise InvalidInput(
                    _("Chưa nạp địa bàn mẫu; hãy chạy manage.py wards_load_demo trước."),
                    code="demo_territory_missing",
                )
            units = [agency]
            if account.with_predecessors:
                units += _predecessor_committees(agency)
            for unit in units:
                AgencyMembership.objects.get_or_create(
                    user=user, agency=unit, defaults={"role": AgencyRole.OFFICER}
                )
        staff[account.username] = user
    return created, staff


def _predecessor_committees(agency: Agency) -> list[Agency]:
    """The People's Committees of every area that passed, directly or not, to `agency`'s areas."""
    frontier = list(agency.jurisdiction.all())
    predecessors: list[Area] = []
    while frontier:
        frontier = list(Area.objects.filter(successions__successor__in=frontier).distinct())
        frontier = [area for area in frontier if area not in predecessors]
        predecessors += frontier
    return list(
        Agency.objects.filter(
            kind=AgencyKind.PEOPLES_COMMITTEE, jurisdiction__in=predecessors
        ).order_by("code")
    )


# --- the replay ---------------------------------------------------------------------------------


def _replay(plan: list[PlannedReport], *, staff: dict[str, User]) -> None:
    """Perform every planned step, of all reports, in the order of their moments."""
    administrator = staff[ADMINISTRATOR_USERNAME]
    agencies_of_user: dict[int, list[int]] = defaultdict(list)
    for user_id, agency_id in (
        AgencyMembership.objects.filter(user__in=[user.pk for user in staff.values()])
        .order_by("agency_id")
        .values_list("user_id", "agency_id")
    ):
        agencies_of_user[user_id].append(agency_id)
    # Each unit's demo officers in the order of DEMO_ACCOUNTS: the first acts, the second is
    # given the work when there is one.
    members_by_agency: dict[int, list[User]] = defaultdict(list)
    for account in DEMO_ACCOUNTS:
        user = staff[account.username]
        for agency_id in agencies_of_user[user.pk]:
            members_by_agency[agency_id].append(user)

    incidents: dict[int, Incident] = {}
    tokens: dict[int, str] = {}

    def actor_for(incident: Incident) -> User:
        # The unit's first demo officer; the administrator for units without a demo account.
        members = members_by_agency.get(incident.agency_id)
        return members[0] if members else administrator

    def perform(report: PlannedReport, step: PlannedStep) -> None:
        arguments = dict(step.arguments)
        if step.action == "create":
            creation = services.incident_create(
                **arguments,
                at=step.moment,
                client_identity=DEMO_CLIENT_IDENTITY,
                idempotency_key=f"demo-{report.number:04d}",
            )
            incidents[report.number], tokens[report.number] = (
                creation.incident,
                creation.reporter_token,
            )
            return
        incident = incidents[report.number]
        token = tokens[report.number]
        if step.action in STAFF_ACTIONS:
            actor = actor_for(incident)
            if step.action == "assign":
                members = members_by_agency.get(incident.agency_id, [])
                if not members:
                    return  # the administrator works the queue, nobody to assign it to
                assignee = members[1] if len(members) > 1 else members[0]
                if incident.assigned_to_id == assignee.pk:
                    return
                arguments["assignee"] = assignee
            if step.action == "mark_duplicate":
                arguments["original"] = incidents[arguments["original"]]
            incidents[report.number] = _STAFF_SERVICES[step.action](
                actor=actor, incident=incident, at=step.moment, **arguments
            )
        elif step.action == "support":
            incidents[report.number] = services.incident_support(
                incident=incident, supporter_identity=arguments["identity"], at=step.moment
            )
        else:
            incidents[report.number] = _REPORTER_SERVICES[step.action](
                incident=incident, reporter_token=token, at=step.moment, **arguments
            )

    steps = sorted(
        (
            (step.moment, report.number, position, report, step)
            for report in plan
            for position, step in enumerate(report.steps)
        ),
        key=lambda entry: entry[:3],
    )
    with notifications.history_recorded_silently():
        for _moment, _number, _position, report, step in steps:
            perform(report, step)


_STAFF_SERVICES: dict[str, Callable[..., Incident]] = {
    "acknowledge": services.incident_acknowledge,
    "assign": services.incident_assign,
    "start": services.incident_start,
    "request_information": services.incident_request_information,
    "transfer": services.incident_transfer,
    "answer": services.incident_answer,
    "resolve": services.incident_resolve,
    "close": services.incident_close,
    "reject": services.incident_reject,
    "mark_duplicate": services.incident_mark_duplicate,
}
_REPORTER_SERVICES: dict[str, Callable[..., Incident]] = {
    "provide_information": services.incident_provide_information,
    "reopen": services.incident_reopen,
    "rate": services.incident_rate,
}
