"""The state machine of a task: which step may start from which status, and who takes it.

Read by the services (on the locked row), by the task page (which buttons to show) and by
docs/directives.md. To change a step, change it here and in `directives/services.py`.
"""

from __future__ import annotations

from typing import Final

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from directives import permissions
from directives.models import OPEN_STATUSES, Task, TaskStatus
from geoapp.exceptions import Conflict, PermissionDenied

Status = TaskStatus

ALLOWED_FROM: Final[dict[str, frozenset[str]]] = {
    "accept": frozenset({Status.ASSIGNED}),
    "report_progress": frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
    "request_extension": OPEN_STATUSES,
    "decide_extension": OPEN_STATUSES,
    "complete": frozenset({Status.ACCEPTED, Status.IN_PROGRESS}),
    "cancel": OPEN_STATUSES,
}

ACTION_LABELS: Final = {
    "accept": gettext_lazy("nhận"),
    "report_progress": gettext_lazy("báo cáo tiến độ"),
    "request_extension": gettext_lazy("đề nghị gia hạn"),
    "decide_extension": gettext_lazy("quyết định gia hạn"),
    "complete": gettext_lazy("hoàn thành"),
    "cancel": gettext_lazy("hủy"),
}

# Steps of the lead agency; the others are the signer's (or an administrator's).
AGENCY_ACTIONS: Final = frozenset({"accept", "report_progress", "request_extension", "complete"})
SIGNER_ACTIONS: Final = frozenset({"decide_extension", "cancel"})


def require_status(task: Task, action: str) -> None:
    if task.status not in ALLOWED_FROM[action]:
        raise Conflict(
            _("Không thể %(action)s nhiệm vụ khi đang ở trạng thái “%(status)s”.")
            % {"action": ACTION_LABELS[action], "status": task.get_status_display()},
            code="invalid_transition",
        )


def require_role(user: permissions.User, task: Task, action: str) -> None:
    if action in AGENCY_ACTIONS and not permissions.holds_task(user, task):
        raise PermissionDenied(
            _("Chỉ đơn vị chủ trì “%(agency)s” mới được %(action)s nhiệm vụ này.")
            % {"agency": task.lead_agency.name, "action": ACTION_LABELS[action]},
            code="not_lead_agency",
        )
    if action in SIGNER_ACTIONS and not permissions.decides_for(user, task):
        raise PermissionDenied(
            _("Chỉ người ký văn bản hoặc quản trị viên mới được %(action)s nhiệm vụ này.")
            % {"action": ACTION_LABELS[action]},
            code="not_signer",
        )


def allowed_actions(user: permissions.User, task: Task) -> tuple[str, ...]:
    allowed = []
    for action in ALLOWED_FROM:
        if task.status not in ALLOWED_FROM[action]:
            continue
        if action in AGENCY_ACTIONS and not permissions.holds_task(user, task):
            continue
        if action in SIGNER_ACTIONS and not permissions.decides_for(user, task):
            continue
        allowed.append(action)
    return tuple(allowed)
