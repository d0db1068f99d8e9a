"""Open311 GeoReport v2 at /open311/v2/: parse the arguments, call one selector or service, render.

Every endpoint answers in XML (`.xml`) or JSON (`.json`); errors are the specification's list of
`{code, description}` with HTTP 400, 403 (missing or wrong api_key) or 404 (unknown resource,
service_code or jurisdiction_id). Texts are in Vietnamese, or in English with `locale=en` or an
`Accept-Language: en` header. The choices made where the specification is loose are listed in
docs/open311.md.

These are plain Django views rather than DRF ones: the specification fixes its own formats, error
bodies and form-encoded input, which is what Django offers without a negotiation layer to undo.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.contrib.gis.geos import Point
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from geoapp.api import IDEMPOTENCY_HEADER
from geoapp.api_keys import api_client_authenticate, api_client_identity
from geoapp.authentication import API_KEY_HEADER
from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.coordinates import parse_point
from geoapp.error_responses import Message
from geoapp.exceptions import DomainError, ErrorKind, InvalidInput
from geoapp.hostile_input import Refusal, control_character_field
from geoapp.models import ApiClient
from geoapp.outages import (
    DATABASE_UNAVAILABLE_ERRORS,
    RETRY_AFTER_SECONDS,
    database_unavailable_log,
    database_unavailable_message,
)
from geoapp.request_limits import REQUEST_REFUSALS, RequestRefusal, request_refusal
from geoapp.throttling import ApiKeyIncidentCreateThrottle, IncidentCreateContactThrottle
from incidents import services
from incidents.models import IncidentChannel
from incidents.open311 import selectors
from incidents.open311.formats import Document, OutputFormat, errors_document, render

LANGUAGES = ("vi", "en")
MEDIA_URL_MAX_LENGTH = 1000
# device_id and account_id are not kept (account_id is only echoed back): a bound on their size.
CLIENT_IDENTIFIER_MAX_LENGTH = 200
# The dates a filter may name: beyond them PostgreSQL (time zone offsets past ±15:59) or Python
# (the year 10000 of a 90-day window) would fail rather than answer.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=UTC)
LATEST_MOMENT = datetime(3000, 1, 1, tzinfo=UTC)
_ATTRIBUTE_FIELD = re.compile(r"^attribute\[([^\]]+)\](\[\])?$")
# Errors whose resource is named by the request itself (in the URL, or service_code), answered
# 404 as the specification asks; any other "not found" met while filing a report (no area or no
# unit at the point) is a fault of the submitted data, answered 400.
_NOT_FOUND_RESOURCES = frozenset(
    {"jurisdiction_not_found", "service_not_found", "service_request_not_found", "token_not_found"}
)


class Throttled(DomainError):
    """Too many reports from one API key (the core's INCIDENT_CREATE_RATE), or with one reporter
    phone number or e-mail address (INCIDENT_CREATE_CONTACT_RATE)."""

    kind = ErrorKind.CONFLICT
    code = "throttled"

    def __init__(self, message: str, *, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class RequestRefused(DomainError):
    """A body Django refused to read (too large, too many files or fields)."""

    def __init__(self, refusal: RequestRefusal) -> None:
        super().__init__(refusal.error.message, code=refusal.error.code)
        self.status = refusal.status


def _http_status(error: DomainError) -> int:
    if isinstance(error, RequestRefused):
        return error.status
    if isinstance(error, Throttled):
        return 429
    if error.kind == ErrorKind.FORBIDDEN:
        return 403
    if error.kind == ErrorKind.NOT_FOUND and error.code in _NOT_FOUND_RESOURCES:
        return 404
    # The specification: "basically 400 for any other error where the request can not be
    # fulfilled as expected" (invalid data, a replayed idempotency key used for another report).
    return 400


def _language(request: HttpRequest) -> str:
    """`locale` (vi, en, en_US, vi-VN...) when given and known; else what LocaleMiddleware chose
    from Accept-Language or the language cookie."""
    requested = request.GET.get("locale") or (
        request.POST.get("locale") if request.method == "POST" else None
    )
    if requested:
        language = requested.strip().lower().replace("_", "-").split("-")[0]
        if language in LANGUAGES:
            return language
    active = (translation.get_language() or "vi").split("-")[0]
    return active if active in LANGUAGES else "vi"


def _argument(request: HttpRequest, name: str) -> str | None:
    """An argument from the form body, else from the query string (for api_key and
    jurisdiction_id, which clients put in either)."""
    if request.method == "POST" and name in request.POST:
        return request.POST.get(name)
    return request.GET.get(name)


def _comma_list(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in str(text or "").split(",") if part.strip())


def _media_url_of(request: HttpRequest) -> Callable[[str, int], str]:
    # The public photo view, as the pages link it: it answers 404 once the photo or its report
    # is hidden, which a fixed address of the storage (/media/…, an object store) never would.
    def absolute(tracking_code: str, photo_id: int) -> str:
        return request.build_absolute_uri(reverse("incident-photo", args=[tracking_code, photo_id]))

    return absolute


@method_decorator(csrf_exempt, name="dispatch")
class Open311View(View):
    """The common frame: output format, language, jurisdiction, errors in the specification's form.

    CSRF protection is off because nothing here acts on a browser's cookies: the only write (POST
    requests) is authorised by the api_key sent with it.
    """

    http_method_names = ["get", "head", "options"]
    output: OutputFormat = OutputFormat.XML

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        requested_format = str(kwargs.pop("format", "xml")).lower()
        unread_body: BaseException | None = None
        try:
            if request.method == "POST":
                # Parsed now, so that a body Django refuses to read is answered below, in the
                # format and language asked, rather than by Django's bare "Bad Request".
                request.POST  # noqa: B018
        except REQUEST_REFUSALS as refused:
            unread_body = refused
        language = _language(request)
        with translation.override(language):
            try:
                if requested_format not in OutputFormat.__members__.values():
                    # XML, the required format, carries the error about the unknown one.
                    self.output = OutputFormat.XML
                    raise InvalidInput(
                        _("Định dạng “%(format)s” không được hỗ trợ; dùng .xml hoặc .json.")
                        % {"format": requested_format},
                        code="unknown_format",
                    )
                self.output = OutputFormat(requested_format)
                self.language = language
                refusal = request_refusal(unread_body)
                if refusal is not None:
                    raise RequestRefused(refusal)
                selectors.jurisdiction_check(_argument(request, "jurisdiction_id"))
                response = super().dispatch(request, *args, **kwargs)
            except DomainError as error:
                response = render(
                    errors_document([(_http_status(error), error.message)]),
                    self.output,
                    status=_http_status(error),
                )
                if isinstance(error, Throttled):
                    response["Retry-After"] = str(error.wait_seconds)
            except DATABASE_UNAVAILABLE_ERRORS as error:
                # A database outage: the specification's errors document, 503, retry shortly.
                database_unavailable_log(request, error)
                response = render(
                    errors_document([(503, database_unavailable_message())]),
                    self.output,
                    status=503,
                )
                response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Content-Language"] = language
        return response

    def http_method_not_allowed(
        self, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        # View._allowed_methods(), which the stubs do not declare.
        allowed = ", ".join(
            method.upper() for method in self.http_method_names if hasattr(self, method)
        )
        response = render(
            errors_document(
                [
                    (
                        405,
                        _("Phương thức %(method)s không được hỗ trợ; dùng %(allowed)s.")
                        % {"method": request.method, "allowed": allowed},
                    )
                ]
            ),
            self.output,
            status=405,
        )
        response["Allow"] = allowed
        return response

    def respond(
        self, root: str, content: list[Any] | dict[str, Any], status: int = 200
    ) -> HttpResponse:
        return render(Document(root=root, content=content), self.output, status=status)


def error_response(request: HttpRequest, status: int, code: str, message: Message) -> HttpResponse:
    """Open311's answer to an error met outside its views (geoapp/error_responses.py: a control
    character, an unknown address): the specification's error list, in the format of the path's
    suffix (XML for any other, as `Open311View` does) and the language of `locale`."""
    json_requested = request.path.lower().endswith("." + OutputFormat.JSON)
    output = OutputFormat.JSON if json_requested else OutputFormat.XML
    language = _language(request)
    with translation.override(language):
        response = render(errors_document([(status, message())]), output, status=status)
    response["Content-Language"] = language
    return response


class DiscoveryView(Open311View):
    def get(self, request: HttpRequest) -> HttpResponse:
        endpoint_url = request.build_absolute_uri(reverse("open311-endpoint")).rstrip("/")
        return self.respond("discovery", selectors.discovery(endpoint_url=endpoint_url))


class ServiceListView(Open311View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.respond("services", selectors.service_list(language=self.language))


class ServiceDefinitionView(Open311View):
    def get(self, request: HttpRequest, service_code: str) -> HttpResponse:
        return self.respond(
            "service_definition",
            selectors.service_definition(service_code=service_code, language=self.language),
        )


def _parse_moment(text: str | None, *, name: str, end_of_day: bool) -> datetime | None:
    """A W3C date-time (`2025-07-01T00:00:00Z`, `…+07:00`); a bare date (`2025-07-01`) means that
    whole day in Vietnam time, and a time without offset means Vietnam time."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time.min, tzinfo=VIETNAM_TIME_ZONE)
            if end_of_day:
                moment += timedelta(days=1, microseconds=-1)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("%(name)s “%(value)s” không hợp lệ; dùng dạng W3C, ví dụ 2025-07-01T00:00:00+07:00.")
            % {"name": name, "value": text},
            code="invalid_datetime",
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TIME_ZONE)
    try:
        # In UTC, so that the database never sees an offset it cannot hold (it accepts ±15:59,
        # Python ±23:59).
        moment = moment.astimezone(UTC)
    except OverflowError:
        moment = LATEST_MOMENT if moment.year > 1 else EARLIEST_MOMENT - timedelta(days=1)
    if not EARLIEST_MOMENT <= moment < LATEST_MOMENT:
        raise InvalidInput(
            _("%(name)s “%(value)s” nằm ngoài khoảng cho phép (từ năm 1900 đến năm 2999).")
            % {"name": name, "value": text},
            code="datetime_out_of_range",
        )
    return moment


def _request_filters(arguments: QueryDict) -> selectors.RequestFilters:
    identifiers = _comma_list(arguments.get("service_request_id"))
    if len(identifiers) > selectors.MAX_REQUESTS:
        raise InvalidInput(
            _("Tối đa %(limit)d service_request_id trong một lần hỏi.")
            % {"limit": selectors.MAX_REQUESTS},
            code="too_many_identifiers",
        )
    statuses = _comma_list(arguments.get("status"))
    for status in statuses:
        if status not in (selectors.STATUS_OPEN, selectors.STATUS_CLOSED):
            raise InvalidInput(
                _("status “%(status)s” không hợp lệ; dùng open hoặc closed.") % {"status": status},
                code="invalid_status",
            )
    return selectors.RequestFilters(
        service_request_ids=identifiers,
        service_codes=_comma_list(arguments.get("service_code")),
        start=_parse_moment(arguments.get("start_date"), name="start_date", end_of_day=False),
        end=_parse_moment(arguments.get("end_date"), name="end_date", end_of_day=True),
        statuses=statuses,
    )


def _attributes(form: QueryDict) -> dict[str, object]:
    """`attribute[CODE]=value`, and `attribute[CODE][]=value` repeated for a multivaluelist."""
    answers: dict[str, object] = {}
    for key in form:
        match = _ATTRIBUTE_FIELD.match(key)
        if match is None:
            if key.startswith("attribute["):
                # A client's mistake (attribute[], attribute[CODE][][], a bracket missing): left
                # out silently, the answer it carried would be lost.
                raise InvalidInput(
                    _("Trường %(name)s không đúng dạng attribute[MÃ] hoặc attribute[MÃ][].")
                    % {"name": key},
                    code="malformed_attribute_field",
                )
            continue
        values = form.getlist(key)
        answers[match.group(1)] = values if match.group(2) or len(values) > 1 else values[0]
    return answers


def _location(form: QueryDict) -> Point:
    latitude, longitude = form.get("lat", "").strip(), form.get("long", "").strip()
    if latitude or longitude:
        return parse_point(latitude, longitude)
    if form.get("address_string", "").strip() or form.get("address_id", "").strip():
        # The machine works offline: there is no geocoder to turn an address into a point, and a
        # report must be located to be routed to the responsible commune.
        raise InvalidInput(
            _(
                "Cần gửi vị trí bằng lat và long: hệ thống chưa thể xác định vị trí từ "
                "address_string hay address_id. address_string được lưu làm địa chỉ khi gửi "
                "kèm lat và long."
            ),
            code="location_needs_coordinates",
        )
    raise InvalidInput(_("Thiếu vị trí: gửi lat và long (WGS 84)."), code="missing_location")


def _refuse_undecodable_form(request: HttpRequest) -> None:
    """A urlencoded form must decode in its declared charset (UTF-8 when none is declared).

    Django replaces undecodable bytes with U+FFFD (and reads nothing with an unknown charset):
    the citizen's text would be stored garbled, or refused for a reason that is not the real one.
    """
    if request.content_type != "application/x-www-form-urlencoded":
        return
    # Django ignores a charset it does not know and reads the form as UTF-8: refused here.
    encoding = (request.content_params or {}).get("charset") or settings.DEFAULT_CHARSET
    try:
        codecs.lookup(encoding)
        parse_qsl(request.body.decode("ascii"), encoding=encoding, errors="strict")
    except (LookupError, UnicodeDecodeError):
        raise InvalidInput(
            _("Biểu mẫu không đọc được theo bảng mã đã khai (UTF-8 nếu không khai)."),
            code="undecodable_form",
        ) from None


def _refuse_repeated_fields(form: QueryDict) -> None:
    # Only a multivaluelist's answers and photos may come more than once; for any other field
    # Django would keep the last value, a silent choice among what the client sent.
    for name, values in form.lists():
        if len(values) > 1 and name != "media" and not _ATTRIBUTE_FIELD.match(name):
            raise InvalidInput(
                _("Trường %(name)s được gửi nhiều lần; mỗi trường chỉ gửi một lần.")
                % {"name": name},
                code="repeated_field",
            )


def _client_identifier(form: QueryDict, name: str) -> str | None:
    value = form.get(name) or None
    if value is not None and len(value) > CLIENT_IDENTIFIER_MAX_LENGTH:
        raise InvalidInput(
            _("%(field)s dài tối đa %(limit)d ký tự.")
            % {"field": name, "limit": CLIENT_IDENTIFIER_MAX_LENGTH},
            code="too_long",
        )
    return value


def _refuse_control_characters(form: QueryDict) -> None:
    # Multipart forms are not read by the middleware (geoapp/hostile_input.py), which
    # refuses control characters everywhere else; the same refusal, for a filed report's form.
    field = control_character_field(form)
    if field is not None:
        raise InvalidInput(Refusal(field).message(), code="control_character")


def _media_url(text: str | None) -> str:
    url = str(text or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > MEDIA_URL_MAX_LENGTH:
        raise InvalidInput(
            _("media_url phải là một địa chỉ http hoặc https, dài tối đa %(limit)d ký tự.")
            % {"limit": MEDIA_URL_MAX_LENGTH},
            code="invalid_media_url",
        )
    return url


class ServiceRequestsView(Open311View):
    """GET: public service requests. POST: file a report with an api_key."""

    http_method_names = ["get", "post", "head", "options"]

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.respond(
            "service_requests",
            selectors.service_requests(
                filters=_request_filters(request.GET),
                language=self.language,
                media_url_of=_media_url_of(request),
            ),
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        _refuse_undecodable_form(request)
        form = request.POST
        _refuse_control_characters(form)
        _refuse_repeated_fields(form)
        client = api_client_authenticate(
            _argument(request, "api_key") or request.headers.get(API_KEY_HEADER)
        )
        self._throttle(request, client, contacts=(form.get("phone", ""), form.get("email", "")))
        if not form.get("service_code", "").strip():
            raise InvalidInput(_("Thiếu service_code."), code="missing_service_code")
        category = selectors.service_get(service_code=form["service_code"])
        point = _location(form)
        media_url = _media_url(form.get("media_url"))
        _client_identifier(form, "device_id")
        account_id = _client_identifier(form, "account_id")
        given_name, family_name = form.get("first_name", ""), form.get("last_name", "")
        creation = services.incident_create(
            category_code=category.code,
            description=form.get("description", ""),
            point=point,
            channel=IncidentChannel.OPEN311,
            address=form.get("address_string", ""),
            attributes=_attributes(form),
            # Vietnamese names are written family name first.
            reporter_name=" ".join(
                part.strip() for part in (family_name, given_name) if part.strip()
            ),
            reporter_phone=form.get("phone", ""),
            reporter_email=form.get("email", ""),
            # Contact details sent with a report are given so that the unit can get back to
            # the reporter; device_id and account_id are not kept (nothing needs them).
            reporter_may_be_contacted=bool(
                form.get("phone", "").strip() or form.get("email", "").strip()
            ),
            photos=request.FILES.getlist("media"),
            media_url=media_url,
            client_identity=api_client_identity(client),
            idempotency_key=request.headers.get(IDEMPOTENCY_HEADER, ""),
        )
        return self.respond(
            "service_requests",
            [
                {
                    "service_request_id": creation.incident.tracking_code,
                    "service_notice": selectors.service_notice_for_created(
                        incident=creation.incident, language=self.language
                    ),
                    "account_id": account_id,
                }
            ],
            status=201 if creation.created else 200,
        )

    def _throttle(
        self, request: HttpRequest, client: ApiClient, *, contacts: tuple[str, str]
    ) -> None:
        throttle = ApiKeyIncidentCreateThrottle(client)
        if not throttle.allow_request(request, self):
            wait = int(throttle.wait() or 1)
            raise Throttled(
                _("Ứng dụng đã gửi quá nhiều phản ánh; thử lại sau %(seconds)d giây.")
                % {"seconds": wait},
                wait_seconds=wait,
            )
        # An application relays many citizens: its key is one count, and each reporter's
        # contact another, whichever application (or key) sends it.
        for contact_throttle in IncidentCreateContactThrottle.for_contacts(*contacts):
            if not contact_throttle.allow_request(request, self):
                wait = int(contact_throttle.wait() or 1)
                raise Throttled(
                    _(
                        "Số điện thoại hoặc thư điện tử này đã được dùng để gửi quá nhiều phản "
                        "ánh; thử lại sau %(seconds)d giây."
                    )
                    % {"seconds": wait},
                    wait_seconds=wait,
                )


class ServiceRequestView(Open311View):
    def get(self, request: HttpRequest, service_request_id: str) -> HttpResponse:
        return self.respond(
            "service_requests",
            selectors.service_request(
                service_request_id=service_request_id,
                language=self.language,
                media_url_of=_media_url_of(request),
            ),
        )


class TokenView(Open311View):
    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        return self.respond("service_requests", selectors.service_request_id_for_token(token=token))
