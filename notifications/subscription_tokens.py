"""The secrets in confirm and unsubscribe links: signatures made with SECRET_KEY, never stored.

A confirmation token signs the subscription's id and the moment its confirmation was requested:
a new request (after an unsubscribe, or a resend) makes older confirmation links invalid, and
the link expires SUBSCRIPTION_CONFIRM_WITHIN_DAYS after the request. An unsubscribe token signs
the id alone and never expires: a link in a years-old email must still stop the emails. Each kind
has its own salt, so one cannot be used as the other. Rotating SECRET_KEY (with the old key in
SECRET_KEY_FALLBACKS for a while) rotates every token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core import signing

CONFIRM_SALT = "notifications.subscription.confirm"
UNSUBSCRIBE_SALT = "notifications.subscription.unsubscribe"


class InvalidSubscriptionToken(Exception):
    """The token was not made by this site (or for another purpose), or is malformed."""


@dataclass(frozen=True)
class ConfirmationClaim:
    subscription_id: int
    requested_at_timestamp: int


def _requested_timestamp(requested_at: datetime) -> int:
    return int(requested_at.timestamp())


def confirmation_token_for(*, subscription_id: int, requested_at: datetime) -> str:
    signer = signing.Signer(salt=CONFIRM_SALT)
    return signer.sign(f"{subscription_id}.{_requested_timestamp(requested_at)}")


def confirmation_claim_read(token: str) -> ConfirmationClaim:
    try:
        value = signing.Signer(salt=CONFIRM_SALT).unsign(token)
        subscription_id, timestamp = value.split(".")
        return ConfirmationClaim(
            subscription_id=int(subscription_id), requested_at_timestamp=int(timestamp)
        )
    except (signing.BadSignature, ValueError) as error:
        raise InvalidSubscriptionToken(str(error)) from error


def confirmation_claim_matches(claim: ConfirmationClaim, *, requested_at: datetime) -> bool:
    return claim.requested_at_timestamp == _requested_timestamp(requested_at)


def unsubscribe_token_for(*, subscription_id: int) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(subscription_id))


def unsubscribe_subscription_id_read(token: str) -> int:
    try:
        return int(signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token))
    except (signing.BadSignature, ValueError) as error:
        raise InvalidSubscriptionToken(str(error)) from error
