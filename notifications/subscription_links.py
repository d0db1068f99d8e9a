"""The links every message to a follower carries: its one-click unsubscribe, in the body and the
headers (whoever plans the message adds them, through these two functions)."""

from __future__ import annotations

from django.urls import reverse

from notifications import subscription_tokens
from notifications.message_texts import site_url
from notifications.models import Subscription


def unsubscribe_url(subscription: Subscription) -> str:
    token = subscription_tokens.unsubscribe_token_for(subscription_id=subscription.pk)
    return site_url(reverse("subscription-unsubscribe", args=[token]))


def unsubscribe_headers(url: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs show an "unsubscribe" button that POSTs to `url`."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
