"""Reads of the notifications app: subscriptions from their links, and the active ones of a subject.

Which subjects may be followed, and who follows what a subject contains (the areas covering a
report, for instance), is the business of the app that offers the following.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from geoapp.exceptions import NotFound
from notifications import subscription_tokens
from notifications.models import Subscription


def subscriptions_active(subscriptions: QuerySet[Subscription]) -> QuerySet[Subscription]:
    """Confirmed and not unsubscribed: the subscriptions that receive messages."""
    return subscriptions.filter(confirmed_at__isnull=False, unsubscribed_at__isnull=True)


def subject_followers(*, subject: Model) -> list[Subscription]:
    """The active subscriptions to `subject` itself, oldest first."""
    return list(
        subscriptions_active(
            Subscription.objects.filter(
                subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
            )
        ).order_by("id")
    )


def subscription_from_unsubscribe_token(*, token: str, for_update: bool = False) -> Subscription:
    invalid = NotFound(
        _("Liên kết không hợp lệ hoặc đã hết hạn. Bạn có thể đăng ký theo dõi lại."),
        code="invalid_subscription_link",
    )
    try:
        subscription_id = subscription_tokens.unsubscribe_subscription_id_read(token)
    except subscription_tokens.InvalidSubscriptionToken:
        raise invalid from None
    subscriptions = Subscription.objects.select_related("subject_type")
    if for_update:
        subscriptions = subscriptions.select_for_update(of=("self",))
    subscription = subscriptions.filter(pk=subscription_id).first()
    if subscription is None:
        raise invalid
    return subscription
