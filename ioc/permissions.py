"""Who may see the operations centre.

| persona                                                   | dashboard | an area page              |
|-----------------------------------------------------------|-----------|---------------------------|
| leader (`ioc.view_operations_centre`, or the feedback leaders' `incidents.view_all_incidents`), administrator (`incidents.manage_all_incidents`) | yes | every area |
| member of a commune's unit (its People's Committee…)      | no (403)  | the communes its units serve |
| other officer, citizen                                    | no (403; sign-in first when anonymous) | no |

The dashboard is province-wide and shows every unit's figures, so it is for leaders only; a
commune's officers and leaders see their own commune's page.
"""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from wards.models import Agency, Area

VIEW_PERMISSION = "ioc.view_operations_centre"
FEEDBACK_LEADER_PERMISSION = "incidents.view_all_incidents"
FEEDBACK_ADMINISTRATOR_PERMISSION = "incidents.manage_all_incidents"

User = AbstractBaseUser | AnonymousUser


def _is_active_account(user: User) -> TypeGuard[auth_models.User]:
    return user.is_authenticated and user.is_active


def sees_everything(user: User) -> bool:
    return _is_active_account(user) and (
        user.has_perm(VIEW_PERMISSION)
        or user.has_perm(FEEDBACK_LEADER_PERMISSION)
        or user.has_perm(FEEDBACK_ADMINISTRATOR_PERMISSION)
    )


def sees_area(user: User, area: Area) -> bool:
    if sees_everything(user):
        return True
    if not _is_active_account(user):
        return False
    return Agency.objects.filter(memberships__user=user, jurisdiction=area).exists()
