"""A message provider that the fault tests can interrupt and audit: it records every delivery.

The worker under test is configured to send through these (`NOTIFICATION_SMS_GATEWAY`,
`DJANGO_EMAIL_BACKEND`). Each delivery is appended to a file (`FAULT_DELIVERY_LOG`) and flushed to
the disk before the provider "accepts" it, as a real provider's own record would be: the file lives
outside the database, so a worker killed afterwards cannot take the delivery back, and the tests
count duplicates in it. `FAULT_GATEWAY_SECONDS` makes each delivery slow (after it is recorded),
so that a test can kill the worker between the provider's acceptance and the outbox's "sent".
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage


def _record(address: str, text: str) -> None:
    line = json.dumps({"address": address, "text": text}, ensure_ascii=False) + "\n"
    with open(os.environ["FAULT_DELIVERY_LOG"], "a", encoding="utf-8") as log:
        log.write(line)
        log.flush()
        os.fsync(log.fileno())
    time.sleep(float(os.environ.get("FAULT_GATEWAY_SECONDS", "0")))


class RecordingGateway:
    """SMS and Zalo: the phone number and the text, as a citizen would receive them."""

    def send_text(self, *, channel: str, phone: str, text: str) -> None:
        _record(phone, text)


class RecordingEmailBackend(BaseEmailBackend):
    """Email: the recipient and the body."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            for recipient in message.recipients():
                _record(recipient, str(message.body))
        return len(email_messages)


def deliveries(log: Path) -> Counter[tuple[str, str]]:
    """How many times each (address, text) was delivered."""
    if not log.exists():
        return Counter()
    records: list[dict[str, Any]] = [
        json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line
    ]
    return Counter((record["address"], record["text"]) for record in records)
