"""The read behind a report's tracking page (`/phan-anh/<code>/`): the report, its category and
the category's questions, the names of its area and unit, the report it duplicates, its public
photos and its public timeline, in one hand-written statement.

Why by hand: the page is the one every notification links to, and issue 10 asks it to answer in
≤ 15 ms at any size. Its statements are key lookups that take well under a millisecond; the
querysets they replaced (the report with four joined tables, two prefetches and the questions)
cost several milliseconds of Python per request to compile. The column lists come from the
models, so a new field is read without editing this file.

Everything returned is what the page may show: the photos not hidden and the events marked
public. Whether the report itself may be shown (public, or seen by its proven reporter) is the
caller's `public_only`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Model
from django.utils.translation import gettext as _

from geoapp.exceptions import NotFound
from geoapp.sql import model_columns, model_from_row
from incidents.models import (
    Category,
    CategoryAttribute,
    Incident,
    IncidentAction,
    IncidentStatus,
    public_incidents_sql,
)
from incidents.tracking_codes import tracking_code_normalize
from wards.models import Agency, Area

_INCIDENT_FIELDS = list(Incident._meta.concrete_fields)
_CATEGORY_FIELDS = list(Category._meta.concrete_fields)
ModelType = TypeVar("ModelType", bound=Model)
_QUESTION_FIELDS = ["code", "datatype", "description", "description_en", "values"]

_TRACKING_PAGE_SQL = f"""
    SELECT {model_columns(Incident, [field.name for field in _INCIDENT_FIELDS], table="incident")},
           {model_columns(Category, [field.name for field in _CATEGORY_FIELDS], table="category")},
           area.name, agency.name, agency.name_en,
           original.id, original.tracking_code,
           coalesce({public_incidents_sql("original")}, false),
           (SELECT json_agg(json_build_array({model_columns(CategoryAttribute, _QUESTION_FIELDS, table="question")})
                            ORDER BY question."order", question.code)
              FROM incidents_categoryattribute question
             WHERE question.category_id = incident.category_id),
           photos.ids, photos.kinds,
           events.moments, events.actions, events.actor_labels, events.notes
      FROM incidents_incident incident
      JOIN incidents_category category ON category.id = incident.category_id
      JOIN wards_area area ON area.id = incident.area_id
      JOIN wards_agency agency ON agency.id = incident.agency_id
      LEFT JOIN incidents_incident original ON original.id = incident.duplicate_of_id
      CROSS JOIN LATERAL (
          SELECT array_agg(photo.id ORDER BY photo.created_at, photo.id) AS ids,
                 array_agg(photo.kind ORDER BY photo.created_at, photo.id) AS kinds
            FROM incidents_incidentphoto photo
           WHERE photo.incident_id = incident.id AND NOT photo.is_hidden
      ) photos
      CROSS JOIN LATERAL (
          SELECT array_agg(event.created_at ORDER BY event.created_at, event.id) AS moments,
                 array_agg(event.action ORDER BY event.created_at, event.id) AS actions,
                 array_agg(event.actor_label ORDER BY event.created_at, event.id) AS actor_labels,
                 array_agg(event.note ORDER BY event.created_at, event.id) AS notes
            FROM incidents_incidentevent event
           WHERE event.incident_id = incident.id AND event.is_public
      ) events
     WHERE incident.tracking_code = %(code)s
"""
_PUBLIC_TRACKING_PAGE_SQL = f"{_TRACKING_PAGE_SQL} AND {public_incidents_sql('incident')}"


@dataclass(frozen=True)
class TrackingPhoto:
    id: int
    kind: str


@dataclass(frozen=True)
class TrackingEvent:
    created_at: Any
    action: str
    actor_label: str
    note: str

    @property
    def action_label(self) -> str:
        # The enum's label, not get_action_display(): that one rebuilds and hashes the choices.
        return str(IncidentAction(self.action).label)


@dataclass(frozen=True)
class TrackingReport:
    """A report as its tracking page shows it: `incident` carries its category (with every
    field), its area and unit (their names only) and the report it duplicates (code and
    visibility only), cached as the ORM's select_related would."""

    incident: Incident
    questions: list[CategoryAttribute]
    photos: list[TrackingPhoto]
    events: list[TrackingEvent]

    @property
    def status_label(self) -> str:
        return str(IncidentStatus(self.incident.status).label)


def tracking_report_get(*, tracking_code: str, public_only: bool) -> TrackingReport:
    """The report of `tracking_code` for its tracking page; with `public_only`, only a report the
    public may see (NotFound for the others, worded as for a code that does not exist)."""
    code = tracking_code_normalize(tracking_code)
    row = None
    if code:
        with connection.cursor() as cursor:
            cursor.execute(
                _PUBLIC_TRACKING_PAGE_SQL if public_only else _TRACKING_PAGE_SQL, {"code": code}
            )
            row = cursor.fetchone()
    if row is None:
        raise NotFound(
            _("Không tìm thấy phản ánh có mã “%(code)s”.") % {"code": tracking_code},
            code="incident_not_found",
        )
    return _tracking_report(list(row))


def _tracking_report(row: list[Any]) -> TrackingReport:
    incident_values, row = row[: len(_INCIDENT_FIELDS)], row[len(_INCIDENT_FIELDS) :]
    category_values, row = row[: len(_CATEGORY_FIELDS)], row[len(_CATEGORY_FIELDS) :]
    (
        area_name,
        agency_name,
        agency_name_en,
        original_id,
        original_code,
        original_is_public,
        questions,
        photo_ids,
        photo_kinds,
        event_moments,
        event_actions,
        event_actor_labels,
        event_notes,
    ) = row
    incident = model_from_row(Incident, _INCIDENT_FIELDS, incident_values)
    _cache_related(
        incident, "category", model_from_row(Category, _CATEGORY_FIELDS, category_values)
    )
    _cache_related(
        incident,
        "area",
        Area.from_db(connection.alias, ["id", "name"], [incident.area_id, area_name]),
    )
    _cache_related(
        incident,
        "agency",
        Agency.from_db(
            connection.alias,
            ["id", "name", "name_en"],
            [incident.agency_id, agency_name, agency_name_en],
        ),
    )
    original = None
    if original_id is not None:
        # Only what `Incident.public_original` and the page read: the code, and a visibility
        # already decided by the one public rule (`public_incidents_sql`).
        original = _partial(
            Incident,
            id=original_id,
            tracking_code=original_code,
            is_public=original_is_public,
            status=IncidentStatus.NEW,
            rejection_reason="",
        )
    _cache_related(incident, "duplicate_of", original)
    return TrackingReport(
        incident=incident,
        questions=[_question(values) for values in _json(questions) or []],
        photos=[
            TrackingPhoto(id=photo_id, kind=kind)
            for photo_id, kind in zip(photo_ids or [], photo_kinds or [], strict=True)
        ],
        events=[
            TrackingEvent(created_at=moment, action=action, actor_label=actor_label, note=note)
            for moment, action, actor_label, note in zip(
                event_moments or [],
                event_actions or [],
                event_actor_labels or [],
                event_notes or [],
                strict=True,
            )
        ],
    )


def _cache_related(incident: Incident, name: str, value: Any) -> None:
    Incident._meta.get_field(name).set_cached_value(incident, value)  # type: ignore[union-attr]


def _json(value: Any) -> Any:
    # Django reads json and jsonb as text (its JSONField decodes them itself).
    return json.loads(value) if isinstance(value, str) else value


def _question(values: list[Any]) -> CategoryAttribute:
    return _partial(CategoryAttribute, **dict(zip(_QUESTION_FIELDS, values, strict=True)))


def _partial(model: type[ModelType], **values: Any) -> ModelType:
    """An instance with only these fields loaded (the others deferred). `from_db` pairs the
    values with the model's fields in the model's order, whatever order the names come in."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    if len(names) != len(values):
        raise ValueError(f"not fields of {model.__name__}: {sorted(set(values) - set(names))}")
    return model.from_db(connection.alias, names, [values[name] for name in names])
