"""Pages of the links in subscription emails: confirm, and unsubscribe in one click.

The unsubscribe address answers GET with a page and a button, and POST by unsubscribing. Mail
programs that honour RFC 8058 (List-Unsubscribe-Post: List-Unsubscribe=One-Click) POST to it
without a page or a CSRF token: the signed token in the address is the proof, so the view is
exempt from CSRF checks (a forged POST could only unsubscribe the token's own subscription, which
its holder may do anyway).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from geoapp.exceptions import DomainError
from notifications import selectors, services
from notifications.models import Subscription
from notifications.subjects import following_sentences


def _invalid_link(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(
        request,
        "notifications/subscription_link_invalid.html",
        {"message": error.message},
        status=404,
    )


def _page_context(subscription: Subscription) -> dict[str, object]:
    # The app whose row is followed says how the page names it (notifications/subjects.py).
    subject = subscription.subject
    # The page names the followed row; a subscription whose row is gone cannot be named (before
    # this check, following_sentences failed on None the same way).
    assert subject is not None
    return {"subscription": subscription, "sentences": following_sentences(subject)}


@require_GET
def subscription_confirm_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        subscription = services.subscription_confirm(token=token)
    except DomainError as error:
        return _invalid_link(request, error)
    return render(request, "notifications/subscription_confirmed.html", _page_context(subscription))


@csrf_exempt
@require_http_methods(["GET", "POST"])
def subscription_unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            subscription = services.subscription_unsubscribe(token=token)
            template = "notifications/subscription_unsubscribed.html"
        else:
            subscription = selectors.subscription_from_unsubscribe_token(token=token)
            template = "notifications/subscription_unsubscribe.html"
    except DomainError as error:
        return _invalid_link(request, error)
    return render(request, template, _page_context(subscription))
