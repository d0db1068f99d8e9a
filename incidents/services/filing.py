"""Filing a report: validate, route it on its date, set its deadlines, store it with its first
event and the messages announcing it, in one statement (with its photos, in one transaction)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO, ParamSpec, TypeVar

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import Conflict, InvalidInput
from geoapp.selectors import working_calendar
from geoapp.sql import AlsoInStatement, InsertUnlessExists, InsertUnlessExistsWithChild
from incidents import events, notifications, selectors
from incidents.attribute_answers import attribute_answers_clean
from incidents.deadlines import deadlines_compute
from incidents.models import (
    DESCRIPTION_MAX_LENGTH,
    Incident,
    IncidentChannel,
    IncidentEvent,
    IncidentPriority,
    IncidentStatus,
    PhotoKind,
)
from incidents.photos import PhotoMetadata, photo_prepare
from incidents.photos import photo_metadata_read as _photo_metadata_read
from incidents.reporter_tokens import reporter_token_for, reporter_token_hash
from incidents.services import steps
from incidents.tracking_codes import tracking_code_generate
from notifications.services import notifications_dispatch_after_commit
from wards.selectors import route_point

IDEMPOTENCY_KEY_MAX_LENGTH = 100
# The choices' values once: `Choices.values` builds its list anew on every read.
_CHANNELS = frozenset(IncidentChannel.values)
_PRIORITIES = frozenset(IncidentPriority.values)
# The fields' names in the errors of validation, translated only for an error (four gettext calls
# per report otherwise: ~2 % of a filing's CPU, docs/benchmarks.md).
_NAME_FIELD = gettext_lazy("họ tên")
_DESCRIPTION_FIELD = gettext_lazy("nội dung phản ánh")
_ADDRESS_FIELD = gettext_lazy("địa chỉ")
_MEDIA_URL_FIELD = gettext_lazy("đường dẫn ảnh (media_url)")
# A report dated in the future by more than clock drift is a mistake, not a plan.
ALLOWED_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class IncidentCreation:
    """The filed report, the reporter's secret (shown once to them) and whether it is new.

    `created` is False when the same client retried with the same idempotency key: nothing new
    was written and the first report is returned.
    """

    incident: Incident
    reporter_token: str
    created: bool


def photo_metadata_read(*, file: IO[bytes]) -> PhotoMetadata:
    """The position and time a photo's EXIF proposes for a report; nothing is stored."""
    return _photo_metadata_read(file)


def _clean_reporter(*, name: str, phone: str, email: str) -> tuple[str, str, str]:
    name = steps.optional_text(name, field=_NAME_FIELD, limit=200)
    phone = str(phone or "").strip()
    if phone and (len(phone) > 30 or not all(c.isdigit() or c in " +-.()" for c in phone)):
        raise InvalidInput(
            _("Số điện thoại “%(phone)s” không hợp lệ.") % {"phone": phone}, code="invalid_phone"
        )
    email = str(email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                _("Địa chỉ thư điện tử “%(email)s” không hợp lệ.") % {"email": email},
                code="invalid_email",
            ) from None
    return name, phone, email


def _idempotent_replay(
    *, fingerprint: str, idempotency_key: str, category_code: str, description: str
) -> IncidentCreation | None:
    existing = (
        Incident.objects.select_related("category", "agency", "area")
        .filter(client_fingerprint=fingerprint, idempotency_key=idempotency_key)
        .first()
    )
    if existing is None:
        return None
    if existing.category.code != str(
        category_code
    ).strip() or existing.description != steps.clean_text(description):
        raise Conflict(
            _(
                "Khóa chống gửi trùng “%(key)s” đã được dùng cho một phản ánh khác; hãy dùng khóa "
                "mới cho mỗi phản ánh."
            )
            % {"key": idempotency_key},
            code="idempotency_key_reused",
        )
    return IncidentCreation(
        incident=existing, reporter_token=reporter_token_for(existing.tracking_code), created=False
    )


class _CatalogueChanged(Exception):
    """The categories or their questions changed since this process kept the report's category:
    nothing was written, and the report is filed again on the category read anew."""


# True while a report is filed again after _CatalogueChanged: the kept categories were forgotten,
# so its category is read just before the report is written, as it was before categories were
# kept, and the revision is not checked again (a second change in between would not refuse it).
_category_read_anew: ContextVar[bool] = ContextVar("incidents_category_read_anew", default=False)

_Parameters = ParamSpec("_Parameters")
_Result = TypeVar("_Result")


def _filed_again_if_catalogue_changed(
    file: Callable[_Parameters, _Result],
) -> Callable[_Parameters, _Result]:
    @functools.wraps(file)
    def filed(*args: _Parameters.args, **kwargs: _Parameters.kwargs) -> _Result:
        try:
            return file(*args, **kwargs)
        except _CatalogueChanged:
            selectors.filing_categories_forget()
            token = _category_read_anew.set(True)
            try:
                return file(*args, **kwargs)
            finally:
                _category_read_anew.reset(token)

    return filed


@_filed_again_if_catalogue_changed
def incident_create(
    *,
    category_code: str,
    description: str,
    point: Point,
    channel: IncidentChannel | str,
    address: str = "",
    media_url: str = "",
    priority: IncidentPriority | str = IncidentPriority.NORMAL,
    reported_at: datetime | None = None,
    attributes: Mapping[str, object] | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    reporter_may_be_contacted: bool = False,
    is_public: bool = True,
    photos: Sequence[IO[bytes]] = (),
    client_identity: str = "",
    idempotency_key: str = "",
    actor: User | None = None,
    at: datetime | None = None,
) -> IncidentCreation:
    """File a report: validate, route on its date, set its deadlines, store it with its first event.

    `client_identity` names who submits (an account, an API key, a network address); with an
    `idempotency_key`, the same client sending the same key again gets the first report back and
    nothing new is written. `actor` is the officer filing on a citizen's behalf (hotline,
    counter); None for the citizen themselves. `at` is the moment the report is received
    (default: now); `reported_at`, when the citizen reported it, defaults to it.
    """
    fingerprint = steps.identity_fingerprint(client_identity) if client_identity else ""
    idempotency_key = str(idempotency_key or "").strip()
    if len(idempotency_key) > IDEMPOTENCY_KEY_MAX_LENGTH:
        raise InvalidInput(
            _("Khóa chống gửi trùng dài tối đa %(limit)d ký tự.")
            % {"limit": IDEMPOTENCY_KEY_MAX_LENGTH},
            code="invalid_idempotency_key",
        )
    if idempotency_key:
        replay = _idempotent_replay(
            fingerprint=fingerprint,
            idempotency_key=idempotency_key,
            category_code=category_code,
            description=description,
        )
        if replay is not None:
            return replay

    read_anew = _category_read_anew.get()
    filing_category = selectors.category_for_filing(code=category_code)
    category, questions = filing_category.found.category, filing_category.found.questions
    description = steps.required_text(
        description, field=_DESCRIPTION_FIELD, limit=DESCRIPTION_MAX_LENGTH
    )
    address = steps.optional_text(address, field=_ADDRESS_FIELD, limit=500)
    media_url = steps.optional_text(media_url, field=_MEDIA_URL_FIELD, limit=1000)
    if channel not in _CHANNELS:
        raise InvalidInput(_("Kênh tiếp nhận “%(channel)s” không hợp lệ.") % {"channel": channel})
    if priority not in _PRIORITIES:
        raise InvalidInput(_("Mức độ “%(priority)s” không hợp lệ.") % {"priority": priority})
    answers = attribute_answers_clean(questions=questions, answers=attributes)
    reporter_name, reporter_phone, reporter_email = _clean_reporter(
        name=reporter_name, phone=reporter_phone, email=reporter_email
    )
    now = at or timezone.now()
    moment = reported_at or now
    if timezone.is_naive(moment):
        raise InvalidInput(_("Thời điểm phản ánh phải kèm múi giờ."), code="naive_datetime")
    if moment > now + ALLOWED_CLOCK_SKEW:
        raise InvalidInput(_("Thời điểm phản ánh không được ở tương lai."), code="future_report")
    if len(photos) > settings.INCIDENT_PHOTOS_MAX:
        raise InvalidInput(
            _("Gửi tối đa %(limit)d ảnh cho một phản ánh.")
            % {"limit": settings.INCIDENT_PHOTOS_MAX},
            code="too_many_photos",
        )
    # The report's own date decides the area and the unit: a report of 30 June 2025 belongs to
    # the commune and committee of before the reform, even when it is handled afterwards.
    routing = route_point(
        point=point, category_code=category.code, on=moment.astimezone(VIETNAM_TIME_ZONE).date()
    )
    deadlines = deadlines_compute(
        calendar=working_calendar(), category=category, priority=priority, counted_from=moment
    )
    # Every photo is checked before anything is written, so a bad one leaves no report behind.
    prepared_photos = [photo_prepare(photo) for photo in photos]

    incident = Incident(
        category=category,
        description=description,
        location=point,
        address=address,
        media_url=media_url,
        reported_at=moment,
        area=routing.commune,
        agency=routing.agency,
        status=IncidentStatus.NEW,
        priority=priority,
        channel=channel,
        attributes=answers,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        reporter_may_be_contacted=bool(reporter_may_be_contacted),
        client_fingerprint=fingerprint,
        idempotency_key=idempotency_key,
        is_public=bool(is_public),
        deadlines_from=moment,
        created_at=now,
        updated_at=now,
        acknowledge_by=deadlines.acknowledge_by,
        resolve_by=deadlines.resolve_by,
    )
    first_event = events.incident_created_event_unsaved(
        at=now,
        incident=incident,
        actor=actor,
        actor_label=steps.staff_label(actor, incident)
        if actor is not None
        else events.REPORTER_LABEL,
    )
    # The report, its first event and its messages in one statement, written only if the
    # catalogue is still of the kept category's revision: a statement is atomic by itself, so
    # without photos the filing needs no transaction (or savepoint) of its own.
    also = _REVISION if read_anew else _revision_is(filing_category.revision)
    messages = notifications.incident_created_messages(incident, at=now)
    if messages is not None:
        also = also.then(messages)
    with transaction.atomic() if prepared_photos else contextlib.nullcontext():
        for _attempt in range(5):
            incident.tracking_code = tracking_code_generate()
            reporter_token = reporter_token_for(incident.tracking_code)
            incident.reporter_token_hash = reporter_token_hash(reporter_token)
            # The revision, then (when messages were planned) the array of the messages' ids.
            written, (revision, *messages_written) = _incident_with_first_event_insert(
                incident, first_event, also=also
            )
            if written:
                first_event.incident = incident  # the id the INSERT gave it, and the cached report
                if messages_written:
                    notifications_dispatch_after_commit(messages_written[0])
                break
            if revision != filing_category.revision and not read_anew:
                raise _CatalogueChanged  # nothing was written
            # A unique key collided: a tracking code drawn twice, or the same idempotency key sent
            # twice at the same moment.
            if idempotency_key:
                # The concurrent twin has committed by now (the unique index made this insert
                # wait for it), so the lookup sees it.
                replay = _idempotent_replay(
                    fingerprint=fingerprint,
                    idempotency_key=idempotency_key,
                    category_code=category.code,
                    description=description,
                )
                if replay is not None:
                    return replay
        else:  # pragma: no cover - 32⁸ codes; five collisions in a row mean something else is wrong
            raise Conflict(_("Không tạo được mã tra cứu; vui lòng thử lại."), code="tracking_code")
        for prepared in prepared_photos:
            steps.photo_store(at=now, incident=incident, prepared=prepared, kind=PhotoKind.REPORT)
    return IncidentCreation(incident=incident, reporter_token=reporter_token, created=True)


# Hand-written instead of `save()` in a savepoint: `ON CONFLICT DO NOTHING` leaves the transaction
# usable after a collision (a tracking code drawn twice, or the same idempotency key sent twice at
# once) without one, which saves two statements and the ORM's compiling for every report; and the
# first event goes in the same statement, written only when the report is: one round trip for
# both (docs/benchmarks.md, "Filing in one process, the CPU per report (issue 10)").
_incident_with_first_event_insert = InsertUnlessExistsWithChild(
    # The location for the messages' search of the area's followers.
    InsertUnlessExists(Incident, also_returning=["location"]),
    IncidentEvent,
    link="incident",
)
# The catalogue's revision, read by the statement that writes the report.
_REVISION = AlsoInStatement(selected=f", {selectors.CATALOGUE_REVISION_SQL}")


def _revision_is(revision: int) -> AlsoInStatement:
    """The report written only if the catalogue is of `revision`, the kept category's
    (selectors.category_for_filing)."""
    return AlsoInStatement(
        selected=_REVISION.selected,
        condition=f"{selectors.CATALOGUE_REVISION_SQL} = %s",
        condition_values=[revision],
    )
