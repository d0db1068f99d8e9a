"""The state machine of a report: which action may start from which status, what it is called, who
may take it, and which of them the officer's page offers now.

One table, read by everyone: the services refuse an action the table does not allow (on the locked
row, `require_status`), the staff pages and API show only the buttons it allows (`allowed_actions`),
and the documentation (docs/incidents.md) describes it. To add or change a step, change it here
and in the service that performs it (`incidents/services/`).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geoapp.exceptions import Conflict
from incidents import permissions
from incidents.models import OPEN_STATUSES, Incident, IncidentStatus

Status = IncidentStatus

# Statuses in which the unit still works on the report.
WORKABLE = frozenset(
    {Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.INFORMATION_REQUESTED}
)

# From which statuses each action may start.
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({Status.NEW}),
    "assign": OPEN_STATUSES,
    "start": frozenset({Status.ACKNOWLEDGED}),
    "request_information": frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS}),
    "provide_information": frozenset({Status.INFORMATION_REQUESTED}),
    "transfer": WORKABLE,
    "answer": frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.INFORMATION_REQUESTED}),
    "resolve": frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ANSWERED}),
    "close": frozenset({Status.RESOLVED}),
    "reject": WORKABLE,
    "mark_duplicate": WORKABLE,
    "reopen": frozenset({Status.RESOLVED, Status.CLOSED}),
    "support": OPEN_STATUSES,
    "rate": frozenset({Status.RESOLVED, Status.CLOSED}),
    "set_priority": OPEN_STATUSES,
}

# The verb of each action, as it reads in "Không thể <verb> phản ánh …".
ACTION_LABELS = {
    "acknowledge": gettext_lazy("tiếp nhận"),
    "assign": gettext_lazy("giao xử lý"),
    "start": gettext_lazy("bắt đầu xử lý"),
    "request_information": gettext_lazy("đề nghị bổ sung thông tin cho"),
    "provide_information": gettext_lazy("bổ sung thông tin cho"),
    "transfer": gettext_lazy("chuyển"),
    "answer": gettext_lazy("trả lời"),
    "resolve": gettext_lazy("giải quyết xong"),
    "close": gettext_lazy("đóng"),
    "reject": gettext_lazy("từ chối"),
    "mark_duplicate": gettext_lazy("đánh dấu trùng"),
    "reopen": gettext_lazy("mở lại"),
    "support": gettext_lazy("ủng hộ"),
    "rate": gettext_lazy("đánh giá"),
    "set_priority": gettext_lazy("đổi mức độ của"),
}

# Who takes each action: the report's unit (or an administrator), the reporter (with the secret
# of their private link), or anyone.
UNIT_ACTIONS = frozenset(
    {
        "acknowledge",
        "assign",
        "start",
        "request_information",
        "transfer",
        "answer",
        "resolve",
        "close",
        "reject",
        "mark_duplicate",
        "set_priority",
    }
)
REPORTER_ACTIONS = frozenset({"provide_information", "reopen", "rate"})
PUBLIC_ACTIONS = frozenset({"support"})

# The workflow actions an officer starts from the report page, in the order the page shows them.
OFFICER_PAGE_ACTIONS = (
    "acknowledge",
    "assign",
    "start",
    "request_information",
    "answer",
    "resolve",
    "transfer",
    "mark_duplicate",
    "reject",
    "close",
    "set_priority",
)
# Actions that do not depend on the status: notes and moderation. Each hide has its reverse,
# offered only while the thing is hidden, to the same people (`permissions.can_act`).
ANYTIME_ACTIONS = (
    "add_note",
    "hide",
    "hide_text",
    "hide_photo",
    "unhide",
    "unhide_text",
    "unhide_photo",
)


def is_allowed(incident: Incident, action: str) -> bool:
    """Whether the state machine lets `action` start from the report's current status."""
    return incident.status in ALLOWED_FROM[action]


def require_status(incident: Incident, action: str) -> None:
    """Refuse `action` unless the report's status allows it (called on the locked row)."""
    if not is_allowed(incident, action):
        raise Conflict(
            _("Không thể %(action)s phản ánh %(code)s khi đang ở trạng thái “%(status)s”.")
            % {
                "action": ACTION_LABELS[action],
                "code": incident.tracking_code,
                "status": incident.get_status_display(),
            },
            code="invalid_transition",
        )


def allowed_actions(*, user: User, incident: Incident) -> tuple[str, ...]:
    """The actions `user` may start on `incident` now: the actor's right to act on the report
    (`permissions.can_act`) and the state machine.

    The services check the same rules again on the locked row when the action is posted; this
    list only decides which buttons a page shows.
    """
    if not permissions.can_act(user, incident):
        return ()
    actions = [action for action in OFFICER_PAGE_ACTIONS if is_allowed(incident, action)]
    actions.append("add_note")
    if incident.is_public:
        actions.append("hide")
    if not incident.description_hidden:
        actions.append("hide_text")
    photos = list(incident.photos.all())
    if any(not photo.is_hidden for photo in photos):
        actions.append("hide_photo")
    if not incident.is_public:
        actions.append("unhide")
    if incident.description_hidden:
        actions.append("unhide_text")
    if any(photo.is_hidden for photo in photos):
        actions.append("unhide_photo")
    return tuple(actions)
