"""Who may enter and who may approve a commune's indicator values.

An officer of a unit whose jurisdiction holds the commune enters its values; a manager of a unit
whose jurisdiction holds the level above (the district before 1 July 2025, the province after)
reviews them, as does an administrator. The same questions are asked by services and pages.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from wards.models import AgencyMembership, AgencyRole, Area


def _ancestor_ids(area: Area) -> list[int]:
    ancestors = []
    current = area.parent
    while current is not None:
        ancestors.append(current.pk)
        current = current.parent
    return ancestors


def user_can_enter_for(*, user: AbstractBaseUser | AnonymousUser, area: Area) -> bool:
    if not user.is_authenticated:
        return False
    return AgencyMembership.objects.filter(
        user_id=user.pk, agency__is_active=True, agency__jurisdiction=area
    ).exists()


def user_can_review_for(*, user: AbstractBaseUser | AnonymousUser, area: Area) -> bool:
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    ancestors = _ancestor_ids(area)
    return (
        bool(ancestors)
        and AgencyMembership.objects.filter(
            user_id=user.pk,
            role=AgencyRole.MANAGER,
            agency__is_active=True,
            agency__jurisdiction__in=ancestors,
        ).exists()
    )


def areas_entered_by(*, user: AbstractBaseUser | AnonymousUser) -> list[Area]:
    """The commune-level areas an officer enters values for."""
    if not user.is_authenticated:
        return []
    return list(
        Area.objects.filter(
            level="commune",
            agencies__memberships__user_id=user.pk,
            agencies__is_active=True,
        )
        .distinct()
        .order_by("code", "valid_from")
    )
