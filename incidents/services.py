"""Every write to citizen feedback: filing a report and each step of its handling.

Each action is one transaction that locks the report's row (`select_for_update`), checks the
actor's role and the report's current state on the locked row, changes it, writes its event and
queues notifications for after the commit. A refused action raises a DomainError before writing
anything, so it changes nothing. The state machine is documented in `incidents/models.py` and
docs/incidents.md; `ALLOWED_FROM` below is its executable form.

Concurrency: the row lock serialises every action on one report. Two officers pressing "resolve"
at once, or the reporter reopening while an officer closes, are applied one after the other, and
the second is judged on the state the first left (and refused if no longer allowed), instead of
both reading the same old state and the last write silently winning.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.database import server_binding_cursor
from geoapp.exceptions import Conflict, InvalidInput, NotFound
from geoapp.selectors import working_calendar
from incidents import events, notifications, permissions, selectors
from incidents.attribute_answers import attribute_answers_clean
from incidents.deadlines import deadlines_compute
from incidents.events import moment_text
from incidents.models import (
    DESCRIPTION_MAX_LENGTH,
    OPEN_STATUSES,
    Category,
    CategoryAttribute,
    Incident,
    IncidentAction,
    IncidentChannel,
    IncidentPhoto,
    IncidentPriority,
    IncidentStatus,
    IncidentSupporter,
    PhotoKind,
    RejectionReason,
)
from incidents.photos import PhotoMetadata, PreparedPhoto, photo_prepare
from incidents.photos import photo_metadata_read as _photo_metadata_read
from incidents.reporter_tokens import reporter_token_for, reporter_token_hash
from incidents.selectors import CategoryWithQuestions
from incidents.tracking_codes import tracking_code_generate
from wards.models import Agency, AgencyMembership
from wards.selectors import route_point

Status = IncidentStatus

# The state machine: from which statuses each action may start.
WORKABLE = frozenset(
    {Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.INFORMATION_REQUESTED}
)
ALLOWED_FROM: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({Status.NEW}),
    "assign": OPEN_STATUSES,
    "start": frozenset({Status.ACKNOWLEDGED}),
    "request_information": frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS}),
    "provide_information": frozenset({Status.INFORMATION_REQUESTED}),
    "transfer": WORKABLE,
    "answer": frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.INFORMATION_REQUESTED}),
    "resolve": frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.ANSWERED}),
    "close": frozenset({Status.RESOLVED}),
    "reject": WORKABLE,
    "mark_duplicate": WORKABLE,
    "reopen": frozenset({Status.RESOLVED, Status.CLOSED}),
    "support": OPEN_STATUSES,
    "rate": frozenset({Status.RESOLVED, Status.CLOSED}),
    "set_priority": OPEN_STATUSES,
}

ACTION_LABELS = {
    "acknowledge": gettext_lazy("tiếp nhận"),
    "assign": gettext_lazy("giao xử lý"),
    "start": gettext_lazy("bắt đầu xử lý"),
    "request_information": gettext_lazy("đề nghị bổ sung thông tin cho"),
    "provide_information": gettext_lazy("bổ sung thông tin cho"),
    "transfer": gettext_lazy("chuyển"),
    "answer": gettext_lazy("trả lời"),
    "resolve": gettext_lazy("giải quyết xong"),
    "close": gettext_lazy("đóng"),
    "reject": gettext_lazy("từ chối"),
    "mark_duplicate": gettext_lazy("đánh dấu trùng"),
    "reopen": gettext_lazy("mở lại"),
    "support": gettext_lazy("ủng hộ"),
    "rate": gettext_lazy("đánh giá"),
    "set_priority": gettext_lazy("đổi mức độ của"),
}

TEXT_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 500
IDEMPOTENCY_KEY_MAX_LENGTH = 100
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


# Helpers


def _now() -> datetime:
    return timezone.now()


def _fingerprint(identity: str) -> str:
    return hashlib.sha256(identity.encode()).hexdigest()


def _locked(incident: Incident) -> Incident:
    # The lock is taken on a fresh read: the caller's instance may be stale, and every decision
    # below must be made on the state as it is now, not as it was when the caller loaded it.
    try:
        return Incident.objects.select_for_update().get(pk=incident.pk)
    except Incident.DoesNotExist:
        raise NotFound(_("Không tìm thấy phản ánh.")) from None


def _require_status(incident: Incident, action: str) -> None:
    if incident.status not in ALLOWED_FROM[action]:
        raise Conflict(
            _("Không thể %(action)s phản ánh %(code)s khi đang ở trạng thái “%(status)s”.")
            % {
                "action": ACTION_LABELS[action],
                "code": incident.tracking_code,
                "status": incident.get_status_display(),
            },
            code="invalid_transition",
        )


def _staff_label(actor: AbstractBaseUser, incident: Incident) -> str:
    # The public timeline shows the unit, not the officer's name.
    if incident.agency_id in permissions.member_agency_ids(actor):
        return incident.agency.name
    return events.ADMINISTRATOR_LABEL


def _staff_action(*, actor: AbstractBaseUser, incident: Incident, action: str) -> Incident:
    """Lock the row, then check the role and the state on the locked row."""
    locked = _locked(incident)
    permissions.require_can_act(actor, locked)
    _require_status(locked, action)
    return locked


def _reporter_action(*, incident: Incident, reporter_token: str | None, action: str) -> Incident:
    locked = _locked(incident)
    permissions.require_reporter(locked, reporter_token)
    _require_status(locked, action)
    return locked


def _clean_text(value: object) -> str:
    # NUL cannot be stored in a PostgreSQL text column and never means anything in a message.
    return str(value or "").replace("\x00", "").strip()


def _required_text(value: object, *, field: str, limit: int = TEXT_MAX_LENGTH) -> str:
    text = _clean_text(value)
    if not text:
        raise InvalidInput(_("Vui lòng nhập %(field)s.") % {"field": field}, code="required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(field)s dài tối đa %(limit)d ký tự.")
            % {"field": field.capitalize(), "limit": limit},
            code="too_long",
        )
    return text


def _optional_text(value: object, *, field: str, limit: int) -> str:
    text = _clean_text(value)
    if len(text) > limit:
        raise InvalidInput(
            _("%(field)s dài tối đa %(limit)d ký tự.")
            % {"field": field.capitalize(), "limit": limit},
            code="too_long",
        )
    return text


def _public_event_notices_plan(incident: Incident, event_id: int) -> None:
    notifications.notify_incident_updated(incident.id, event_id)


def _active_category(code: str) -> CategoryWithQuestions:
    found = selectors.category_with_questions(code=str(code or "").strip())
    if found is None or not found.category.is_active:
        raise InvalidInput(
            _("Lĩnh vực “%(code)s” không tồn tại hoặc đã ngừng sử dụng.") % {"code": code},
            code="unknown_category",
        )
    return found


def _save_photo(*, incident: Incident, prepared: PreparedPhoto, kind: PhotoKind) -> IncidentPhoto:
    photo = IncidentPhoto(
        incident=incident,
        kind=kind,
        content_type=prepared.content_type,
        width=prepared.width,
        height=prepared.height,
        taken_at=prepared.metadata.taken_at,
        exif_location=prepared.metadata.point,
    )
    name = prepared.file_name()
    photo.image.save(name, ContentFile(prepared.content), save=False)
    photo.thumbnail.save(
        name.rsplit(".", 1)[0] + ".jpg", ContentFile(prepared.thumbnail), save=False
    )
    photo.save()
    return photo


# Photos


def photo_metadata_read(*, file: IO[bytes]) -> PhotoMetadata:
    """The position and time a photo's EXIF proposes for a report; nothing is stored."""
    return _photo_metadata_read(file)


# Filing a report


def _clean_reporter(*, name: str, phone: str, email: str) -> tuple[str, str, str]:
    name = _optional_text(name, field=_("họ tên"), limit=200)
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
    if existing.category.code != str(category_code).strip() or existing.description != _clean_text(
        description
    ):
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


@transaction.atomic
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
    actor: AbstractBaseUser | None = None,
) -> IncidentCreation:
    """File a report: validate, route on its date, set its deadlines, store it with its first event.

    `client_identity` names who submits (an account, an API key, a network address); with an
    `idempotency_key`, the same client sending the same key again gets the first report back and
    nothing new is written. `actor` is the officer filing on a citizen's behalf (hotline,
    counter); None for the citizen themselves.
    """
    fingerprint = _fingerprint(client_identity) if client_identity else ""
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

    filed_category = _active_category(category_code)
    category, questions = filed_category.category, filed_category.questions
    description = _required_text(
        description, field=_("nội dung phản ánh"), limit=DESCRIPTION_MAX_LENGTH
    )
    address = _optional_text(address, field=_("địa chỉ"), limit=500)
    media_url = _optional_text(media_url, field=_("đường dẫn ảnh (media_url)"), limit=1000)
    if channel not in IncidentChannel.values:
        raise InvalidInput(_("Kênh tiếp nhận “%(channel)s” không hợp lệ.") % {"channel": channel})
    if priority not in IncidentPriority.values:
        raise InvalidInput(_("Mức độ “%(priority)s” không hợp lệ.") % {"priority": priority})
    answers = attribute_answers_clean(questions=questions, answers=attributes)
    reporter_name, reporter_phone, reporter_email = _clean_reporter(
        name=reporter_name, phone=reporter_phone, email=reporter_email
    )
    now = _now()
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
        status=Status.NEW,
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
        acknowledge_by=deadlines.acknowledge_by,
        resolve_by=deadlines.resolve_by,
    )
    for _attempt in range(5):
        incident.tracking_code = tracking_code_generate()
        incident.reporter_token_hash = reporter_token_hash(
            reporter_token_for(incident.tracking_code)
        )
        if _incident_insert(incident):
            break
        # A unique key collided: a tracking code drawn twice, or the same idempotency key sent
        # twice at the same moment.
        if idempotency_key:
            # The concurrent twin has committed by now (the unique index made this insert wait
            # for it), so the lookup sees it.
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
        _save_photo(incident=incident, prepared=prepared, kind=PhotoKind.REPORT)
    events.incident_created_event(
        incident=incident,
        actor=actor,
        actor_label=_staff_label(actor, incident) if actor is not None else events.REPORTER_LABEL,
    )
    notifications.notify_incident_created(incident.id, incident=incident)
    return IncidentCreation(
        incident=incident, reporter_token=reporter_token_for(incident.tracking_code), created=True
    )


# Every column but the id and those PostgreSQL generates.
_INCIDENT_INSERT_FIELDS = [
    field
    for field in Incident._meta.concrete_fields
    if not field.primary_key and not field.generated
]
_INCIDENT_INSERT_STATEMENT = (
    f"INSERT INTO {connection.ops.quote_name(Incident._meta.db_table)} "
    f"({', '.join(connection.ops.quote_name(field.column) for field in _INCIDENT_INSERT_FIELDS)}) "
    "VALUES ({placeholders}) "
    f"ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name(Incident._meta.pk.column)}"
)


def _incident_insert(incident: Incident) -> bool:
    """Write a new report unless it collides with a unique key (its tracking code, or its
    client's idempotency key); True, with its id set, when it was written.

    Hand-written instead of `save()` in a savepoint: `ON CONFLICT DO NOTHING` leaves the
    transaction usable after a collision without one, which saves two statements and the ORM's
    compiling for every report (docs/benchmarks.md). It decides as the unique indexes did for
    the savepoint: a concurrent twin with the same idempotency key makes this INSERT wait for
    its commit, then insert nothing. Values and placeholders are prepared by the fields as the
    ORM prepares them (defaults and auto_now stamps, JSON, a point in another SRID
    transformed by the statement).
    """
    database = connections[DEFAULT_DB_ALIAS]  # once, rather than through the proxy per field
    placeholders, values = [], []
    for field in _INCIDENT_INSERT_FIELDS:
        value = field.pre_save(incident, add=True)
        placeholder = getattr(field, "get_placeholder", None)
        placeholders.append(placeholder(value, None, database) if placeholder else "%s")
        values.append(field.get_db_prep_save(value, connection=database))
    with server_binding_cursor() as cursor:
        cursor.execute(
            _INCIDENT_INSERT_STATEMENT.format(placeholders=", ".join(placeholders)), values
        )
        row = cursor.fetchone()
    if row is None:
        return False
    incident.pk = row[0]
    incident._state.adding = False
    incident._state.db = DEFAULT_DB_ALIAS
    return True


# The workflow


def _simple_transition(
    *,
    actor: AbstractBaseUser,
    incident: Incident,
    action: str,
    to_status: IncidentStatus,
    event_action: IncidentAction,
    stamp_field: str,
    note: str = "",
) -> Incident:
    incident = _staff_action(actor=actor, incident=incident, action=action)
    note = _optional_text(note, field=_("ghi chú"), limit=TEXT_MAX_LENGTH)
    from_status = incident.status
    incident.status = to_status
    setattr(incident, stamp_field, _now())
    incident.save(update_fields=["status", stamp_field, "updated_at"])
    event = events.incident_status_changed_event(
        incident=incident,
        action=event_action,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        from_status=from_status,
        note=note,
    )
    _public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_acknowledge(
    *, actor: AbstractBaseUser, incident: Incident, note: str = ""
) -> Incident:
    """The unit confirms it has received the report (the acknowledge deadline is met)."""
    return _simple_transition(
        actor=actor,
        incident=incident,
        action="acknowledge",
        to_status=Status.ACKNOWLEDGED,
        event_action=IncidentAction.ACKNOWLEDGED,
        stamp_field="acknowledged_at",
        note=note,
    )


@transaction.atomic
def incident_start(*, actor: AbstractBaseUser, incident: Incident, note: str = "") -> Incident:
    return _simple_transition(
        actor=actor,
        incident=incident,
        action="start",
        to_status=Status.IN_PROGRESS,
        event_action=IncidentAction.STARTED,
        stamp_field="started_at",
        note=note,
    )


@transaction.atomic
def incident_close(*, actor: AbstractBaseUser, incident: Incident, note: str = "") -> Incident:
    return _simple_transition(
        actor=actor,
        incident=incident,
        action="close",
        to_status=Status.CLOSED,
        event_action=IncidentAction.CLOSED,
        stamp_field="closed_at",
        note=note,
    )


@transaction.atomic
def incident_assign(
    *, actor: AbstractBaseUser, incident: Incident, assignee: AbstractBaseUser
) -> Incident:
    """Give the report to an officer of its unit; the status does not change."""
    incident = _staff_action(actor=actor, incident=incident, action="assign")
    if not (
        assignee.is_active
        and AgencyMembership.objects.filter(user=assignee, agency_id=incident.agency_id).exists()
    ):
        raise InvalidInput(
            _("%(user)s không phải là cán bộ của %(agency)s.")
            % {"user": assignee.get_username(), "agency": incident.agency.name},
            code="assignee_not_in_unit",
        )
    if incident.assigned_to_id == assignee.pk:
        raise Conflict(
            _("Phản ánh đã được giao cho %(user)s.") % {"user": assignee.get_username()},
            code="already_assigned",
        )
    previous_assignee_id = incident.assigned_to_id
    incident.assigned_to = assignee
    incident.save(update_fields=["assigned_to", "updated_at"])
    events.incident_assigned_event(
        incident=incident,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        previous_assignee_id=previous_assignee_id,
    )
    return incident


@transaction.atomic
def incident_request_information(
    *, actor: AbstractBaseUser, incident: Incident, question: str
) -> Incident:
    """Ask the reporter for more information; the question is public (the reporter reads it).

    The deadlines keep running: a feedback report has no paused clock, unlike a dossier.
    """
    incident = _staff_action(actor=actor, incident=incident, action="request_information")
    question = _required_text(question, field=_("nội dung cần bổ sung"))
    from_status = incident.status
    incident.status = Status.INFORMATION_REQUESTED
    incident.save(update_fields=["status", "updated_at"])
    event = events.incident_status_changed_event(
        incident=incident,
        action=IncidentAction.INFORMATION_REQUESTED,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        from_status=from_status,
        note=question,
    )
    _public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_provide_information(
    *, incident: Incident, reporter_token: str | None, information: str
) -> Incident:
    """The reporter answers a request for information; the report goes back to "in progress".

    The reporter's words may identify them, so they are kept for staff (event data), not shown.
    """
    incident = _reporter_action(
        incident=incident, reporter_token=reporter_token, action="provide_information"
    )
    information = _required_text(information, field=_("thông tin bổ sung"))
    from_status = incident.status
    incident.status = Status.IN_PROGRESS
    if incident.started_at is None:
        incident.started_at = _now()
    incident.save(update_fields=["status", "started_at", "updated_at"])
    event = events.incident_status_changed_event(
        incident=incident,
        action=IncidentAction.INFORMATION_PROVIDED,
        actor=None,
        actor_label=events.REPORTER_LABEL,
        from_status=from_status,
        data={"information": information},
    )
    _public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_transfer(
    *,
    actor: AbstractBaseUser,
    incident: Incident,
    reason: str,
    to_agency: Agency | None = None,
    point: Point | None = None,
    category_code: str | None = None,
) -> Incident:
    """Move the report to another unit, or correct its location or category and re-route it.

    With a corrected `point` or `category_code` the report is routed again (on its own date, like
    at creation) and its area is recomputed; `to_agency`, when given, overrides the routed unit.

    Deadlines after a transfer: the new unit gets the full norm. `deadlines_from` becomes the
    moment of the transfer and both deadlines (acknowledge and resolve) are recomputed from it
    with the report's category and priority; the status returns to "new" for the new unit to
    acknowledge. The event records the previous and the new deadlines and this rule. A correction
    that leaves the report with the same unit changes neither the status nor the deadlines.
    """
    incident = _staff_action(actor=actor, incident=incident, action="transfer")
    reason = _required_text(reason, field=_("lý do chuyển"), limit=REASON_MAX_LENGTH)
    if to_agency is None and point is None and not category_code:
        raise InvalidInput(
            _("Hãy chọn đơn vị nhận, hoặc sửa vị trí hay lĩnh vực để hệ thống chuyển lại."),
            code="nothing_to_transfer",
        )
    category = incident.category
    if category_code and category_code != category.code:
        category = _active_category(category_code).category
    location = point if point is not None else incident.location
    corrections: dict[str, object] = {}
    area = incident.area
    target = to_agency
    if point is not None or category != incident.category:
        routing = route_point(
            point=location,
            category_code=category.code,
            on=incident.reported_at.astimezone(VIETNAM_TIME_ZONE).date(),
        )
        area = routing.commune
        target = to_agency or routing.agency
        if point is not None:
            corrections["previous_location"] = [incident.location.x, incident.location.y]
            corrections["location"] = [location.x, location.y]
        if category != incident.category:
            corrections["previous_category"] = incident.category.code
            corrections["category"] = category.code
            corrections["previous_attributes"] = incident.attributes
        if area.pk != incident.area_id:
            corrections["previous_area_id"] = incident.area_id
            corrections["area_id"] = area.pk
    assert target is not None
    if not target.is_active:
        raise InvalidInput(
            _("%(agency)s đã ngừng hoạt động.") % {"agency": target.name}, code="inactive_agency"
        )
    if target.pk == incident.agency_id and not corrections:
        raise InvalidInput(
            _("Phản ánh đã thuộc %(agency)s.") % {"agency": target.name}, code="same_agency"
        )

    actor_label = _staff_label(actor, incident)
    incident.location = location
    incident.area = area
    if category != incident.category:
        incident.category = category
        # The answers belonged to the old category's questions; they stay in the event's data.
        incident.attributes = {}
    if target.pk == incident.agency_id:
        incident.save()
        events.incident_corrected_event(
            incident=incident,
            actor=actor,
            actor_label=actor_label,
            data={**corrections, "reason": reason},
        )
        return incident

    now = _now()
    previous = {
        "from_agency_id": incident.agency_id,
        "from_agency": incident.agency.name,
        "previous_acknowledge_by": moment_text(incident.acknowledge_by),
        "previous_resolve_by": moment_text(incident.resolve_by),
        "previous_assignee_id": incident.assigned_to_id,
    }
    deadlines = deadlines_compute(
        calendar=working_calendar(), category=category, priority=incident.priority, counted_from=now
    )
    from_status = incident.status
    incident.agency = target
    incident.status = Status.NEW
    incident.assigned_to = None
    incident.acknowledged_at = None
    incident.started_at = None
    incident.deadlines_from = now
    incident.acknowledge_by = deadlines.acknowledge_by
    incident.resolve_by = deadlines.resolve_by
    incident.transferred_count += 1
    incident.save()
    resolve_by_local = deadlines.resolve_by.astimezone(VIETNAM_TIME_ZONE)
    event = events.incident_transferred_event(
        incident=incident,
        actor=actor,
        actor_label=actor_label,
        from_status=from_status,
        note=_("Chuyển đến %(agency)s. Hạn giải quyết mới: %(deadline)s.")
        % {"agency": target.name, "deadline": resolve_by_local.strftime("%H:%M %d/%m/%Y")},
        data={
            **previous,
            **corrections,
            "reason": reason,
            "to_agency_id": target.pk,
            "to_agency": target.name,
            "deadline_rule": "restarted_at_transfer",
            "deadlines_from": moment_text(now),
            "acknowledge_by": moment_text(deadlines.acknowledge_by),
            "resolve_by": moment_text(deadlines.resolve_by),
        },
    )
    notifications.notify_incident_transferred(incident.id, event.id)
    _public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_answer(*, actor: AbstractBaseUser, incident: Incident, answer: str) -> Incident:
    """Publish the unit's answer to the reporter (and the public)."""
    incident = _staff_action(actor=actor, incident=incident, action="answer")
    answer = _required_text(answer, field=_("nội dung trả lời"))
    from_status = incident.status
    incident.status = Status.ANSWERED
    incident.public_answer = answer
    incident.answered_at = _now()
    incident.save(update_fields=["status", "public_answer", "answered_at", "updated_at"])
    event = events.incident_status_changed_event(
        incident=incident,
        action=IncidentAction.ANSWERED,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        from_status=from_status,
        note=answer,
    )
    _public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_resolve(
    *,
    actor: AbstractBaseUser,
    incident: Incident,
    answer: str = "",
    evidence_photo: IO[bytes] | None = None,
) -> Incident:
    """The problem is fixed: the public answer (new, or the one already given) and an optional
    photo of the result."""
    # Checked before taking the lock: decoding a photo is slow and needs no row.
    prepared = photo_prepare(evidence_photo) if evidence_photo is not None else None
    incident = _staff_action(actor=actor, incident=incident, action="resolve")
    answer = str(answer or "").strip() or incident.public_answer
    answer = _required_text(answer, field=_("nội dung trả lời"))
    now = _now()
    from_status = incident.status
    incident.status = Status.RESOLVED
    incident.public_answer = answer
    incident.resolved_at = now
    if incident.answered_at is None:
        incident.answered_at = now
    incident.save(
        update_fields=["status", "public_answer", "resolved_at", "answered_at", "updated_at"]
    )
    photo = (
        _save_photo(incident=incident, prepared=prepared, kind=PhotoKind.EVIDENCE)
        if prepared is not None
        else None
    )
    event = events.incident_status_changed_event(
        incident=incident,
        action=IncidentAction.RESOLVED,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        from_status=from_status,
        note=answer,
        data={"evidence_photo_id": photo.id if photo else None},
    )
    _public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_reject(
    *,
    actor: AbstractBaseUser,
    incident: Incident,
    reason: RejectionReason | str,
    note: str = "",
) -> Incident:
    """Refuse the report: spam, a duplicate (of something not linked) or outside the scope.

    `note` is the explanation given to the reporter (public).
    """
    incident = _staff_action(actor=actor, incident=incident, action="reject")
    if reason not in RejectionReason.values:
        raise InvalidInput(
            _("Lý do từ chối “%(reason)s” không hợp lệ; chọn một trong: %(choices)s.")
            % {"reason": reason, "choices": ", ".join(RejectionReason.values)},
            code="invalid_rejection_reason",
        )
    note = _optional_text(note, field=_("giải thích"), limit=TEXT_MAX_LENGTH)
    from_status = incident.status
    incident.status = Status.REJECTED
    incident.rejection_reason = reason
    incident.rejected_at = _now()
    incident.save(update_fields=["status", "rejection_reason", "rejected_at", "updated_at"])
    event = events.incident_status_changed_event(
        incident=incident,
        action=IncidentAction.REJECTED,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        from_status=from_status,
        note=note or RejectionReason(reason).label,
        data={"reason": reason},
    )
    _public_event_notices_plan(incident, event.id)
    return incident


def _duplicate_reporter_identity(duplicate: Incident) -> str:
    # The duplicate's sender, hashed like a supporter's identity: if they had also supported the
    # original from the same account or address, they are not counted twice.
    if duplicate.client_fingerprint:
        return duplicate.client_fingerprint
    return _fingerprint(f"report:{duplicate.tracking_code}")


@transaction.atomic
def incident_mark_duplicate(
    *, actor: AbstractBaseUser, incident: Incident, original: Incident, note: str = ""
) -> Incident:
    """Close `incident` as a duplicate of the open report `original`; its sender and its
    supporters become supporters of the original (each identity counted once)."""
    if incident.pk == original.pk:
        raise InvalidInput(
            _("Không thể đánh dấu phản ánh trùng với chính nó."), code="duplicate_of_itself"
        )
    # Both rows are locked, always in id order, so two officers merging A into B and B into A at
    # the same time wait for each other instead of deadlocking.
    locked = {
        row.pk: row
        for row in Incident.objects.select_for_update()
        .filter(pk__in=[incident.pk, original.pk])
        .order_by("pk")
    }
    if len(locked) != 2:
        raise NotFound(_("Không tìm thấy phản ánh."))
    incident, original = locked[incident.pk], locked[original.pk]
    permissions.require_can_act(actor, incident)
    _require_status(incident, "mark_duplicate")
    if original.status not in OPEN_STATUSES:
        raise Conflict(
            _("Phản ánh gốc %(code)s không còn mở (%(status)s).")
            % {"code": original.tracking_code, "status": original.get_status_display()},
            code="original_not_open",
        )
    note = _optional_text(note, field=_("ghi chú"), limit=TEXT_MAX_LENGTH)

    original_identities = set(original.supporters.values_list("identity_hash", flat=True))
    moving = incident.supporters.exclude(identity_hash__in=original_identities)
    moved_count = moving.update(incident=original)
    incident.supporters.all().delete()  # those the original already had
    reporter_identity = _duplicate_reporter_identity(incident)
    reporter_added = reporter_identity not in original_identities and not (
        original.supporters.filter(identity_hash=reporter_identity).exists()
    )
    if reporter_added:
        IncidentSupporter.objects.create(incident=original, identity_hash=reporter_identity)
    previous_original_count = original.supporters_count
    original.supporters_count = original.supporters.count()
    original.save(update_fields=["supporters_count", "updated_at"])

    from_status = incident.status
    incident.status = Status.REJECTED
    incident.rejection_reason = RejectionReason.DUPLICATE
    incident.rejected_at = _now()
    incident.duplicate_of = original
    incident.supporters_count = 0
    incident.save(
        update_fields=[
            "status",
            "rejection_reason",
            "rejected_at",
            "duplicate_of",
            "supporters_count",
            "updated_at",
        ]
    )
    marked, _received = events.incident_duplicate_events(
        duplicate=incident,
        original=original,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        from_status=from_status,
        note=note
        or _("Trùng với phản ánh %(code)s; mời theo dõi tại phản ánh đó.")
        % {"code": original.tracking_code},
        data={
            "supporters_moved": moved_count,
            "reporter_added_as_supporter": reporter_added,
            "original_supporters_before": previous_original_count,
            "original_supporters_after": original.supporters_count,
        },
    )
    _public_event_notices_plan(incident, marked.id)
    return incident


@transaction.atomic
def incident_reopen(*, incident: Incident, reporter_token: str | None, reason: str) -> Incident:
    """The reporter says the problem is not fixed, within INCIDENT_REOPEN_DAYS of its resolution.

    The report returns to "in progress" with the same unit; its resolve deadline restarts from
    the reopening with the full norm (`deadlines_from` is the reopening moment); the acknowledge
    deadline, already met, is kept.
    """
    incident = _reporter_action(incident=incident, reporter_token=reporter_token, action="reopen")
    reason = _required_text(reason, field=_("lý do mở lại"))
    now = _now()
    window = timedelta(days=settings.INCIDENT_REOPEN_DAYS)
    if incident.resolved_at is None or now > incident.resolved_at + window:
        raise Conflict(
            _("Chỉ có thể mở lại phản ánh trong %(days)d ngày kể từ khi giải quyết xong.")
            % {"days": settings.INCIDENT_REOPEN_DAYS},
            code="reopen_window_passed",
        )
    deadlines = deadlines_compute(
        calendar=working_calendar(),
        category=incident.category,
        priority=incident.priority,
        counted_from=now,
    )
    from_status = incident.status
    previous_resolve_by = incident.resolve_by
    incident.status = Status.IN_PROGRESS
    incident.reopened_at = now
    incident.reopened_count += 1
    incident.resolved_at = None
    incident.closed_at = None
    incident.deadlines_from = now
    incident.resolve_by = deadlines.resolve_by
    incident.save()
    event = events.incident_status_changed_event(
        incident=incident,
        action=IncidentAction.REOPENED,
        actor=None,
        actor_label=events.REPORTER_LABEL,
        from_status=from_status,
        data={
            "reason": reason,
            "deadline_rule": "restarted_at_reopening",
            "previous_resolve_by": moment_text(previous_resolve_by),
            "resolve_by": moment_text(deadlines.resolve_by),
        },
    )
    _public_event_notices_plan(incident, event.id)
    return incident


@transaction.atomic
def incident_set_priority(
    *,
    actor: AbstractBaseUser,
    incident: Incident,
    priority: IncidentPriority | str,
    note: str = "",
) -> Incident:
    """Re-grade the report (urgent, normal, complex); deadlines are recomputed from
    `deadlines_from` with the new norm (the acknowledge deadline only while not yet met)."""
    incident = _staff_action(actor=actor, incident=incident, action="set_priority")
    if priority not in IncidentPriority.values:
        raise InvalidInput(_("Mức độ “%(priority)s” không hợp lệ.") % {"priority": priority})
    if priority == incident.priority:
        raise InvalidInput(
            _("Phản ánh đã ở mức độ “%(priority)s”.")
            % {"priority": IncidentPriority(priority).label},
            code="same_priority",
        )
    note = _optional_text(note, field=_("ghi chú"), limit=TEXT_MAX_LENGTH)
    deadlines = deadlines_compute(
        calendar=working_calendar(),
        category=incident.category,
        priority=priority,
        counted_from=incident.deadlines_from,
    )
    data = {
        "previous_priority": incident.priority,
        "priority": priority,
        "previous_acknowledge_by": moment_text(incident.acknowledge_by),
        "previous_resolve_by": moment_text(incident.resolve_by),
    }
    incident.priority = priority
    if incident.acknowledged_at is None:
        incident.acknowledge_by = deadlines.acknowledge_by
    incident.resolve_by = deadlines.resolve_by
    incident.save(update_fields=["priority", "acknowledge_by", "resolve_by", "updated_at"])
    events.incident_priority_changed_event(
        incident=incident,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        note=note,
        data={
            **data,
            "acknowledge_by": moment_text(incident.acknowledge_by),
            "resolve_by": moment_text(incident.resolve_by),
        },
    )
    return incident


@transaction.atomic
def incident_note_add(*, actor: AbstractBaseUser, incident: Incident, note: str) -> Incident:
    """An internal note for the unit; never public."""
    locked = _locked(incident)
    permissions.require_can_act(actor, locked)
    note = _required_text(note, field=_("ghi chú"))
    events.incident_note_added_event(
        incident=locked, actor=actor, actor_label=_staff_label(actor, locked), note=note
    )
    return locked


# Citizens' actions


@transaction.atomic
def incident_support(*, incident: Incident, supporter_identity: str) -> Incident:
    """ "+1": one more person affected. Each identity (account, email or address) counts once.

    No event is written: support is a counter, not a change in the handling.
    """
    if not str(supporter_identity or "").strip():
        raise InvalidInput(_("Không xác định được người ủng hộ."), code="missing_identity")
    locked = _locked(incident)
    _require_status(locked, "support")
    identity_hash = _fingerprint(str(supporter_identity))
    # Under the row lock no other support of this report can slip in between this check and
    # the insert, so the check is exact (the unique constraint stays as a backstop).
    if locked.supporters.filter(identity_hash=identity_hash).exists():
        raise Conflict(_("Bạn đã ủng hộ phản ánh này rồi."), code="already_supported")
    IncidentSupporter.objects.create(incident=locked, identity_hash=identity_hash)
    locked.supporters_count += 1
    locked.save(update_fields=["supporters_count", "updated_at"])
    return locked


@transaction.atomic
def incident_rate(
    *, incident: Incident, reporter_token: str | None, rating: int, comment: str = ""
) -> Incident:
    """The reporter's satisfaction with the result, 1 to 5, once."""
    locked = _reporter_action(incident=incident, reporter_token=reporter_token, action="rate")
    if locked.rating is not None:
        raise Conflict(_("Phản ánh này đã được đánh giá."), code="already_rated")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("Điểm đánh giá phải là số nguyên từ 1 đến 5."), code="invalid_rating")
    locked.rating = rating
    locked.rating_comment = _optional_text(comment, field=_("nhận xét"), limit=2000)
    locked.rated_at = _now()
    locked.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    event = events.incident_rated_event(incident=locked)
    _public_event_notices_plan(locked, event.id)
    return locked


# Moderation


def _moderated(incident: Incident, event_id: int) -> None:
    notifications.notify_incident_moderated(incident.id, event_id)


@transaction.atomic
def incident_hide(*, actor: AbstractBaseUser, incident: Incident, reason: str) -> Incident:
    """Take the whole report off the public map and pages; the reporter is told why."""
    locked = _locked(incident)
    permissions.require_can_act(actor, locked)
    reason = _required_text(reason, field=_("lý do ẩn"), limit=REASON_MAX_LENGTH)
    if not locked.is_public:
        raise Conflict(_("Phản ánh đã không công khai."), code="already_hidden")
    locked.is_public = False
    locked.hidden_reason = reason
    locked.save(update_fields=["is_public", "hidden_reason", "updated_at"])
    event = events.incident_moderated_event(
        incident=locked,
        action=IncidentAction.HIDDEN,
        actor=actor,
        actor_label=_staff_label(actor, locked),
        reason=reason,
    )
    _moderated(locked, event.id)
    return locked


@transaction.atomic
def incident_text_hide(*, actor: AbstractBaseUser, incident: Incident, reason: str) -> Incident:
    """Hide the description from the public (the report stays on the map); the reporter is told."""
    locked = _locked(incident)
    permissions.require_can_act(actor, locked)
    reason = _required_text(reason, field=_("lý do ẩn"), limit=REASON_MAX_LENGTH)
    if locked.description_hidden:
        raise Conflict(_("Nội dung phản ánh đã được ẩn."), code="already_hidden")
    locked.description_hidden = True
    locked.description_hidden_reason = reason
    locked.save(update_fields=["description_hidden", "description_hidden_reason", "updated_at"])
    event = events.incident_moderated_event(
        incident=locked,
        action=IncidentAction.TEXT_HIDDEN,
        actor=actor,
        actor_label=_staff_label(actor, locked),
        reason=reason,
    )
    _moderated(locked, event.id)
    return locked


@transaction.atomic
def photo_hide(*, actor: AbstractBaseUser, photo: IncidentPhoto, reason: str) -> IncidentPhoto:
    """Hide one photo from the public; the reporter is told."""
    # The report's row is the lock for everything about the report, photos included.
    incident = _locked(photo.incident)
    permissions.require_can_act(actor, incident)
    reason = _required_text(reason, field=_("lý do ẩn"), limit=REASON_MAX_LENGTH)
    photo = IncidentPhoto.objects.get(pk=photo.pk)
    if photo.is_hidden:
        raise Conflict(_("Ảnh đã được ẩn."), code="already_hidden")
    photo.is_hidden = True
    photo.hidden_reason = reason
    photo.save(update_fields=["is_hidden", "hidden_reason"])
    event = events.incident_moderated_event(
        incident=incident,
        action=IncidentAction.PHOTO_HIDDEN,
        actor=actor,
        actor_label=_staff_label(actor, incident),
        reason=reason,
        data={"photo_id": photo.pk},
    )
    _moderated(incident, event.id)
    return photo


# The category catalogue


CATALOGUE_DEFAULTED_FIELDS = frozenset(
    {
        "acknowledge_within_hours",
        "urgent_acknowledge_within_hours",
        "urgent_resolve_within_hours",
        "normal_resolve_within_days",
        "complex_resolve_within_days",
        "duplicate_radius_metres",
        "duplicate_window_days",
        "is_active",
    }
)


@dataclass(frozen=True)
class CatalogueLoad:
    categories_created: list[str]
    attributes_created: list[str]
    categories_updated: list[str]

    @property
    def changed(self) -> bool:
        return bool(self.categories_created or self.attributes_created or self.categories_updated)


@transaction.atomic
def categories_load_catalogue(
    *, catalogue: Sequence[Mapping[str, object]], update_existing: bool = False
) -> CatalogueLoad:
    """Create the catalogue's missing categories and questions.

    Existing ones are left as the administrators edited them, unless `update_existing`, which
    writes the catalogue's values over them (questions not in the catalogue are kept either way).
    """
    created: list[str] = []
    updated: list[str] = []
    attributes_created: list[str] = []
    for entry in catalogue:
        entry = dict(entry)
        questions = entry.pop("attributes", [])
        group, group_en = entry.pop("group")
        # A norm the catalogue leaves out means the model's default, so that `update_existing`
        # also restores norms an administrator changed.
        defaults = {
            field.name: field.get_default()
            for field in Category._meta.concrete_fields
            if field.name in CATALOGUE_DEFAULTED_FIELDS
        }
        values = {**defaults, **entry, "group": group, "group_en": group_en}
        code = values.pop("code")
        category = Category.objects.filter(code=code).first()
        if category is None:
            category = Category(code=code, **values)
            category.full_clean()
            category.save()
            created.append(code)
        elif update_existing:
            differs = any(getattr(category, field) != value for field, value in values.items())
            if differs:
                for field, value in values.items():
                    setattr(category, field, value)
                category.full_clean()
                category.save()
                updated.append(code)
        for question in questions:
            question = dict(question)
            question_code = question.pop("code")
            existing = CategoryAttribute.objects.filter(
                category=category, code=question_code
            ).first()
            if existing is None:
                attribute = CategoryAttribute(category=category, code=question_code, **question)
                attribute.full_clean()
                attribute.save()
                attributes_created.append(f"{code}/{question_code}")
            elif update_existing and any(
                getattr(existing, field) != value for field, value in question.items()
            ):
                for field, value in question.items():
                    setattr(existing, field, value)
                existing.full_clean()
                existing.save()
                if code not in updated:
                    updated.append(code)
    return CatalogueLoad(
        categories_created=created,
        attributes_created=attributes_created,
        categories_updated=updated,
    )
