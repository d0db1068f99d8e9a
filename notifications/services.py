"""Every write of the notifications app: the outbox (enqueue, send, sweep) and subscriptions.

Nothing here knows what the messages are about: the app that plans a message (citizen feedback:
`incidents/notices.py`) composes it and names its subject; subscriptions follow a subject of any
model, and the app that offers the following resolves what is followed.

The outbox protocol ("nothing lost"):

1. `notification_enqueue` writes the message as a pending row inside the caller's transaction;
   its unique `dedupe_key` makes planning idempotent (the same message planned twice is one row).
   The planning app may also write rows without their words, in a statement of its own (an
   INSERT from `to_compose_insert_sql`, then `notifications_dispatch_after_commit`), and compose
   them when the worker sends them (`message_composers.py`).
2. After the commit, `notification_dispatch` puts `send_notification(id)` on the broker. If the
   broker is down, the error is logged and the row stays pending: the user's request never fails
   because of it.
3. The task calls `notification_send`, which claims the row (pending → sending, committed),
   composes it if it was planned without its words, sends it through its channel, then records
   the outcome (and the words sent): sent; or a failure, retried with exponential
   backoff until NOTIFICATION_MAX_ATTEMPTS (the row pending again meanwhile), then failed.
4. Every five minutes `notifications_sweep` enqueues again the rows still pending
   NOTIFICATION_SWEEP_AFTER_MINUTES after they were last touched (what a broker outage dropped),
   and marks failed the rows still "sending" that long after their claim: the worker died during
   the provider's call.

Delivery is exactly once, or the row is marked failed: a send cut off by the worker's death is
ambiguous (the provider may or may not have accepted the message before it), and sending it again
could give the citizen a second copy; so it is not retried, and the row says so (`last_error`),
for staff to check with the provider. The window is the provider's round trip.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Model
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerUnavailable

from geoapp.celery import app as celery_app
from geoapp.exceptions import InvalidInput, NotFound
from geoapp.sql import InsertUnlessExists
from notifications import message_composers, message_texts, selectors, subscription_tokens
from notifications.address_masks import text_without_address
from notifications.channels import PermanentDeliveryError, channel_for
from notifications.models import (
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
    RecipientRole,
    Subscription,
)

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000
SWEEP_BATCH_SIZE = 500
# Publishing to the broker from a web request: one quick retry, then leave it to the sweeper,
# rather than keep a citizen waiting on a broker that is down.
DISPATCH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# The name of the send task (notifications/tasks.py): the task calls this module, so this module
# names the task instead of importing it.
SEND_TASK_NAME = "notifications.send"


class DeliveryWillBeRetried(Exception):
    """A send failed and the row is still pending: the task retries it with backoff."""


# The outbox


# No savepoint: the one write is an INSERT that cannot fail on the dedupe key (ON CONFLICT), so
# there is nothing to roll back to; outside a transaction it still runs in one of its own.
@transaction.atomic(savepoint=False)
def notification_enqueue(
    *,
    dedupe_key: str,
    kind: str,
    channel: NotificationChannel | str,
    recipient_role: RecipientRole | str,
    address: str,
    subject: str,
    body: str,
    headers: dict[str, str] | None = None,
    about: Model | None = None,
    occasioned_by: Model | None = None,
    subscription_id: int | None = None,
) -> Notification:
    """Write the message to the outbox (once per `dedupe_key`) and send it after the commit.

    `kind` is a value the planning app defines; `about` is what the message is about (a report,
    an area) and `occasioned_by` what occasioned it (an event of its history), both of any model.
    Planning a message that already exists returns the existing row and enqueues nothing: the
    first planning's task (or the sweeper) takes care of it.
    """
    notification = Notification(
        dedupe_key=dedupe_key,
        kind=kind,
        channel=channel,
        recipient_role=recipient_role,
        address=address,
        subject=subject,
        body=body,
        headers=headers or {},
        about=about,
        occasion=occasioned_by,
        subscription_id=subscription_id,
    )
    if not _outbox_insert(notification):
        return Notification.objects.get(dedupe_key=dedupe_key)
    notifications_dispatch_after_commit([notification.pk])
    return notification


# Raw SQL (geoapp/sql.py) because the ORM has no "insert unless the key exists, and tell me":
# get_or_create needs a SELECT, then the INSERT in a savepoint (four statements per message; see
# "Citizen feedback" in docs/benchmarks.md); ON CONFLICT makes the same decision in the one
# INSERT, atomically, and a concurrent planner of the same message waits for the first one's
# commit and then inserts nothing, as the unique index made get_or_create's INSERT do.
_outbox_insert = InsertUnlessExists(Notification, conflict_fields=["dedupe_key"])


def to_compose_insert_sql(rows: str) -> str:
    """An INSERT of messages to be composed when they are sent (`message_composers.py`), for a
    statement of the planning app: `rows` is its query (it may read the statement's other common
    table expressions) of each message's kind, channel, recipient role, address, about_type_id,
    about_id, subscription_id, dedupe key and the moment it was planned, in this order. It
    returns the ids of the rows written: a message already planned, by its dedupe key, is
    skipped, and `notifications_dispatch_after_commit` sends the others.

    For the messages of every filed report, written by the statement that writes the report
    (issue 10): no round trip of their own. The values are the planning app's, already checked
    (kinds, channels and roles are constants; an address came from a column of the same length or
    a validated address), so the INSERT does not fail on them.
    """
    return (
        f"INSERT INTO notifications_notification ({_TO_COMPOSE_COLUMNS}) "
        f"SELECT to_compose.*, '', '', '{{}}'::jsonb, 'pending', 0, '' FROM ({rows}) AS to_compose "
        "ON CONFLICT (dedupe_key) DO NOTHING RETURNING id"
    )


_TO_COMPOSE_COLUMNS = (
    "kind, channel, recipient_role, address, about_type_id, about_id, subscription_id, "
    "dedupe_key, created_at, subject, body, headers, status, attempts, last_error"
)


def notifications_dispatch_after_commit(notification_ids: Sequence[int]) -> None:
    """Send the messages of `notification_ids`, just written to the outbox, once the transaction
    that wrote them commits (a rollback sends none)."""
    written = list(notification_ids)

    # A function of its own, not a functools.partial: Django logs a robust hook's failure by the
    # hook's __qualname__, which a partial lacks, and that AttributeError escaped into the request
    # whose report was already committed (HTTP 500 for a stored report; issue 8, finding 14).
    def dispatch_after_commit() -> None:
        for notification_id in written:
            notification_dispatch(notification_id)

    # robust: an unexpected error in the dispatch is logged, never raised into the request
    # whose data is already committed.
    if written:
        transaction.on_commit(dispatch_after_commit, robust=True)


def notification_dispatch(notification_id: int) -> bool:
    """Put the send task on the broker; False (logged) when the broker cannot be reached."""
    try:
        celery_app.send_task(
            SEND_TASK_NAME,
            args=(notification_id,),
            # Nobody waits for the task's result: without this, Celery subscribes to the result
            # store first, and with Redis down retries that for twenty seconds, then leaves the
            # web process's result store broken until it restarts.
            ignore_result=True,
            retry=True,
            retry_policy=DISPATCH_RETRY_POLICY,
        )
    # Whatever stops the publish (the broker refusing, a socket error, a library's own error),
    # the row is committed and pending: the sweeper will enqueue it, so nothing is lost by
    # logging the error here instead of failing the request that planned the message.
    except (BrokerUnavailable, redis.RedisError, OSError) as error:
        logger.warning(
            "notification %s left pending for the sweeper: the broker is unavailable (%s)",
            notification_id,
            error,
        )
        return False
    return True


def _send_through_channel(notification: Notification) -> None:
    channel_for(notification.channel).send(
        address=notification.address,
        subject=notification.subject,
        body=notification.body,
        headers=notification.headers,
    )


def _notification_claim(notification_id: int) -> Notification | None:
    """Mark a pending row as being sent by this worker, committed before the provider is called."""
    with transaction.atomic():
        # The same message can reach two workers at once: the original task and the sweeper's
        # copy, or a broker redelivery. The row lock makes the claim exclusive, and SKIP LOCKED
        # lets the second worker leave at once; once the claim is committed, the row is no longer
        # pending and no other worker takes it.
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return None
        notification.status = NotificationStatus.SENDING
        notification.attempts += 1
        notification.last_attempt_at = timezone.now()
        notification.save(update_fields=["status", "attempts", "last_attempt_at"])
    return notification


def notification_send(*, notification_id: int) -> NotificationStatus | None:
    """Send one pending message; its new status, or None when there was nothing to do.

    The claim is committed before the provider is called, and the outcome after it returned: a
    worker that dies in between leaves the row "sending" (the sweeper marks it failed), never
    pending, so the message is not sent twice. No transaction is held open during the provider's
    round trip. Raises DeliveryWillBeRetried after recording a failure that deserves another
    attempt.
    """
    notification = _notification_claim(notification_id)
    if notification is None:
        return None
    failure: Exception | None = None
    saved = ["status", "last_error", "sent_at"]
    try:
        if message_composers.is_composed_when_sent(notification):
            # Composed now, by the app that planned it, and kept in the row whatever the
            # outcome: a retry sends the same words, and the row says what was sent.
            message_composers.message_compose(notification)
            saved += ["subject", "body", "headers"]
        _send_through_channel(notification)
    except PermanentDeliveryError as error:
        notification.status = NotificationStatus.FAILED
        notification.last_error = str(error)[:ERROR_MAX_LENGTH]
    except Exception as error:  # any other provider error is worth another attempt
        notification.last_error = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
        if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            notification.status = NotificationStatus.FAILED
        else:
            # The provider refused it: nothing was delivered, so another attempt is safe.
            notification.status = NotificationStatus.PENDING
            failure = error
    else:
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.last_error = ""
    # Whatever the sweeper decided meanwhile (a send slower than its delay), the provider's
    # answer is the truth and is recorded.
    notification.save(update_fields=saved)
    if failure is not None:
        # Raised after the outcome is saved, so that the attempt and its error are recorded.
        # The row keeps the provider's error whole, for the administrators who read the outbox;
        # the log and the task's retry message (logged by Celery) get it with the address masked.
        raise DeliveryWillBeRetried(
            text_without_address(str(failure), notification.address)
        ) from failure
    if notification.status == NotificationStatus.FAILED:
        logger.error(
            "notification %s failed for good after %s attempts: %s",
            notification.pk,
            notification.attempts,
            text_without_address(notification.last_error, notification.address),
        )
    return NotificationStatus(notification.status)


INTERRUPTED_SEND_ERROR = (
    "interrupted: the worker stopped during the provider's call, before recording its answer; "
    "not sent again, since the provider may have delivered it (check with the provider)"
)


def _interrupted_sends_fail(*, cutoff: datetime) -> int:
    """Mark failed the rows claimed for sending before `cutoff` and never settled."""
    interrupted = Notification.objects.filter(
        status=NotificationStatus.SENDING, last_attempt_at__lt=cutoff
    ).update(status=NotificationStatus.FAILED, last_error=INTERRUPTED_SEND_ERROR)
    if interrupted:
        logger.error(
            "sweeper marked %s notifications failed: their send was interrupted", interrupted
        )
    return interrupted


def notifications_sweep(*, now: datetime, limit: int = SWEEP_BATCH_SIZE) -> list[int]:
    """Enqueue again the messages pending too long (a broker outage dropped their task).

    A row counts as stuck when it is still pending NOTIFICATION_SWEEP_AFTER_MINUTES after its
    creation and after its last attempt: longer than the task's longest backoff, so a row
    waiting for its scheduled retry is not enqueued twice. A row still "sending" that long after
    its claim was cut off by a worker's death: it is marked failed, not sent again (see the
    module's docstring). Returns the ids enqueued, oldest first; stops at the first broker error
    (the next sweep tries again).
    """
    cutoff = now - timedelta(minutes=settings.NOTIFICATION_SWEEP_AFTER_MINUTES)
    _interrupted_sends_fail(cutoff=cutoff)
    stuck = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, created_at__lt=cutoff)
        # GREATEST ignores NULLs in PostgreSQL: a row never attempted is judged by its creation.
        .annotate(last_touched=Greatest("created_at", "last_attempt_at"))
        .filter(last_touched__lt=cutoff)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    enqueued: list[int] = []
    for notification_id in stuck:
        if not notification_dispatch(notification_id):
            break
        enqueued.append(notification_id)
    if enqueued:
        logger.warning("sweeper enqueued %s pending notifications again", len(enqueued))
    return enqueued


# Subscriptions


@dataclass(frozen=True)
class SubscriptionRequestResult:
    """What happened, for tests and logs; the API answers the same in every case, so that no one
    learns from it whether an address already follows something."""

    subscription: Subscription
    confirmation_sent: bool


def email_address_clean(email: object) -> str:
    """The address as subscriptions store it, or InvalidInput in the user's language."""
    text = str(email or "").strip()
    try:
        validate_email(text)
    except ValidationError:
        raise InvalidInput(
            _("Địa chỉ thư điện tử “%(email)s” không hợp lệ.") % {"email": text},
            code="invalid_email",
        ) from None
    # The whole address in lower case: one person, one subscription, however they typed it.
    return text.lower()


def _confirmation_enqueue(
    subscription: Subscription, *, subject: Model, target: dict[str, str]
) -> Notification:
    token = subscription_tokens.confirmation_token_for(
        subscription_id=subscription.pk, requested_at=subscription.confirmation_requested_at
    )
    confirm_url = message_texts.site_url(reverse("subscription-confirm", args=[token]))
    context: dict[str, Any] = {
        **target,
        "confirm_url": confirm_url,
        "confirm_within_days": settings.SUBSCRIPTION_CONFIRM_WITHIN_DAYS,
        "link": confirm_url,
    }
    message = message_texts.compose_own(NotificationKind.SUBSCRIPTION_CONFIRMATION, context)
    requested = int(subscription.confirmation_requested_at.timestamp())
    return notification_enqueue(
        dedupe_key=f"subscription:{subscription.pk}:confirmation:{requested}",
        kind=NotificationKind.SUBSCRIPTION_CONFIRMATION,
        channel=NotificationChannel.EMAIL,
        recipient_role=RecipientRole.FOLLOWER,
        address=subscription.email,
        subject=message.subject,
        body=message.body,
        about=subject,
        subscription_id=subscription.pk,
    )


@transaction.atomic
def subscription_request(
    *,
    email: str,
    subject: Model,
    target: dict[str, str],
    now: datetime | None = None,
) -> SubscriptionRequestResult:
    """Someone asks to follow `subject` (a row of any model): email them a confirmation link.

    The app that offers the following checks that `subject` may be followed, and describes it
    for the confirmation email in `target`: "target" and "target_en" (what is followed, in
    Vietnamese and English) and "target_url" (where to see it).

    A repeated request while the first is pending sends nothing more (unless the first is older
    than SUBSCRIPTION_RESEND_CONFIRMATION_AFTER_HOURS: the email may have been lost); a request
    for something already followed sends nothing; a request after an unsubscribe starts again.
    No address receives more than SUBSCRIPTION_CONFIRMATIONS_PER_ADDRESS_PER_DAY confirmations,
    whoever asks: the form cannot be used to flood someone's mailbox.
    """
    now = now or timezone.now()
    email = email_address_clean(email)
    # The unique constraint makes two simultaneous identical requests meet on one row; the lock
    # serialises their decisions about it.
    subscription, created = Subscription.objects.select_for_update().get_or_create(
        email=email,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        defaults={"confirmation_requested_at": now, "created_at": now},
    )
    if not created:
        if subscription.unsubscribed_at is None:
            if subscription.confirmed_at is not None:
                return SubscriptionRequestResult(subscription=subscription, confirmation_sent=False)
            resend_after = timedelta(hours=settings.SUBSCRIPTION_RESEND_CONFIRMATION_AFTER_HOURS)
            if now - subscription.confirmation_requested_at < resend_after:
                return SubscriptionRequestResult(subscription=subscription, confirmation_sent=False)
        subscription.unsubscribed_at = None
        subscription.confirmed_at = None
        subscription.confirmation_requested_at = now
        subscription.save(
            update_fields=["unsubscribed_at", "confirmed_at", "confirmation_requested_at"]
        )
    sent_today = Notification.objects.filter(
        kind=NotificationKind.SUBSCRIPTION_CONFIRMATION,
        address=email,
        created_at__gt=now - timedelta(days=1),
    ).count()
    if sent_today >= settings.SUBSCRIPTION_CONFIRMATIONS_PER_ADDRESS_PER_DAY:
        logger.warning(
            "subscription %s: daily confirmations for its address used up", subscription.pk
        )
        return SubscriptionRequestResult(subscription=subscription, confirmation_sent=False)
    _confirmation_enqueue(subscription, subject=subject, target=target)
    return SubscriptionRequestResult(subscription=subscription, confirmation_sent=True)


def _invalid_link() -> NotFound:
    return NotFound(
        _("Liên kết không hợp lệ hoặc đã hết hạn. Bạn có thể đăng ký theo dõi lại."),
        code="invalid_subscription_link",
    )


@transaction.atomic
def subscription_confirm(*, token: str, now: datetime | None = None) -> Subscription:
    """The link in the confirmation email was opened: the subscription starts (idempotent)."""
    now = now or timezone.now()
    try:
        claim = subscription_tokens.confirmation_claim_read(token)
    except subscription_tokens.InvalidSubscriptionToken:
        raise _invalid_link() from None
    subscription = (
        Subscription.objects.select_for_update()
        .filter(pk=claim.subscription_id, unsubscribed_at__isnull=True)
        .first()
    )
    if subscription is None or not subscription_tokens.confirmation_claim_matches(
        claim, requested_at=subscription.confirmation_requested_at
    ):
        raise _invalid_link()
    if subscription.confirmed_at is not None:
        return subscription
    valid_for = timedelta(days=settings.SUBSCRIPTION_CONFIRM_WITHIN_DAYS)
    if now > subscription.confirmation_requested_at + valid_for:
        raise _invalid_link()
    subscription.confirmed_at = now
    subscription.save(update_fields=["confirmed_at"])
    return subscription


@transaction.atomic
def subscription_unsubscribe(*, token: str, now: datetime | None = None) -> Subscription:
    """Stop a subscription from the link in any of its emails (idempotent: a second click, or
    the mail provider's one-click POST after the person's own click, changes nothing)."""
    now = now or timezone.now()
    subscription = selectors.subscription_from_unsubscribe_token(token=token, for_update=True)
    if subscription.unsubscribed_at is None:
        subscription.unsubscribed_at = now
        subscription.save(update_fields=["unsubscribed_at"])
    return subscription
