"""How a message is worded: Vietnamese first, English below, composed once.

A message is composed when it is planned, or, for a filed report's messages, by the worker just
before it sends them (`notifications/message_composers.py`); either way its words are stored in
the outbox row: what was sent is what the row says. Its body is a plain-text template extending
`notifications/messages/base.txt` (both languages in one file, so an editor sees the pair), its
subject a (Vietnamese, English) pair formatted with the same context. The app that plans a
message owns its template and subject: citizen feedback's are in `templates/incidents/messages/`
and `incidents/notice_texts.py`; this app's own (the subscription confirmation) are here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from geoapp.clock import VIETNAM_TIME_ZONE
from notifications.models import NotificationKind

SUBJECT_MAX_LENGTH = 255

# (Vietnamese, English) subject of this app's own kinds, formatted with the message's context.
SUBJECTS: dict[str, tuple[str, str]] = {
    NotificationKind.SUBSCRIPTION_CONFIRMATION: (
        "Xác nhận theo dõi %(target)s",
        "Confirm following %(target_en)s",
    ),
}


@dataclass(frozen=True)
class ComposedMessage:
    subject: str
    # The email: Vietnamese, then English.
    body: str
    # SMS or Zalo: the Vietnamese subject and the link, short enough for one or two messages.
    text: str


def compose(*, template: str, subject: tuple[str, str], context: dict[str, Any]) -> ComposedMessage:
    """The message of `template` (a body template's name) and `subject` (Vietnamese, English);
    `context["link"]` is the address the short text message carries."""
    vietnamese, english = subject
    subject_vietnamese = vietnamese % context
    full_subject = f"{subject_vietnamese} / {english % context}"
    if len(full_subject) > SUBJECT_MAX_LENGTH:
        full_subject = full_subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    # Optional lines left empty by the templates would pile up blank lines: at most one.
    body = re.sub(r"\n{3,}", "\n\n", render_to_string(template, context))
    text = f"{subject_vietnamese}. {context['link']}"
    return ComposedMessage(subject=full_subject, body=body, text=text)


def compose_own(kind: NotificationKind, context: dict[str, Any]) -> ComposedMessage:
    """A message of this app's own kinds, from `templates/notifications/messages/<kind>.txt`."""
    return compose(
        template=f"notifications/messages/{kind}.txt", subject=SUBJECTS[kind], context=context
    )


def site_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def moment_text(moment: datetime | None) -> str:
    """Day first, in Vietnam's time, in both languages (as the project's formats do)."""
    if moment is None:
        return ""
    return moment.astimezone(VIETNAM_TIME_ZONE).strftime("%H:%M %d/%m/%Y")
