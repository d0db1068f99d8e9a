"""Deployment checks of citizen feedback (`manage.py check --deploy`, and every production start:
geoapp/deployment.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core import checks
from django.db import DatabaseError


@checks.register(checks.Tags.security, deploy=True)
def demo_passwords_check(**_: Any) -> list[checks.CheckMessage]:
    """A demo account whose password is still the published one lets anybody in, with the rights
    of an officer, a leader or the administrator (who reads every reporter's phone and e-mail)."""
    # Imported here: the demo module is large and every process registers this check at start.
    from incidents.demo_data import DEMO_ACCOUNTS, DEMO_PASSWORD

    usernames = [account.username for account in DEMO_ACCOUNTS]
    try:
        users = list(get_user_model().objects.filter(username__in=usernames, is_active=True))
    except DatabaseError:  # no database yet (a check before the first migrate): nothing to find
        return []
    exposed = sorted(user.get_username() for user in users if user.check_password(DEMO_PASSWORD))
    if not exposed:
        return []
    return [
        checks.Error(
            f"Demo accounts with the published password are active: {', '.join(exposed)}.",
            hint="Deactivate them, or set new passwords, before serving (docs/security.md).",
            id="incidents.E001",
        )
    ]
