"""Messages composed when they are sent, by the app that planned them.

A row of the outbox either holds its words (`body` not empty: composed when planned, sent as it
is) or only what is needed to compose them later: its kind, what it is about (`about`), its
recipient (role, address, channel, subscription), its dedupe key and its moment. The second kind
keeps the writing of a message out of the request that plans it (filing a report composed three
templates per report; docs/benchmarks.md, "Composing in the worker (issue 10)"): the worker
composes it just before sending, and stores the words in the row, so that what was sent is
still what the row says.

The app that plans a kind of message registers its composer here, in a module named
`message_composers.py` that `NotificationsConfig.ready()` imports from every installed app (as
`subscription_subjects.py`); this app imports no app by name. A composer must say what the
message said when it was planned (a report as filed, not as it is when the worker gets to it):
that is its app's business, since only it knows which of its records do not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from notifications.channels import PermanentDeliveryError
from notifications.message_texts import ComposedMessage
from notifications.models import Notification, NotificationChannel


@dataclass(frozen=True)
class ComposedWithHeaders:
    """A composed message and the extra headers of its email (List-Unsubscribe for a follower)."""

    message: ComposedMessage
    headers: Mapping[str, str] = field(default_factory=dict)


# Takes the pending row (its kind, `about_id`, `subscription_id`, channel and address); raises
# NothingToCompose when what the message is about no longer exists.
MessageComposer = Callable[[Notification], ComposedWithHeaders]

_composers: dict[str, MessageComposer] = {}


class NothingToCompose(PermanentDeliveryError):
    """What the message was about is gone (a report deleted): it can never be sent."""


def message_composer_register(kind: str, compose: MessageComposer) -> None:
    """`compose(notification)` writes the messages of `kind` planned without their words."""
    _composers[kind] = compose


def is_composed_when_sent(notification: Notification) -> bool:
    return not notification.body


def message_compose(notification: Notification) -> None:
    """Set the row's subject, body and headers from its composer (the row is not saved here).

    An email gets the body; an SMS or Zalo message the short text (subject and link), as the
    planning did for the messages it composed.
    """
    try:
        compose = _composers[notification.kind]
    except KeyError:
        raise LookupError(f"no app composes messages of kind {notification.kind!r}") from None
    composed = compose(notification)
    message = composed.message
    notification.subject = message.subject
    notification.body = (
        message.body if notification.channel == NotificationChannel.EMAIL else message.text
    )
    notification.headers = dict(composed.headers)
