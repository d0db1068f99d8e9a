"""The benchmarks' reports and their timelines, written by COPY at any size.

Both page benchmarks (benchmarks/citizen_pages.py, benchmarks/staff_pages.py) fill their database
with this loader: each says where the reports are (`Place`: area, unit, point) and how they are
spread (`ReportPlan`: states, priorities, public share, spam, assignments), and the loader writes
the rows the app's services would have written, without going through them (the pages read the
rows; how they were filed does not matter here, and the services file a few hundred a second).

What a report gets, as the services would give it:
- a tracking code from the project's generator, unique across the load (a repeat is drawn again),
  and the SHA-256 of the reporter's token for that code;
- `reported_at` within the last 12 days for an open report, the last 90 for a finished one, in
  whole seconds; the deadlines `incidents.deadlines.deadlines_compute` gives from that moment;
- the workflow steps that lead to its status (`STATUS_PATHS`, each allowed by incidents/workflow.py),
  each at its own later moment, its stamp (`acknowledged_at`, `started_at`, ...) at that moment,
  and one public event per step (plus the `created` event) whose `created_at` is that moment;
- an answer when it was answered, a rejection reason when rejected (spam in `spam_share` of them).

Speed (1,000,000 reports in a few minutes on two cores): the rows are written as COPY text, one
statement per table and chunk, straight into the tables the models use; PostgreSQL computes the
generated map columns as it receives them, while Python builds the next rows. With
`indexes_rebuilt`, the two tables' indexes that back no constraint are dropped first and created
again, from their own definitions, once the rows are in: one sorted build per index instead of a
million random insertions into trees far larger than the shared buffers (at 100,000 reports the
whole load took 55 s instead of 89 s). The deadlines, which cost tens of microseconds each through the calendar, are
computed once per half-hour of the clock and category (see `_Deadlines`), exactly.
"""

from __future__ import annotations

import datetime
import functools
import json
import queue
import random
import struct
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from benchmarks.sample_reports import CATEGORY_ATTRIBUTES, DESCRIPTIONS

ANSWER = "Đơn vị đã kiểm tra hiện trường và xử lý; cảm ơn người dân đã phản ánh."
QUESTION = "Đề nghị người dân cung cấp thêm ảnh chụp hiện trường."
# Reports written per pair of COPY statements (reports, then their events): big enough that the
# statements' own cost vanishes, small enough to keep a chunk's text a few megabytes.
CHUNK_REPORTS = 20_000

# The steps after filing, as (event action, status reached, stamp set at that moment).
STEPS: dict[str, tuple[str, str, str | None]] = {
    "acknowledge": ("acknowledged", "acknowledged", "acknowledged_at"),
    "start": ("started", "in_progress", "started_at"),
    "request_information": ("information_requested", "information_requested", None),
    "answer": ("answered", "answered", "answered_at"),
    "resolve": ("resolved", "resolved", "resolved_at"),
    "close": ("closed", "closed", "closed_at"),
    "reject": ("rejected", "rejected", "rejected_at"),
}
# The workflow's actions (incidents/workflow.py names) that bring a new report to each status.
STATUS_PATHS: dict[str, tuple[str, ...]] = {
    "new": (),
    "acknowledged": ("acknowledge",),
    "in_progress": ("acknowledge", "start"),
    "information_requested": ("acknowledge", "start", "request_information"),
    "answered": ("acknowledge", "start", "answer"),
    "resolved": ("acknowledge", "start", "answer", "resolve"),
    "closed": ("acknowledge", "start", "answer", "resolve", "close"),
    "rejected": ("acknowledge", "reject"),
}
FINISHED_STATUSES = frozenset({"resolved", "closed", "rejected"})
OPEN_REPORT_MAX_AGE_DAYS = 12
FINISHED_REPORT_MAX_AGE_DAYS = 90

# Columns of incidents_incident that vary per report; every other column gets the model field's
# default (or CONSTANTS), so a field added later with a default needs no change here.
VARYING = (
    "id", "tracking_code", "description", "location", "address", "reported_at", "status",
    "priority", "attributes", "reporter_token_hash", "is_public", "deadlines_from",
    "acknowledge_by", "resolve_by", "acknowledged_at", "started_at", "answered_at",
    "resolved_at", "closed_at", "rejected_at", "rejection_reason", "supporters_count",
    "public_answer", "created_at", "updated_at", "agency_id", "area_id", "assigned_to_id",
    "category_id",
)  # fmt: skip
CONSTANTS: dict[str, object] = {
    "channel": "web",
    "reporter_name": "Người dân",
    "reporter_phone": "0905000000",
}
EVENT_COPY = (
    "COPY incidents_incidentevent (incident_id, actor_label, action, from_status, to_status, "
    "note, is_public, data, created_at) FROM STDIN"
)
_NULL = "\\N"
_HALF_HOUR_SECONDS = 1800
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Place:
    """Where one report is: its commune, the unit it is routed to, its point (hex EWKB, 4326)."""

    area_id: int
    agency_id: int
    location: str


@dataclass(frozen=True)
class ReportPlan:
    """How the reports are spread; the shares are drawn per report from `seed`."""

    seed: int
    status_shares: tuple[tuple[str, float], ...]
    priority_shares: tuple[tuple[str, float], ...] = (("normal", 1.0),)
    public_share: float = 1.0
    spam_share: float = 0.0  # of the rejected reports, those rejected as spam
    assignee_id: int | None = None
    assigned_share: float = 0.0  # of the reports past "new", those assigned to `assignee_id`
    answer: str = ANSWER


@dataclass(frozen=True)
class Loaded:
    reports: int
    events: int
    first_id: int


def point_ewkb(longitude: float, latitude: float) -> str:
    """A point in SRID 4326 as hex EWKB, which PostGIS reads as geometry text input."""
    return struct.pack("<BIIdd", 1, 0x20000001, 4326, longitude, latitude).hex()


def points_in_box(
    generator: random.Random, extent: tuple[float, float, float, float], count: int
) -> list[str]:
    west, south, east, north = extent
    return [
        point_ewkb(generator.uniform(west, east), generator.uniform(south, north))
        for _point in range(count)
    ]


def copy_text(value: object) -> str:
    """`value` as a field of COPY's text format."""
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


@functools.lru_cache(maxsize=4096)
def _day_text(day_number: int) -> str:
    return (_EPOCH + datetime.timedelta(days=day_number)).strftime("%Y-%m-%d ")


def moment_text(seconds: int) -> str:
    """A moment given in whole seconds since the epoch, as COPY text (UTC): a few times faster
    than datetime.isoformat, which a million reports would call ten million times."""
    day, second = divmod(seconds, 86_400)
    hour, second = divmod(second, 3600)
    minute, second = divmod(second, 60)
    return f"{_day_text(day)}{hour:02d}:{minute:02d}:{second:02d}+00"


def moment(seconds: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(seconds=seconds)


class _Deadlines:
    """`deadlines_compute` for moments in whole seconds, computed once per half-hour of the clock.

    Working periods start and end on the half-hour (07:00, 11:30, 13:30, 17:00, and Vietnam time
    is UTC+7 all year), so a half-hour [b, b + 30 min) is either all working time or none of it,
    and the norms are whole hours, so the deadlines from b fall on half-hours too. Then, exactly:
    - outside working time, a report is counted from the next working moment, the same for the
      whole half-hour: its deadlines are those of b;
    - inside working time, a report δ after b has used δ less of its working time than one filed
      at b, so its deadline is δ of working time after b's: the start of the working half-hour
      at or after b's deadline (the next period's start when that deadline is a period's end),
      plus δ (less than the half-hour, so no boundary is crossed).
    tests/benchmarks/test_report_loader.py checks this against `deadlines_compute` for every
    minute-and-some of two weeks across a public holiday.
    """

    def __init__(self, calendar: Any, categories: Mapping[int, Any]) -> None:
        self.calendar = calendar
        self.categories = categories
        self.buckets: dict[tuple[int, str, int], tuple[bool, int, int, int, int]] = {}

    def seconds(self, category_id: int, priority: str, reported: int) -> tuple[int, int]:
        """(acknowledge by, resolve by) of a report filed `reported` seconds after the epoch."""
        offset = reported % _HALF_HOUR_SECONDS
        start = reported - offset
        key = (category_id, priority, start)
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = self.buckets[key] = self._bucket(category_id, priority, start)
        working, acknowledge, resolve, acknowledge_next, resolve_next = bucket
        if not working or offset == 0:
            return acknowledge, resolve
        return acknowledge_next + offset, resolve_next + offset

    def _bucket(
        self, category_id: int, priority: str, start: int
    ) -> tuple[bool, int, int, int, int]:
        from incidents.deadlines import deadlines_compute

        calendar = self.calendar
        begin = moment(start)
        deadlines = deadlines_compute(
            calendar=calendar,
            category=self.categories[category_id],
            priority=priority,
            counted_from=begin,
        )
        working = calendar.next_working_moment(begin) == begin
        acknowledge_next = calendar.next_working_moment(deadlines.acknowledge_by)
        resolve_next = calendar.next_working_moment(deadlines.resolve_by)
        return (
            working,
            _whole_seconds(deadlines.acknowledge_by),
            _whole_seconds(deadlines.resolve_by),
            _whole_seconds(acknowledge_next),
            _whole_seconds(resolve_next),
        )


def _whole_seconds(value: datetime.datetime) -> int:
    seconds = (value - _EPOCH) // datetime.timedelta(seconds=1)
    assert moment(seconds) == value, f"{value} is not a whole second"
    return seconds


def deadlines_table(calendar: Any, categories: Mapping[int, Any]) -> _Deadlines:
    return _Deadlines(calendar, categories)


def _incident_copy_template() -> tuple[str, str]:
    """The COPY statement of incidents_incident and a format string of one row: the constant
    columns already as text, `{n}` for the n-th VARYING column."""
    from django.db.models import GeneratedField

    from incidents.models import Incident

    columns: list[str] = []
    cells: list[str] = []
    attnames = set()
    for field in Incident._meta.concrete_fields:
        if isinstance(field, GeneratedField):
            continue  # PostgreSQL computes it from the row
        attnames.add(field.attname)
        columns.append(str(field.column))
        if field.attname in VARYING:
            cells.append(f"{{{VARYING.index(field.attname)}}}")
        else:
            value = CONSTANTS.get(field.attname, field.get_default())
            cells.append(copy_text(value).replace("{", "{{").replace("}", "}}"))
    missing = set(VARYING) - attnames
    assert not missing, f"no such columns in incidents_incident: {sorted(missing)}"
    statement = f"COPY incidents_incident ({', '.join(columns)}) FROM STDIN"
    return statement, "\t".join(cells) + "\n"


REPORT_TABLES = ("incidents_incident", "incidents_incidentevent")


@contextmanager
def indexes_set_aside(tables: Sequence[str] = REPORT_TABLES) -> Iterator[list[str]]:
    """Drop the indexes of `tables` that back no constraint, and create them again on leaving,
    each from its own definition (pg_get_indexdef): the same names, columns, methods and
    conditions as the migrations made. Call it inside a transaction: DDL is transactional in
    PostgreSQL, so a failed load leaves every index as it was. Yields the definitions."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i WHERE i.indrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY 1",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")  # a name read from the catalogue, not input
    yield [definition for _name, definition in indexes]
    with connection.cursor() as cursor:
        # The foreign keys are DEFERRABLE INITIALLY DEFERRED, and PostgreSQL creates no index on
        # a table with checks still queued: run them now (each row's keys are checked as at
        # commit), then defer again what the transaction does next.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # Sorting a million keys in memory instead of on disk; for this transaction only.
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in indexes:
            cursor.execute(definition)


def reports_copy(
    *,
    plan: ReportPlan,
    places: Sequence[Place],
    agency_names: Mapping[int, str],
    now: datetime.datetime | None = None,
    indexes_rebuilt: bool = False,
) -> Loaded:
    """Write one report per place, with its events, in the current transaction.

    The reports take the next ids of the table's sequence (the sequence is moved past them), so
    the events can name them without reading anything back. `indexes_rebuilt`: see
    `indexes_set_aside` (worth it when the load is large beside what the tables hold).
    """
    if indexes_rebuilt:
        with indexes_set_aside():
            return reports_copy(plan=plan, places=places, agency_names=agency_names, now=now)

    from django.db import connection
    from django.utils import timezone

    from geoapp.selectors import working_calendar
    from incidents.events import REPORTER_LABEL
    from incidents.models import Category, RejectionReason
    from incidents.reporter_tokens import reporter_token_for, reporter_token_hash
    from incidents.tracking_codes import tracking_code_generate

    generator = random.Random(plan.seed)
    now_seconds = int((now or timezone.now()).timestamp())
    categories = {category.code: category for category in Category.objects.all()}
    category_cycle = [
        (categories[code].pk, copy_text(CATEGORY_ATTRIBUTES[code])) for code in CATEGORY_ATTRIBUTES
    ]
    deadlines = deadlines_table(
        working_calendar(), {category.pk: category for category in categories.values()}
    )
    descriptions = [copy_text(text) for text in DESCRIPTIONS]
    answer = copy_text(plan.answer)
    question = copy_text(QUESTION)
    rejection_notes = {
        reason: copy_text(str(RejectionReason(reason).label))
        for reason in (RejectionReason.SPAM.value, RejectionReason.OUTSIDE_SCOPE.value)
    }
    labels = {agency_id: copy_text(name) for agency_id, name in agency_names.items()}
    reporter_label = copy_text(REPORTER_LABEL)
    statuses = [status for status, _share in plan.status_shares]
    status_weights = [share for _status, share in plan.status_shares]
    priorities = [priority for priority, _share in plan.priority_shares]
    priority_weights = [share for _priority, share in plan.priority_shares]
    assignee = str(plan.assignee_id) if plan.assignee_id is not None else _NULL
    incident_copy, row_template = _incident_copy_template()
    row_format = row_template.format

    count = len(places)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('incidents_incident', 'id')")
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [sequence])
        first_id = int(cursor.fetchone()[0])
        if count:
            cursor.execute("SELECT setval(%s, %s)", [sequence, first_id + count - 1])

    codes: set[str] = set()
    events_written = 0
    writer = _ChunkWriter(connection, incident_copy)
    try:
        for chunk_start in range(0, count, CHUNK_REPORTS):
            rows: list[str] = []
            events: list[str] = []
            for index in range(chunk_start, min(chunk_start + CHUNK_REPORTS, count)):
                place = places[index]
                incident_id = first_id + index
                category_id, attributes = category_cycle[index % len(category_cycle)]
                status = generator.choices(statuses, status_weights)[0]
                priority = (
                    generator.choices(priorities, priority_weights)[0]
                    if len(priorities) > 1
                    else priorities[0]
                )
                max_age_days = (
                    FINISHED_REPORT_MAX_AGE_DAYS
                    if status in FINISHED_STATUSES
                    else OPEN_REPORT_MAX_AGE_DAYS
                )
                reported = now_seconds - int(generator.uniform(0, max_age_days) * 86_400)
                acknowledge_by, resolve_by = deadlines.seconds(category_id, priority, reported)
                code = tracking_code_generate()
                while code in codes:
                    code = tracking_code_generate()
                codes.add(code)
                reported_text = moment_text(reported)
                label = labels[place.agency_id]
                events.append(
                    f"{incident_id}\t{reporter_label}\tcreated\t\tnew\t\tt\t{{}}\t{reported_text}\n"
                )
                # The steps at even intervals up to a moment 10-50 % of the way from filing to now.
                path = STATUS_PATHS[status]
                span = (now_seconds - reported) * generator.uniform(0.1, 0.5)
                stamps: dict[str, str] = {}
                rejection_reason = ""
                previous = "new"
                last_text = reported_text
                for step_number, action in enumerate(path, start=1):
                    event_action, reached, stamp = STEPS[action]
                    step_text = moment_text(reported + int(span * step_number / len(path)))
                    if stamp is not None:
                        stamps[stamp] = step_text
                    note = ""
                    if action == "request_information":
                        note = question
                    elif action in ("answer", "resolve"):
                        note = answer
                    elif action == "reject":
                        rejection_reason = (
                            RejectionReason.SPAM.value
                            if generator.random() < plan.spam_share
                            else RejectionReason.OUTSIDE_SCOPE.value
                        )
                        note = rejection_notes[rejection_reason]
                    events.append(
                        f"{incident_id}\t{label}\t{event_action}\t{previous}\t{reached}\t{note}"
                        f"\tt\t{{}}\t{step_text}\n"
                    )
                    previous = reached
                    last_text = step_text
                events_written += len(path) + 1
                answered = "answered_at" in stamps
                is_assigned = status != "new" and generator.random() < plan.assigned_share
                assigned = assignee if is_assigned else _NULL
                rows.append(
                    row_format(
                        incident_id,
                        code,
                        descriptions[index % len(descriptions)],
                        place.location,
                        f"Số {generator.randint(1, 300)} đường Hùng Vương",
                        reported_text,
                        status,
                        priority,
                        attributes,
                        reporter_token_hash(reporter_token_for(code)),
                        "t" if generator.random() < plan.public_share else "f",
                        reported_text,
                        moment_text(acknowledge_by),
                        moment_text(resolve_by),
                        stamps.get("acknowledged_at", _NULL),
                        stamps.get("started_at", _NULL),
                        stamps.get("answered_at", _NULL),
                        stamps.get("resolved_at", _NULL),
                        stamps.get("closed_at", _NULL),
                        stamps.get("rejected_at", _NULL),
                        rejection_reason,
                        generator.randint(0, 6),
                        answer if answered else "",
                        reported_text,
                        last_text,
                        place.agency_id,
                        place.area_id,
                        assigned,
                        category_id,
                    )
                )
            writer.put("".join(rows), "".join(events))
    except BaseException:
        writer.stop()  # the thread must not outlive the failed load
        raise
    writer.finish()
    return Loaded(reports=count, events=events_written, first_id=first_id)


class _ChunkWriter:
    """COPY of each chunk in a thread of its own, while the caller builds the next chunk.

    PostgreSQL parses and stores a chunk on one core while Python builds the next on the other;
    in turn the two would leave one core idle. The thread uses the caller's connection, inside
    its transaction, and is the only user of it until `finish` returns (the caller sends nothing
    meanwhile); psycopg releases the GIL while it waits on the socket. At most two chunks wait,
    so memory stays bounded. An error in the thread is raised again in the caller.
    """

    def __init__(self, connection: Any, incident_copy: str) -> None:
        connection.ensure_connection()
        self.raw = connection.connection  # psycopg's connection under Django's wrapper
        self.incident_copy = incident_copy
        self.chunks: queue.Queue[tuple[str, str] | None] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="report-copy", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (chunk := self.chunks.get()) is not None:
            if self.error is not None:
                continue  # drain what the caller still puts, so it never blocks
            try:
                with self.raw.cursor() as cursor:
                    with cursor.copy(self.incident_copy) as copy:
                        copy.write(chunk[0])
                    with cursor.copy(EVENT_COPY) as copy:
                        copy.write(chunk[1])
            except BaseException as error:  # raised again in the caller by `finish`
                self.error = error

    def put(self, rows: str, events: str) -> None:
        if self.error is not None:
            raise self.error  # the caller stops the thread
        self.chunks.put((rows, events))

    def finish(self) -> None:
        """Wait for the chunks put so far to be written; raise what writing them raised."""
        self.stop()
        if self.error is not None:
            raise self.error

    def stop(self) -> None:
        self.chunks.put(None)
        self.thread.join()


def tables_vacuum_analyze() -> None:
    """Fresh planner statistics and visibility maps for the tables just written (outside any
    transaction: VACUUM cannot run inside one)."""
    from django.db import connection

    from incidents.summaries import summaries_fold_past_days, summaries_reindex

    # As the nightly rebuild would have done on every day of the history just loaded; first of
    # all, the map grids' changes the COPY left pending (the beat folds them every few seconds).
    summaries_fold_past_days()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE incidents_incident")
        cursor.execute("VACUUM ANALYZE incidents_incidentevent")
        # The summaries the triggers kept through the load (issue 10): each COPY batch updated
        # the same rows again, leaving dead versions behind.
        for table in (
            "incidents_incidentdailysummary",
            "incidents_incidentunitsummary",
            "incidents_incidentmapcell",
            "incidents_incidentmapoverviewcell",
            "incidents_incidenthotspotcell",
            # Emptied by the fold above: every row of the load is dead there.
            "incidents_incidentmapchange",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")  # a fixed name
    # As the nightly maintenance does after the rebuild: the load's updates left the summaries'
    # indexes sparse (several times the size of their entries), as months of filings would
    # without it.
    summaries_reindex()
