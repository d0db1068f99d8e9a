"""How a message leaves the system: email, SMS or Zalo, behind one small interface.

Email goes through Django's configured backend (SMTP in production, the console in development,
locmem in the tests). SMS and Zalo go through a gateway chosen by a setting
(NOTIFICATION_SMS_GATEWAY, NOTIFICATION_ZALO_GATEWAY: a dotted path); the default,
`ConsoleMessageGateway`, writes each message to the log and standard output (the phone masked),
which is what a machine without a telecom contract can honestly do. A provider's gateway implements
`MessageGateway.send_text` and raises `PermanentDeliveryError` for an address that can never
receive, or any other exception for a failure worth retrying.
"""

from __future__ import annotations

import logging
import smtplib
import sys
from collections.abc import Mapping
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from notifications.address_masks import masked_address
from notifications.models import NotificationChannel

logger = logging.getLogger(__name__)


class PermanentDeliveryError(Exception):
    """The address can never receive this message (refused, malformed): do not retry."""


class MessageChannel(Protocol):
    def send(
        self, *, address: str, subject: str, body: str, headers: Mapping[str, str]
    ) -> None: ...


class MessageGateway(Protocol):
    """A provider of short text messages (an SMS aggregator, the Zalo Official Account API)."""

    def send_text(self, *, channel: str, phone: str, text: str) -> None: ...


class EmailChannel:
    def send(self, *, address: str, subject: str, body: str, headers: Mapping[str, str]) -> None:
        message = EmailMessage(
            subject=subject,
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
            headers=dict(headers),
        )
        try:
            message.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentDeliveryError(str(error)) from error


class ConsoleMessageGateway:
    """Writes each text message to the log and to standard output instead of a telecom network,
    with the phone number masked (`address_masks`): a console is read by more people than the
    outbox, and its output is often kept in a log."""

    def send_text(self, *, channel: str, phone: str, text: str) -> None:
        line = f"[{channel} → {masked_address(phone)}] {text}"
        logger.info("message gateway (console): %s", line)
        print(line, file=sys.stdout, flush=True)


class TextMessageChannel:
    """SMS or Zalo: the subject is dropped (text messages have none) and the body sent as is."""

    def __init__(self, *, channel: NotificationChannel, gateway: MessageGateway) -> None:
        self.channel = channel
        self.gateway = gateway

    def send(self, *, address: str, subject: str, body: str, headers: Mapping[str, str]) -> None:
        self.gateway.send_text(channel=str(self.channel), phone=address, text=body)


class SmsChannel(TextMessageChannel):
    def __init__(self, gateway: MessageGateway) -> None:
        super().__init__(channel=NotificationChannel.SMS, gateway=gateway)


class ZaloChannel(TextMessageChannel):
    def __init__(self, gateway: MessageGateway) -> None:
        super().__init__(channel=NotificationChannel.ZALO, gateway=gateway)


@cache
def _gateway(dotted_path: str) -> MessageGateway:
    return import_string(dotted_path)()


def channel_for(channel: NotificationChannel | str) -> MessageChannel:
    """The channel that sends `channel` messages, with the gateway the settings name."""
    if channel == NotificationChannel.EMAIL:
        return EmailChannel()
    if channel == NotificationChannel.SMS:
        return SmsChannel(_gateway(settings.NOTIFICATION_SMS_GATEWAY))
    if channel == NotificationChannel.ZALO:
        return ZaloChannel(_gateway(settings.NOTIFICATION_ZALO_GATEWAY))
    raise ValueError(f"unknown notification channel {channel!r}")
