"""Keyset (cursor) pagination of the staff queues (issue 10): a page is the next 50 entries of the
index that matches its sort, so it costs the same on the first page of 10,000 reports and on the
last page of 1,000,000.

Every sort is a total order ending with the report's id, so a row's position (its `SortKey`) is
unique and "the rows after this one" is one index range (a row comparison, `(a, b, id) > (…)`,
which PostgreSQL turns into the start of an index scan; three ORs of column comparisons it does
not). The cursor the pages and the API hand out names the sort, the direction and the key of the
row on the edge of the page shown, so reports filed or finished between two pages neither repeat
nor vanish from the rows not yet seen.

| sort       | order                                                   | index                  |
|------------|---------------------------------------------------------|------------------------|
| `deadline` | current deadline (none last), reported at, id           | `incident_unit_urgency`, `incident_urgency` (the rows with a deadline), then the newest-first indexes for the finished ones |
| `overdue`  | the same, overdue reports only                          | the same               |
| `newest`   | reported at, id, both descending                        | `incident_unit_reported`, `incident_newest_first` |
| `oldest`   | reported at, id                                         | the same, read forwards |

Only the ids and keys are selected here; the rows with their joins are read afterwards by id
(see `staff_queue_selectors.staff_queue`), so the joins cost 50 rows, not the table.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from incidents.models import Incident

SORT_DEADLINE = "deadline"  # most urgent first; "urgency" in the API and links is the same sort
SORT_URGENCY = "urgency"
SORT_NEWEST = "newest"
SORT_OLDEST = "oldest"
SORT_OVERDUE = "overdue"  # overdue reports only, the longest overdue first

SORTS = (SORT_DEADLINE, SORT_NEWEST, SORT_OLDEST, SORT_OVERDUE)
SORT_ALIASES = {SORT_URGENCY: SORT_DEADLINE}

FORWARD = "a"  # the rows after the key, in the sort's order
BACKWARD = "b"  # the rows before the key

# Cursor text: short and opaque, but only a position (no filter, no user): a cursor reused with
# other filters pages those from the same place, and one handed to another user shows nothing
# that user's scope does not hold.
_CURSOR_PARTS = 6
_CURSOR_MAX_LENGTH = 200


@dataclass(frozen=True)
class SortKey:
    """The position of a row in a sort: the values it is ordered by, the id last."""

    deadline: datetime.datetime | None
    reported_at: datetime.datetime
    id: int


@dataclass(frozen=True)
class Cursor:
    sort: str
    direction: str
    key: SortKey

    def text(self) -> str:
        deadline = "" if self.key.deadline is None else str(_microseconds(self.key.deadline))
        plain = "~".join(
            ("1", self.direction, self.sort, deadline, str(_microseconds(self.key.reported_at)),
             str(self.key.id))
        )  # fmt: skip
        return base64.urlsafe_b64encode(plain.encode()).decode().rstrip("=")


@dataclass(frozen=True)
class KeysetSlice:
    """The keys of one page, in the sort's order, and the cursors of its neighbours (none when
    there is nothing on that side)."""

    keys: list[SortKey]
    next_cursor: str | None
    previous_cursor: str | None


def sort_normalize(sort: str | None) -> str:
    """The sort asked for, by its canonical name; unknown or empty: most urgent first."""
    sort = SORT_ALIASES.get(sort or "", sort or "")
    return sort if sort in SORTS else SORT_DEADLINE


def cursor_parse(text: str, *, sort: str) -> Cursor:
    """The cursor in `text` for `sort`, or InvalidInput saying why it cannot be used."""
    invalid = InvalidInput(
        _(
            "Con trỏ phân trang “%(cursor)s” không hợp lệ: hãy mở lại danh sách từ trang đầu "
            "và dùng các liên kết Trang trước / Trang sau."
        )
        % {"cursor": text[:40]},
        code="invalid_cursor",
    )
    if not text or len(text) > _CURSOR_MAX_LENGTH:
        raise invalid
    try:
        plain = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise invalid from None
    parts = plain.split("~")
    if len(parts) != _CURSOR_PARTS or parts[0] != "1" or parts[1] not in (FORWARD, BACKWARD):
        raise invalid
    if parts[2] not in SORTS:
        raise invalid
    if parts[2] != sort:
        raise InvalidInput(
            _(
                "Con trỏ phân trang thuộc một cách sắp xếp khác: hãy mở lại danh sách từ trang "
                "đầu với cách sắp xếp đang chọn."
            ),
            code="invalid_cursor",
        )
    try:
        deadline = _moment(int(parts[3])) if parts[3] else None
        key = SortKey(deadline=deadline, reported_at=_moment(int(parts[4])), id=int(parts[5]))
    except (ValueError, OverflowError):
        raise invalid from None
    if key.id <= 0 or (deadline is None and sort == SORT_OVERDUE):
        raise invalid
    return Cursor(sort=parts[2], direction=parts[1], key=key)


def keyset_slice(
    queryset: QuerySet[Incident],
    *,
    sort: str,
    cursor: Cursor | None,
    size: int,
    with_deadline: bool | None = None,
    skip: int = 0,
) -> KeysetSlice:
    """The keys of the page of `queryset` (every filter applied, no annotations) after or before
    `cursor` (none: the first page, `skip` rows in, for the pages still asked by number).

    `with_deadline` says which rows the filters leave, when they tell: True for open reports
    only (a finished report has no deadline), False for finished ones only. The deadline sort
    then skips the part of its order that cannot hold a row instead of scanning it for none.
    """
    if cursor is not None and cursor.direction == BACKWARD:
        keys = _walk(queryset, sort, cursor.key, backward=True, limit=size + 1, only=with_deadline)
        keys.reverse()
        if len(keys) < size:
            # The start of the list was reached (rows before it were finished or moved since):
            # the first page, full, rather than a short page.
            return keyset_slice(
                queryset, sort=sort, cursor=None, size=size, with_deadline=with_deadline
            )
        more_before = len(keys) > size
        keys = keys[-size:]
        return KeysetSlice(
            keys=keys,
            next_cursor=Cursor(sort, FORWARD, keys[-1]).text(),
            previous_cursor=Cursor(sort, BACKWARD, keys[0]).text() if more_before else None,
        )
    after = cursor.key if cursor is not None else None
    keys = _walk(queryset, sort, after, backward=False, limit=skip + size + 1, only=with_deadline)
    keys = keys[skip:]
    more_after = len(keys) > size
    keys = keys[:size]
    previous_cursor = None
    if after is not None or skip:
        # Empty page after a cursor (everything after it finished since): back from the cursor.
        edge = keys[0] if keys else after
        if edge is not None:
            previous_cursor = Cursor(sort, BACKWARD, edge).text()
    return KeysetSlice(
        keys=keys,
        next_cursor=Cursor(sort, FORWARD, keys[-1]).text() if more_after and keys else None,
        previous_cursor=previous_cursor,
    )


# The walk through a sort's index ranges


@dataclass(frozen=True)
class _Segment:
    """A part of a sort's order read from one index range: the rows with a deadline, or the
    rows without (whose order has no deadline column)."""

    condition: Q
    columns: tuple[str, ...]
    has_deadline: bool | None


_WITH_DEADLINE = _Segment(
    Q(current_deadline__isnull=False), ("current_deadline", "reported_at", "id"), True
)
_WITHOUT_DEADLINE = _Segment(Q(current_deadline__isnull=True), ("reported_at", "id"), False)
_EVERY_ROW = _Segment(Q(), ("reported_at", "id"), None)

_SEGMENTS: dict[str, tuple[tuple[_Segment, ...], bool]] = {
    # sort: (its segments in order, whether its columns run descending)
    SORT_DEADLINE: ((_WITH_DEADLINE, _WITHOUT_DEADLINE), False),
    SORT_OVERDUE: ((_WITH_DEADLINE,), False),
    SORT_NEWEST: ((_EVERY_ROW,), True),
    SORT_OLDEST: ((_EVERY_ROW,), False),
}


def _walk(
    queryset: QuerySet[Incident],
    sort: str,
    key: SortKey | None,
    *,
    backward: bool,
    limit: int,
    only: bool | None,
) -> list[SortKey]:
    """Up to `limit` keys after `key` (before it when `backward`, nearest first), one query per
    segment of the sort, stopping as soon as `limit` are found."""
    segments, descending = _SEGMENTS[sort]
    segments = tuple(
        segment
        for segment in segments
        if only is None or segment.has_deadline is None or segment.has_deadline == only
    )
    if backward:
        segments = segments[::-1]
    if key is not None:
        # Start in the key's segment: a key without a deadline lies after every row with one.
        holding = [s for s in segments if s.has_deadline in (None, key.deadline is not None)]
        segments = segments[segments.index(holding[0]) :] if holding else ()
    read_descending = descending != backward
    keys: list[SortKey] = []
    for position, segment in enumerate(segments):
        selected = queryset.filter(segment.condition)
        if key is not None and position == 0:
            selected = selected.filter(_beyond(segment.columns, key, greater=not read_descending))
        ordering = [f"-{column}" if read_descending else column for column in segment.columns]
        rows = selected.order_by(*ordering).values_list("current_deadline", "reported_at", "id")[
            : limit - len(keys)
        ]
        keys += [SortKey(deadline, reported_at, id_) for deadline, reported_at, id_ in rows]
        if len(keys) >= limit:
            break
    return keys


def _beyond(columns: Sequence[str], key: SortKey, *, greater: bool) -> RawSQL:
    """`(columns) > (key's values)` (or `<`) as one row comparison: PostgreSQL starts the index
    scan at that position. Django has no public expression for it, hence the SQL; the columns
    are this model's own, named and quoted here, and the values are parameters."""
    table = connection.ops.quote_name(Incident._meta.db_table)
    names = ", ".join(f"{table}.{connection.ops.quote_name(column)}" for column in columns)
    values = {"current_deadline": key.deadline, "reported_at": key.reported_at, "id": key.id}
    placeholders = ", ".join(["%s"] * len(columns))
    operator = ">" if greater else "<"
    return RawSQL(
        f"({names}) {operator} ({placeholders})",
        [values[column] for column in columns],
        output_field=BooleanField(),
    )


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_MICROSECOND = datetime.timedelta(microseconds=1)


def _microseconds(moment: datetime.datetime) -> int:
    # Whole microseconds in integers (a float timestamp could round the last one away, and the
    # key must match the stored value exactly for the row comparison to start after it).
    return (moment - _EPOCH) // _MICROSECOND


def _moment(microseconds: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(microseconds=microseconds)
