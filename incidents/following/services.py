"""Writes of following: someone asks to follow a public report or a current area by email.

The subscription itself, its confirmation email and links, and every later message are the
`notifications` app's (`notifications.services.subscription_request`); this module decides what
may be followed and how the confirmation names it.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from incidents.following import selectors
from incidents.models import Incident
from incidents.notice_texts import subscription_target_context
from notifications import services as notification_services
from notifications.services import SubscriptionRequestResult
from wards.models import Area


def _subscription_target(
    *, tracking_code: str | None, area_id: int | None
) -> tuple[Incident | None, Area | None]:
    has_code = bool(str(tracking_code or "").strip())
    if has_code == (area_id is not None):
        raise InvalidInput(
            _("Hãy chọn đúng một đối tượng để theo dõi: một phản ánh hoặc một khu vực."),
            code="one_target_required",
        )
    if has_code:
        return selectors.incident_public_for_following(tracking_code=str(tracking_code)), None
    return None, selectors.area_current_for_following(area_id=int(area_id))  # type: ignore[arg-type]


def subscription_request(
    *,
    email: str,
    tracking_code: str | None = None,
    area_id: int | None = None,
    now: datetime | None = None,
) -> SubscriptionRequestResult:
    """Follow a public report (by its tracking code) or a current area (by its id): email a
    confirmation link (the rules of repeats and daily limits are the notifications app's)."""
    # The address is checked first, as before the target: a bad address is the first error.
    email = notification_services.email_address_clean(email)
    incident, area = _subscription_target(tracking_code=tracking_code, area_id=area_id)
    subject = incident if incident is not None else area
    assert subject is not None
    return notification_services.subscription_request(
        email=email,
        subject=subject,
        target=subscription_target_context(incident=incident, area=area),
        now=now,
    )
