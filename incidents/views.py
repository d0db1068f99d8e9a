"""The citizens' pages: the public map, filing a report, its confirmation, tracking, the lookup
by code, and public photos (the actions on a tracking page are in
`incidents.reporter_action_views`). Each view parses the request, calls one service or selector,
and renders.

The reporter's secret (handed over once, when the report is filed) proves "I sent this report":
the confirmation page shows it as a private link `/phan-anh/<code>/?khoa=<secret>`; following the
link (or filing the report in this browser) remembers it in the session, and the link is then
answered with a redirect to the plain page, so the secret does not stay in the address bar,
the history or a screenshot.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from geoapp.clock import vietnam_today
from geoapp.exceptions import DomainError, ErrorKind, NotFound
from geoapp.throttling import (
    IncidentCreateContactThrottle,
    IncidentCreateThrottle,
    client_identity,
    throttles_allow,
)
from incidents import events, page_selectors, permissions, selectors, services
from incidents.following.forms import FollowForm
from incidents.forms import (
    IncidentReportForm,
    LookupForm,
    ProvideInformationForm,
    RatingForm,
    ReopenForm,
    category_description,
    category_label,
    choice_label,
    question_label,
)
from incidents.models import (
    OPEN_STATUSES,
    AttributeDatatype,
    Incident,
    IncidentChannel,
    IncidentStatus,
)
from incidents.tracking_codes import tracking_code_normalize
from incidents.tracking_page_selectors import TrackingReport, tracking_report_get

SESSION_REPORTER_TOKENS = "incidents.reporter_tokens"
# The reports a browser remembers being the reporter of; the oldest are forgotten first.
SESSION_REPORTER_TOKENS_LIMIT = 20
REPORTER_TOKEN_PARAMETER = "khoa"
HTTP_STATUS_OF_ERROR = {
    ErrorKind.INVALID: 400,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.CONFLICT: 409,
}
TOO_MANY_REQUESTS = 429
# The stages a report goes through, in order, for the progress bar of the tracking page.
PROGRESS_STAGES = [
    (IncidentStatus.NEW, "reported_at"),
    (IncidentStatus.ACKNOWLEDGED, "acknowledged_at"),
    (IncidentStatus.IN_PROGRESS, "started_at"),
    (IncidentStatus.ANSWERED, "answered_at"),
    (IncidentStatus.RESOLVED, "resolved_at"),
]


# The reporter's secret, remembered per browser


def _remember_reporter_token(request: HttpRequest, tracking_code: str, token: str) -> None:
    tokens = dict(request.session.get(SESSION_REPORTER_TOKENS, {}))
    tokens.pop(tracking_code, None)
    tokens[tracking_code] = token
    while len(tokens) > SESSION_REPORTER_TOKENS_LIMIT:
        tokens.pop(next(iter(tokens)))
    request.session[SESSION_REPORTER_TOKENS] = tokens


def remembered_reporter_token(request: HttpRequest, tracking_code: str) -> str | None:
    return request.session.get(SESSION_REPORTER_TOKENS, {}).get(tracking_code)


def _is_reporter(request: HttpRequest, incident: Incident) -> bool:
    token = remembered_reporter_token(request, incident.tracking_code)
    return permissions.reporter_token_matches(incident, token)


def _private_link(request: HttpRequest, tracking_code: str, token: str) -> str:
    path = reverse("incident-tracking", args=[tracking_code])
    return request.build_absolute_uri(f"{path}?{REPORTER_TOKEN_PARAMETER}={token}")


# Labels the scripts need in the reader's language


def _status_labels() -> dict[str, str]:
    return {status.value: str(status.label) for status in IncidentStatus}


def _is_overdue(incident: Incident, now: datetime.datetime) -> bool:
    return incident.status in OPEN_STATUSES and incident.resolve_by < now


# The home page: the public map


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The public map of reports with its filters, the figures, and the latest public answers."""
    categories = page_selectors.categories_for_pages()
    today = vietnam_today()
    answers = page_selectors.latest_public_answers()
    now = timezone.now()
    figures = page_selectors.public_figures(now=now)
    filters = {name: request.GET.get(name, "") for name in ("category", "status", "area")}
    # Dates travel as ISO in the address (the map's endpoint reads them so) and are shown day
    # first, as Vietnamese write them.
    filters.update({name: _day_first(request.GET.get(name, "")) for name in ("from", "to")})
    labels = {
        "statuses": _status_labels(),
        "categories": {category.code: category_label(category) for category in categories},
    }
    return render(
        request,
        "incidents/home.html",
        {
            "categories": categories,
            "category_groups": _category_groups(categories),
            "statuses": IncidentStatus.choices,
            "communes": page_selectors.communes_for_filter(on=today),
            "figures": figures,
            # Many public reports: the map draws the cached vector tiles of the report grid
            # (static/js/home_map.js) above PUBLIC_MAP_TILES_ABOVE reports.
            "report_tiles_url": (
                "/tiles/phan-anh/{z}/{x}/{y}.mvt"
                if figures.total > settings.PUBLIC_MAP_TILES_ABOVE
                else ""
            ),
            "answers": [
                {
                    "incident": incident,
                    "category_name": category_label(incident.category),
                    "overdue": _is_overdue(incident, now),
                }
                for incident in answers
            ],
            "filters": filters,
            "today": today,
            "labels": labels,
        },
    )


def _day_first(text: str) -> str:
    try:
        return datetime.date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


def _category_groups(categories: list) -> list[tuple[str, list[tuple[str, str]]]]:
    from incidents.forms import grouped_category_choices

    return [choice for choice in grouped_category_choices(categories) if choice[0]]


# Filing a report


def _report_page(
    request: HttpRequest, form: IncidentReportForm, *, status: int = 200
) -> HttpResponse:
    nearby: list[Any] = []
    if form.is_bound and form.point is not None and form.cleaned_data.get("category"):
        try:
            nearby = selectors.duplicate_candidates(
                point=form.point, category_code=form.cleaned_data["category"]
            )
        except DomainError:
            nearby = []
    return render(
        request,
        "incidents/report.html",
        {
            "form": form,
            "category_groups": _category_groups(form.categories),
            "nearby": [
                {
                    "incident": candidate.incident,
                    "distance_metres": round(candidate.distance_metres),
                    "status_label": candidate.incident.get_status_display(),
                }
                for candidate in nearby
            ],
            "photos_max": settings.INCIDENT_PHOTOS_MAX,
            "photo_max_megabytes": f"{settings.INCIDENT_PHOTO_MAX_BYTES / 1_000_000:g}",
            "labels": {"statuses": _status_labels()},
            "category_details": [
                {"code": category.code, "description": category_description(category)}
                for category in form.categories
            ],
            "today": vietnam_today(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """ "Gửi phản ánh": works as a plain HTML form; report_form.js adds the map and the hints."""
    categories = page_selectors.categories_for_pages()
    if request.method != "POST":
        form = IncidentReportForm(
            categories=categories,
            initial={"idempotency_key": uuid.uuid4().hex, "category": request.GET.get("linh-vuc")},
        )
        return _report_page(request, form)

    form = IncidentReportForm(request.POST, request.FILES, categories=categories)
    if not form.is_valid():
        return _report_page(request, form, status=400)
    contacts = (form.cleaned_data["reporter_phone"], form.cleaned_data["reporter_email"])
    throttles = [IncidentCreateThrottle(), *IncidentCreateContactThrottle.for_contacts(*contacts)]
    if not throttles_allow(request, throttles):
        form.add_error(
            None,
            _("Bạn đã gửi quá nhiều phản ánh trong thời gian ngắn; vui lòng thử lại sau ít phút."),
        )
        return _report_page(request, form, status=TOO_MANY_REQUESTS)
    try:
        creation = services.incident_create(
            **form.service_arguments(),
            channel=IncidentChannel.WEB,
            client_identity=client_identity(request),
        )
    except DomainError as error:
        form.add_domain_error(error)
        # Whatever the service's reason (a point outside the territory is "not found" to the
        # API), for the form it is input to correct.
        return _report_page(request, form, status=400)
    code = creation.incident.tracking_code
    _remember_reporter_token(request, code, creation.reporter_token)
    return redirect("incident-report-confirmation", tracking_code=code)


@require_GET
def report_confirmation(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The tracking code and the reporter's private link, shown to the browser that filed it."""
    try:
        incident = selectors.incident_get_by_code(tracking_code=tracking_code)
    except NotFound:
        raise Http404 from None
    token = remembered_reporter_token(request, incident.tracking_code)
    if not permissions.reporter_token_matches(incident, token):
        # Another browser, or a forgotten session: the public page is all there is to show.
        return redirect("incident-tracking", tracking_code=incident.tracking_code)
    return render(
        request,
        "incidents/confirmation.html",
        {
            "incident": incident,
            "category_name": category_label(incident.category),
            "private_link": _private_link(request, incident.tracking_code, token or ""),
            "tracking_link": request.build_absolute_uri(
                reverse("incident-tracking", args=[incident.tracking_code])
            ),
        },
    )


# Tracking


def _attribute_answers(report: TrackingReport) -> list[tuple[str, str]]:
    """The report's answers to its category's questions, as (question, answer) in the reader's
    language; what the reporter typed is public like the description, and hidden with it."""
    incident = report.incident
    questions = {question.code: question for question in report.questions}
    answers = []
    for code, value in (incident.attributes or {}).items():
        question = questions.get(code)
        if question is None or not incident.public_answer_shown(question.datatype):
            continue
        if question.datatype in (
            AttributeDatatype.SINGLE_VALUE_LIST,
            AttributeDatatype.MULTI_VALUE_LIST,
        ):
            names = {str(choice["key"]): choice_label(choice) for choice in question.values}
            keys = value if isinstance(value, list) else [value]
            text = ", ".join(names.get(str(key), str(key)) for key in keys)
        else:
            text = str(value)
        answers.append((question_label(question), text))
    return answers


def _progress(incident: Incident) -> list[dict[str, Any]]:
    """The stages of the handling with the moment each was reached (None: not yet, or skipped)."""
    return [
        {
            "label": status.label,
            "moment": getattr(incident, moment_field),
            "current": incident.status == status,
        }
        for status, moment_field in PROGRESS_STAGES
    ]


def _actor_labels() -> dict[str, str]:
    """The stored labels of citizens, the system and administrators, in the reader's language;
    a unit's name stays as it is."""
    return {
        events.REPORTER_LABEL: _("Người phản ánh"),
        events.SYSTEM_LABEL: _("Hệ thống"),
        events.ADMINISTRATOR_LABEL: _("Quản trị viên"),
    }


def tracking_page_render(
    request: HttpRequest,
    report: TrackingReport,
    *,
    rating_form: RatingForm | None = None,
    reopen_form: ReopenForm | None = None,
    information_form: ProvideInformationForm | None = None,
    follow_form: FollowForm | None = None,
    status: int = 200,
    token_rejected: bool = False,
    action_error: str = "",
) -> HttpResponse:
    incident = report.incident
    now = timezone.now()
    is_reporter = _is_reporter(request, incident)
    finished = incident.status in (IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
    reopen_until = (
        incident.resolved_at + datetime.timedelta(days=settings.INCIDENT_REOPEN_DAYS)
        if incident.resolved_at is not None
        else None
    )
    actor_labels = _actor_labels()
    return render(
        request,
        "incidents/tracking.html",
        {
            "incident": incident,
            "status_label": report.status_label,
            "category_name": category_label(incident.category),
            "answers": _attribute_answers(report),
            # The photo views serve public reports only: a reporter looking at their hidden report
            # reads its text and timeline.
            "photos": report.photos if incident.is_public else [],
            "timeline": [
                {"event": event, "actor": actor_labels.get(event.actor_label, event.actor_label)}
                for event in report.events
            ],
            "progress": _progress(incident),
            "overdue": _is_overdue(incident, now),
            "is_open": incident.status in OPEN_STATUSES,
            "is_reporter": is_reporter,
            "token_rejected": token_rejected,
            "action_error": action_error,
            "can_rate": is_reporter and finished and incident.rating is None,
            "can_reopen": is_reporter
            and finished
            and reopen_until is not None
            and now <= reopen_until,
            "reopen_until": reopen_until,
            "reopen_days": settings.INCIDENT_REOPEN_DAYS,
            "can_provide_information": is_reporter
            and incident.status == IncidentStatus.INFORMATION_REQUESTED,
            "can_support": incident.is_public and incident.status in OPEN_STATUSES,
            # Only a public report can be followed: its reporter looking at a hidden one gets no form.
            "can_follow": incident.is_publicly_visible,
            "follow_form": follow_form or FollowForm(),
            "rating_form": rating_form or RatingForm(),
            "reopen_form": reopen_form or ReopenForm(),
            "information_form": information_form or ProvideInformationForm(),
            "rating_stars": range(1, 6),
            "labels": {"statuses": _status_labels()},
        },
        status=status,
    )


def incident_for_page(request: HttpRequest, tracking_code: str) -> TrackingReport:
    """The public report, or, for its proven reporter, the report even when it is not public."""
    try:
        return tracking_report_get(tracking_code=tracking_code, public_only=True)
    except NotFound:
        code = tracking_code_normalize(tracking_code) or ""
        token = remembered_reporter_token(request, code)
        if token:
            report = tracking_report_get(tracking_code=code, public_only=False)
            if permissions.reporter_token_matches(report.incident, token):
                return report
        raise


def not_found_page(request: HttpRequest, tracking_code: str, error: NotFound) -> HttpResponse:
    form = LookupForm(data={"code": tracking_code})
    form.is_valid()
    form.add_error("code", error.message)
    return render(request, "incidents/lookup.html", {"form": form}, status=404)


@require_GET
def tracking(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """A report's public page: status, deadline, timeline, answer and photos; for its reporter,
    the rating, reopening and information forms."""
    code = tracking_code_normalize(tracking_code)
    if code is not None and code != tracking_code:
        target = reverse("incident-tracking", args=[code])
        query = request.GET.urlencode()
        return redirect(f"{target}?{query}" if query else target)
    token = request.GET.get(REPORTER_TOKEN_PARAMETER)
    token_rejected = False
    if token is not None and code is not None:
        try:
            candidate = selectors.incident_get_by_code(tracking_code=code)
        except NotFound as error:
            return not_found_page(request, tracking_code, error)
        if permissions.reporter_token_matches(candidate, token):
            _remember_reporter_token(request, code, token)
            return redirect("incident-tracking", tracking_code=code)
        token_rejected = True
    try:
        incident = incident_for_page(request, tracking_code)
    except NotFound as error:
        return not_found_page(request, tracking_code, error)
    return tracking_page_render(request, incident, token_rejected=token_rejected)


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    """Find a report by its tracking code (typed as people type it: any case, spaces, O for 0)."""
    if "ma" not in request.GET:
        return render(request, "incidents/lookup.html", {"form": LookupForm()})
    form = LookupForm(data={"code": request.GET.get("ma", "")})
    if not form.is_valid():
        return render(request, "incidents/lookup.html", {"form": form}, status=400)
    try:
        incident = selectors.incident_get_public_by_code(tracking_code=form.cleaned_data["code"])
    except NotFound as error:
        form.add_error("code", error.message)
        return render(request, "incidents/lookup.html", {"form": form}, status=404)
    return redirect("incident-tracking", tracking_code=incident.tracking_code)


# Photos


def _photo_response(tracking_code: str, photo_id: int, *, thumbnail: bool) -> FileResponse:
    try:
        photo = page_selectors.public_photo_get(tracking_code=tracking_code, photo_id=photo_id)
    except NotFound:
        raise Http404 from None
    stored = photo.thumbnail if thumbnail else photo.image
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg" if thumbnail else photo.content_type)
    # Photos never change once stored; hiding one makes this view answer 404 from then on.
    response["Cache-Control"] = "public, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def photo(request: HttpRequest, tracking_code: str, photo_id: int) -> FileResponse:
    """A public photo of a public report (stored without EXIF)."""
    return _photo_response(tracking_code, photo_id, thumbnail=False)


@require_GET
def photo_thumbnail(request: HttpRequest, tracking_code: str, photo_id: int) -> FileResponse:
    return _photo_response(tracking_code, photo_id, thumbnail=True)
