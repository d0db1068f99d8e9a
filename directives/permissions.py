"""Who may see and do what with directives and tasks.

| persona                                   | sees                         | acts on                                      |
|-------------------------------------------|------------------------------|----------------------------------------------|
| member of an agency                       | tasks it leads or coordinates | the tasks it leads: accept, report progress, request an extension, complete |
| leader (`view_all_tasks`)                 | every task                   | read-only, except as a directive's signer     |
| a directive's signer                      | every task                   | decides extensions, cancels the directive's tasks |
| administrator (`manage_all_tasks`)        | every task                   | every step                                   |
| leaders' staff (`add_directive`)          | (as their other roles)       | enter a new directive and its tasks          |
"""

from __future__ import annotations

from typing import TypeGuard

from django.contrib.auth import models as auth_models
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from directives.models import Task
from wards.models import AgencyMembership

VIEW_ALL_PERMISSION = "directives.view_all_tasks"
MANAGE_ALL_PERMISSION = "directives.manage_all_tasks"
CREATE_DIRECTIVE_PERMISSION = "directives.add_directive"

User = AbstractBaseUser | AnonymousUser


def _is_active_account(user: User | None) -> TypeGuard[auth_models.User]:
    return user is not None and user.is_authenticated and user.is_active


def is_administrator(user: User | None) -> bool:
    return _is_active_account(user) and user.has_perm(MANAGE_ALL_PERMISSION)


def is_leader(user: User | None) -> bool:
    return _is_active_account(user) and (
        user.has_perm(VIEW_ALL_PERMISSION) or user.has_perm(MANAGE_ALL_PERMISSION)
    )


def member_agency_ids(user: User | None) -> set[int]:
    if not _is_active_account(user):
        return set()
    return set(AgencyMembership.objects.filter(user=user).values_list("agency_id", flat=True))


def is_signer(user: User | None, task: Task) -> bool:
    return _is_active_account(user) and task.directive.signer_id == user.pk


def can_view(user: User | None, task: Task) -> bool:
    if is_leader(user) or is_signer(user, task):
        return True
    agencies = member_agency_ids(user)
    if task.lead_agency_id in agencies:
        return True
    return task.coordinating_agencies.filter(id__in=agencies).exists()


def holds_task(user: User | None, task: Task) -> bool:
    """The lead agency's members (and administrators) carry the task out."""
    return is_administrator(user) or task.lead_agency_id in member_agency_ids(user)


def decides_for(user: User | None, task: Task) -> bool:
    """The signer of the directive (and administrators) decide extensions and cancel."""
    return is_administrator(user) or is_signer(user, task)


def can_create_directives(user: User | None) -> bool:
    """The staff of the leaders' office (and administrators) enter the directives leaders sign."""
    return _is_active_account(user) and user.has_perm(CREATE_DIRECTIVE_PERMISSION)
