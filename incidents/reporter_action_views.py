"""The reporter's and the public's actions on a tracking page: rating, reopening, sending the
information asked for, supporting and following a report. Each parses the form, calls one service
and answers with a redirect to the page, or with the page again (`incidents.views`) saying what
was refused."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from geoapp.exceptions import DomainError, NotFound
from geoapp.throttling import (
    IncidentSupportThrottle,
    ReporterActionThrottle,
    client_identity,
    throttles_allow,
)
from incidents import selectors, services
from incidents.following.forms import FollowForm
from incidents.following.views import follow_form_submit
from incidents.forms import ProvideInformationForm, RatingForm, ReopenForm
from incidents.views import (
    HTTP_STATUS_OF_ERROR,
    TOO_MANY_REQUESTS,
    incident_for_page,
    not_found_page,
    remembered_reporter_token,
    tracking_page_render,
)


def _too_many_requests() -> str:
    return _("Bạn đã gửi quá nhiều yêu cầu trong thời gian ngắn; vui lòng thử lại sau ít phút.")


def _reporter_action(
    request: HttpRequest,
    tracking_code: str,
    *,
    form_class: type,
    form_argument: str,
    perform: Any,
    success_message: str,
) -> HttpResponse:
    try:
        incident = selectors.incident_get_by_code(tracking_code=tracking_code)
    except NotFound as error:
        return not_found_page(request, tracking_code, error)
    form = form_class(request.POST)
    status = 400
    action_error = ""
    if not throttles_allow(request, [ReporterActionThrottle()]):
        # Said above the page like the service's refusals; the form comes back as it was filled.
        action_error = _too_many_requests()
        status = TOO_MANY_REQUESTS
    elif form.is_valid():
        try:
            perform(
                incident=incident,
                reporter_token=remembered_reporter_token(request, incident.tracking_code),
                data=form.cleaned_data,
            )
        except DomainError as error:
            # Refusals (not the reporter, already rated, too late) are said above the page: the
            # form they came from may no longer be offered.
            action_error = error.message
            status = HTTP_STATUS_OF_ERROR[error.kind]
        else:
            messages.success(request, success_message)
            return redirect("incident-tracking", tracking_code=incident.tracking_code)
    try:
        page_incident = incident_for_page(request, incident.tracking_code)
    except NotFound as error:
        return not_found_page(request, tracking_code, error)
    return tracking_page_render(
        request,
        page_incident,
        status=status,
        action_error=action_error,
        **{form_argument: form},
    )


@require_POST
def rate(request: HttpRequest, tracking_code: str) -> HttpResponse:
    return _reporter_action(
        request,
        tracking_code,
        form_class=RatingForm,
        form_argument="rating_form",
        perform=lambda incident, reporter_token, data: services.incident_rate(
            incident=incident,
            reporter_token=reporter_token,
            rating=data["rating"],
            comment=data["comment"],
        ),
        success_message=_("Cảm ơn bạn đã đánh giá kết quả xử lý."),
    )


@require_POST
def reopen(request: HttpRequest, tracking_code: str) -> HttpResponse:
    return _reporter_action(
        request,
        tracking_code,
        form_class=ReopenForm,
        form_argument="reopen_form",
        perform=lambda incident, reporter_token, data: services.incident_reopen(
            incident=incident, reporter_token=reporter_token, reason=data["reason"]
        ),
        success_message=_("Phản ánh đã được mở lại; đơn vị sẽ tiếp tục xử lý."),
    )


@require_POST
def provide_information(request: HttpRequest, tracking_code: str) -> HttpResponse:
    return _reporter_action(
        request,
        tracking_code,
        form_class=ProvideInformationForm,
        form_argument="information_form",
        perform=lambda incident, reporter_token, data: services.incident_provide_information(
            incident=incident, reporter_token=reporter_token, information=data["information"]
        ),
        success_message=_("Đã gửi thông tin bổ sung cho đơn vị xử lý."),
    )


@require_POST
def support(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """ "Ủng hộ phản ánh này": counted once per client, as the API counts it."""
    try:
        incident = selectors.incident_get_public_by_code(tracking_code=tracking_code)
    except NotFound as error:
        return not_found_page(request, tracking_code, error)
    if not throttles_allow(request, [IncidentSupportThrottle()]):
        return tracking_page_render(
            request,
            incident_for_page(request, incident.tracking_code),
            status=TOO_MANY_REQUESTS,
            action_error=_too_many_requests(),
        )
    try:
        services.incident_support(
            incident=incident,
            supporter_identity=client_identity(request),
        )
    except DomainError as error:
        messages.warning(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Cảm ơn bạn đã ủng hộ phản ánh %(code)s; đơn vị xử lý sẽ thấy thêm một người quan tâm."
            )
            % {"code": incident.tracking_code},
        )
    return redirect("incident-tracking", tracking_code=incident.tracking_code)


@require_POST
def follow(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """ "Theo dõi qua e-mail" (incidents/following/views.py): a public report only."""
    try:
        incident = selectors.incident_get_public(tracking_code=tracking_code)
    except NotFound as error:
        return not_found_page(request, tracking_code, error)
    form = FollowForm(request.POST)
    status = follow_form_submit(request, form, tracking_code=incident.tracking_code)
    if status is None:
        return redirect(reverse("incident-tracking", args=[incident.tracking_code]) + "#theo-doi")
    return tracking_page_render(
        request,
        incident_for_page(request, incident.tracking_code),
        follow_form=form,
        status=status,
    )
