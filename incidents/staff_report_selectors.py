"""Reads behind the officials' page of one report: what may be done to it now (`incidents.workflow`,
judged for the actor), its timeline with the internal details, the officers and units it may go to,
and the search for the report it would duplicate. Nothing here writes.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import NotFound
from incidents import permissions, selectors, workflow
from incidents.models import (
    Incident,
    IncidentEvent,
    IncidentPhoto,
    incident_current_deadline,
)
from incidents.staff_queue_selectors import StaffScope, due_soon_limit, staff_scope, urgency_of
from incidents.tracking_codes import tracking_code_normalize
from wards.models import Agency, AgencyMembership, Area


@dataclass(frozen=True)
class TimelineEntry:
    event: IncidentEvent
    assignee: Any = None  # the user an "assigned" event gave the report to
    details: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DuplicateSearch:
    """The outcome of looking up, by its code, the report this one would duplicate."""

    query: str
    found: Incident | None = None
    error: str = ""
    found_text: str = ""  # the found report's description, as `_text_for_scope` allows


@dataclass(frozen=True)
class DuplicateOption:
    """A nearby open report offered as the original, with the text the user may read of it."""

    incident: Incident
    distance_metres: float
    text: str


def _text_for_scope(scope: StaffScope, incident: Incident) -> str:
    """The description for a staff member: whole for the report's own unit (and whoever sees
    everything); for another unit's public report only what the public sees, so a text its unit
    hid stays hidden from officers elsewhere."""
    if scope.sees_everything or incident.agency_id in scope.agency_ids:
        return incident.description
    return incident.public_description or ""


@dataclass(frozen=True)
class StaffReport:
    incident: Incident
    actions: tuple[str, ...]  # allowed now, in the order of `workflow.OFFICER_PAGE_ACTIONS`
    may_act: bool
    may_see_contact: bool
    current_deadline: datetime.datetime | None
    urgency: str
    photos: list[IncidentPhoto]
    timeline: list[TimelineEntry]
    answers: list[tuple[str, str]]  # the category's extra questions and the reporter's answers
    duplicate_candidates: list[DuplicateOption]
    duplicate_search: DuplicateSearch | None
    map_data: dict[str, Any]

    def allows(self, action: str) -> bool:
        return action in self.actions


def _event_details(event: IncidentEvent) -> list[tuple[str, str]]:
    """The internal details of an event worth reading, labelled, in the page's language."""
    data = event.data or {}
    details: list[tuple[str, str]] = []
    if data.get("reason"):
        details.append((_("Lý do"), str(data["reason"])))
    if data.get("information"):
        details.append((_("Thông tin người phản ánh bổ sung"), str(data["information"])))
    if data.get("from_agency") and data.get("to_agency"):
        details.append((_("Chuyển đơn vị"), f"{data['from_agency']} → {data['to_agency']}"))
    if data.get("resolve_by"):
        moment = datetime.datetime.fromisoformat(str(data["resolve_by"]))
        details.append(
            (_("Hạn giải quyết"), moment.astimezone(VIETNAM_TIME_ZONE).strftime("%H:%M %d/%m/%Y"))
        )
    if data.get("escalation"):
        details.append((_("Cảnh báo quá hạn"), str(data["escalation"])))
    return details


def _attribute_answers(incident: Incident) -> list[tuple[str, str]]:
    """Each answered extra question with its answer, choice keys turned into their names."""
    english = translation.get_language() == "en"
    answers = []
    for question in incident.category.attributes.all():
        value = (incident.attributes or {}).get(question.code)
        if value in (None, "", []):
            continue
        names = {
            str(choice["key"]): (choice.get("name_en") if english else "") or choice.get("name")
            for choice in question.values or []
        }
        values = value if isinstance(value, list) else [value]
        answers.append(
            (
                (question.description_en if english else "") or question.description,
                ", ".join(str(names.get(str(item), item)) for item in values),
            )
        )
    return answers


def _timeline(incident: Incident) -> list[TimelineEntry]:
    events = list(incident.events.all())
    assignee_ids = {
        event.data.get("assignee_id") for event in events if event.data.get("assignee_id")
    }
    users = get_user_model().objects.in_bulk(assignee_ids) if assignee_ids else {}
    return [
        TimelineEntry(
            event=event,
            assignee=users.get(event.data.get("assignee_id")),
            details=_event_details(event),
        )
        for event in events
    ]


def unit_officers(*, agency_id: int) -> QuerySet[Any]:
    """The active accounts of a unit, by username: whom a report of the unit may be assigned to."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            pk__in=AgencyMembership.objects.filter(agency_id=agency_id).values("user_id"),
        )
        .order_by("username")
    )


def transfer_targets(*, incident: Incident) -> QuerySet[Agency]:
    """The units a report may be transferred to: every active one but its own, except those
    whose whole jurisdiction ended (the committees of communes merged away in the reform stay
    active for routing reports dated before it, but take no new work)."""
    return (
        Agency.objects.filter(is_active=True)
        .filter(Q(jurisdiction__isnull=True) | Q(jurisdiction__in=Area.objects.current()))
        .distinct()
        .exclude(pk=incident.agency_id)
        .only("id", "name", "name_en")
        .order_by("name")
    )


def _duplicate_search(
    *, scope: StaffScope, incident: Incident, query: str
) -> DuplicateSearch | None:
    if not query.strip():
        return None
    code = tracking_code_normalize(query)
    found = None
    if code and code != incident.tracking_code:
        # Reports of the user's units are found whatever their visibility; another unit's report
        # only when it is public, so the search cannot probe which private codes exist.
        found = (
            scope.incidents()
            .select_related("category", "area", "agency")
            .filter(tracking_code=code)
            .first()
        )
        if found is None:
            try:
                found = selectors.incident_get_public_by_code(tracking_code=code)
            except NotFound:
                found = None
    if found is None:
        return DuplicateSearch(
            query=query,
            error=_("Không tìm thấy phản ánh có mã “%(code)s”.") % {"code": query.strip()},
        )
    return DuplicateSearch(query=query, found=found, found_text=_text_for_scope(scope, found))


def staff_report(
    *,
    user: User,
    tracking_code: str,
    duplicate_query: str = "",
    now: datetime.datetime | None = None,
    scope: StaffScope | None = None,
) -> StaffReport:
    """A report the user may see, with what the page shows about it and may do with it now.

    NotFound for reports outside the user's units, so that an officer of another unit learns
    nothing about which codes exist (the same rule as the staff API).
    """
    now = now or timezone.now()
    scope = scope or staff_scope(user=user)
    incident = selectors.incident_get_for_staff(user=user, tracking_code=tracking_code)
    actions = workflow.allowed_actions(user=user, incident=incident)
    deadline = incident_current_deadline(incident)
    candidates: list[DuplicateOption] = []
    if "mark_duplicate" in actions:
        candidates = [
            DuplicateOption(
                incident=candidate.incident,
                distance_metres=candidate.distance_metres,
                text=_text_for_scope(scope, candidate.incident),
            )
            for candidate in selectors.duplicate_candidates(
                point=incident.location,
                category_code=incident.category.code,
                now=now,
                exclude_incident_id=incident.pk,
                public_only=False,
            )
            if scope.sees_everything
            or candidate.incident.agency_id in scope.agency_ids
            or candidate.incident.is_public
        ]
    return StaffReport(
        incident=incident,
        actions=actions,
        may_act=bool(actions),
        may_see_contact=permissions.can_see_reporter_contact(user, incident),
        current_deadline=deadline,
        urgency=urgency_of(deadline, now=now, due_soon_until=due_soon_limit(now)),
        photos=list(incident.photos.all()),
        timeline=_timeline(incident),
        answers=_attribute_answers(incident),
        duplicate_candidates=candidates,
        duplicate_search=(
            _duplicate_search(scope=scope, incident=incident, query=duplicate_query)
            if "mark_duplicate" in actions
            else None
        ),
        map_data={
            "point": [incident.location.x, incident.location.y],
            "area": json.loads(incident.area.boundary.geojson),
            "area_name": incident.area.name,
        },
    )


def duplicate_original_get(*, user: User, incident: Incident, tracking_code: str) -> Incident:
    """The report `incident` duplicates, named by its code, under the search's visibility rule."""
    search = _duplicate_search(scope=staff_scope(user=user), incident=incident, query=tracking_code)
    if search is None or search.found is None:
        raise NotFound(
            search.error if search else _("Vui lòng nhập mã phản ánh gốc."),
            code="original_not_found",
        )
    return search.found


def photo_for_staff(*, user: User, photo_id: int) -> IncidentPhoto:
    return selectors.photo_get_for_staff(user=user, photo_id=photo_id)
