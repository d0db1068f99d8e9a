"""Who may see and do what with reports.

| persona                          | sees                                  | acts on                    | reporter contact |
|----------------------------------|---------------------------------------|----------------------------|------------------|
| citizen (anonymous)              | public reports, public fields only    | support; with the reporter token: provide information, rate, reopen | never |
| officer or manager of a unit     | the reports routed to their unit(s)   | those reports              | on those reports |
| leader (`view_all_incidents`)    | every report                          | nothing (read-only)        | never            |
| administrator (superuser, or `manage_all_incidents`: group "Quản trị viên") | every report | every report | every report |

A leader who is also a member of a unit acts on that unit's reports as its officer.
"""

from __future__ import annotations

import hmac
from typing import TypeGuard

from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _

from geoapp.exceptions import PermissionDenied
from incidents.models import Incident
from incidents.reporter_tokens import reporter_token_hash
from wards.models import AgencyMembership

VIEW_ALL_PERMISSION = "incidents.view_all_incidents"
MANAGE_ALL_PERMISSION = "incidents.manage_all_incidents"

User = AbstractBaseUser | AnonymousUser


def _is_active_staff_account(user: User | None) -> TypeGuard[auth_models.User]:
    # The project keeps Django's own user model (no AUTH_USER_MODEL), so an active signed-in
    # account is an auth User, with its permissions.
    return user is not None and user.is_authenticated and user.is_active


def is_administrator(user: User | None) -> bool:
    # has_perm is True for every permission of an active superuser.
    return _is_active_staff_account(user) and user.has_perm(MANAGE_ALL_PERMISSION)


def is_leader(user: User | None) -> bool:
    return _is_active_staff_account(user) and user.has_perm(VIEW_ALL_PERMISSION)


def member_agency_ids(user: User | None) -> set[int]:
    if not _is_active_staff_account(user):
        return set()
    return set(AgencyMembership.objects.filter(user=user).values_list("agency_id", flat=True))


def is_staff_member(user: User | None) -> bool:
    """Whether `user` may use the staff interface at all."""
    return is_administrator(user) or is_leader(user) or bool(member_agency_ids(user))


def can_view(user: User | None, incident: Incident) -> bool:
    return (
        is_leader(user) or is_administrator(user) or incident.agency_id in member_agency_ids(user)
    )


def can_act(user: User | None, incident: Incident) -> bool:
    return is_administrator(user) or incident.agency_id in member_agency_ids(user)


def can_see_reporter_contact(user: User | None, incident: Incident) -> bool:
    """Staff with a role on the report: its unit's members, and administrators. Not leaders."""
    return can_act(user, incident)


def require_can_act(user: User | None, incident: Incident) -> None:
    if can_act(user, incident):
        return
    if is_leader(user):
        raise PermissionDenied(
            _("Lãnh đạo chỉ được xem phản ánh, không thực hiện thao tác xử lý."),
            code="read_only_role",
        )
    raise PermissionDenied(
        _("Phản ánh %(code)s không thuộc đơn vị của bạn.") % {"code": incident.tracking_code},
        code="not_your_unit",
    )


def reporter_token_matches(incident: Incident, token: str | None) -> bool:
    if not token or not incident.reporter_token_hash:
        return False
    return hmac.compare_digest(reporter_token_hash(str(token)), incident.reporter_token_hash)


def require_reporter(incident: Incident, token: str | None) -> None:
    if not reporter_token_matches(incident, token):
        raise PermissionDenied(
            _(
                "Mã bí mật của người phản ánh không đúng. Chỉ người gửi phản ánh %(code)s mới "
                "thực hiện được thao tác này."
            )
            % {"code": incident.tracking_code},
            code="invalid_reporter_token",
        )
