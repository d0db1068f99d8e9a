"""The follow-by-e-mail forms of the public pages: a report's tracking page and an area's page.

A form posts to a page view (never to the JSON API), which calls the same service as the API
(`services.subscription_request`) behind the same limits (`subscription_request_throttles`), and
answers the same whether or not the address already follows, or waits to confirm: the page must
not tell anyone which addresses follow what. The confirmation e-mail, its link and the one-click
unsubscribe of every later e-mail are the notifications app's, as for the API.

Without JavaScript: an accepted request is redirected to the page with a message (POST, redirect,
GET); a refused one gets the page again with the reason and the address as typed. The tracking
page's form is answered by `incidents.reporter_action_views.follow`, which renders that page; this module has
the part both forms share, and the area's page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from geoapp.exceptions import DomainError, ErrorKind, NotFound
from geoapp.throttling import subscription_request_throttles, throttles_allow
from incidents.following import selectors, services
from incidents.following.forms import FollowForm
from incidents.following.selectors import AreaPage


def follow_request_accepted() -> str:
    # The API's answer, word for word (incidents/following/apis.py).
    return _(
        "Đã ghi nhận. Nếu cần, một thư xác nhận đã được gửi đến địa chỉ của bạn: hãy mở liên kết "
        "trong thư để bắt đầu theo dõi."
    )


def follow_form_submit(
    request: HttpRequest,
    form: FollowForm,
    *,
    tracking_code: str | None = None,
    area_id: int | None = None,
) -> int | None:
    """Ask to follow the report or the area from a page's bound `form`: None when the request was
    accepted (the message is set for the next page), else the HTTP status of the refusal, whose
    reason is on the form. A refusal writes nothing."""
    # Counted before the address is read, as DRF counts the API's requests: a client trying
    # addresses is limited like any other.
    if not throttles_allow(request, subscription_request_throttles(request.POST.get("email"))):
        form.add_error(
            None,
            _(
                "Bạn đã gửi quá nhiều yêu cầu theo dõi trong thời gian ngắn; vui lòng thử lại sau "
                "ít phút."
            ),
        )
        return 429
    if not form.is_valid():
        return 400
    try:
        services.subscription_request(
            email=form.cleaned_data["email"], tracking_code=tracking_code, area_id=area_id
        )
    except DomainError as error:
        form.add_error("email" if error.code == "invalid_email" else None, error.message)
        return 404 if error.kind == ErrorKind.NOT_FOUND else 400
    messages.success(request, follow_request_accepted())
    return None


def _area_page(
    request: HttpRequest, page: AreaPage, *, form: FollowForm | None = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "incidents/area.html",
        {
            "page": page,
            "area": page.area,
            "follow_form": form or FollowForm(),
            "follow_action": reverse("area-follow", args=[page.area.pk]),
        },
        status=status,
    )


def _area_not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return render(request, "incidents/area.html", {"error": error.message}, status=404)


@require_GET
def area(request: HttpRequest, area_id: int) -> HttpResponse:
    """An area's public page: what it is, its latest public reports, its feed, and (for an area
    valid today) the form to follow it by e-mail."""
    try:
        page = selectors.area_page_get(area_id=area_id)
    except NotFound as error:
        return _area_not_found(request, error)
    return _area_page(request, page)


@require_POST
def area_follow(request: HttpRequest, area_id: int) -> HttpResponse:
    try:
        page = selectors.area_page_get(area_id=area_id)
    except NotFound as error:
        return _area_not_found(request, error)
    form = FollowForm(request.POST)
    status = follow_form_submit(request, form, area_id=page.area.pk)
    if status is None:
        return redirect(reverse("area-page", args=[page.area.pk]) + "#theo-doi")
    return _area_page(request, page, form=form, status=status)
