"""Keyset pages of the staff queue (issue 10): every row exactly once across the pages of each
sort, ties broken by id, reports filed between two pages, the officer's scope kept, and a bad
cursor answered with its reason and nothing changed.

Personas from tests/incidents/conftest.py: an officer of unit A (Cẩm Thành), an officer of unit
B (An Phú) and a leader.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from incidents import staff_queue_selectors
from incidents.models import OPEN_STATUSES, Incident, IncidentStatus
from incidents.queue_keyset import cursor_parse
from incidents.staff_queue_selectors import QueueFilters

from .conftest import AN_PHU_POINT, FileReport
from .test_staff_pages import QUEUE, client_as, queue_rows, text

PAGE_SIZE = 4
NOW = timezone.now()


def _reports_with_ties(file_report: FileReport, count: int = 13, **overrides: Any) -> list[int]:
    """`count` reports whose deadlines and moments repeat (three of each), a third finished."""
    ids = []
    for number in range(count):
        incident = file_report(description=f"Phản ánh số {number}", **overrides).incident
        moment = NOW - datetime.timedelta(days=10 - number % 3)
        deadline = NOW + datetime.timedelta(days=(number % 3) - 1)
        status = IncidentStatus.RESOLVED if number % 3 == 2 else IncidentStatus.IN_PROGRESS
        Incident.objects.filter(pk=incident.pk).update(
            reported_at=moment, resolve_by=deadline, acknowledge_by=deadline, status=status
        )
        ids.append(incident.pk)
    return ids


def _expected(sort: str, *, status: str = "all") -> list[int]:
    rows = list(Incident.objects.values_list("id", "current_deadline", "reported_at", "status"))
    if status == "open":
        rows = [row for row in rows if row[3] in OPEN_STATUSES]
    far = NOW + datetime.timedelta(days=10**5)
    orders = {
        "deadline": lambda row: (row[1] is None, row[1] or far, row[2], row[0]),
        "newest": lambda row: (-row[2].timestamp(), -row[0]),
        "oldest": lambda row: (row[2], row[0]),
    }
    return [row[0] for row in sorted(rows, key=orders[sort])]


def _walk(user: User, filters: QueueFilters) -> tuple[list[int], list[list[int]]]:
    """Every page forward from the first through the next cursors: (ids, pages)."""
    pages: list[list[int]] = []
    cursor = None
    while True:
        page = staff_queue_selectors.staff_queue(
            user=user, filters=filters, cursor=cursor, page_size=PAGE_SIZE, now=NOW
        ).page
        pages.append([row.pk for row in page.object_list])
        if page.next_cursor is None:
            break
        cursor = cursor_parse(page.next_cursor, sort=filters.sort)
        assert len(pages) < 20
    return [pk for ids in pages for pk in ids], pages


@pytest.mark.parametrize("sort", ["deadline", "newest", "oldest"])
@pytest.mark.parametrize("status", ["all", "open"])
def test_the_pages_of_each_sort_hold_every_report_exactly_once_in_order(
    file_report: FileReport, officer_a: User, sort: str, status: str
) -> None:
    _reports_with_ties(file_report)

    seen, pages = _walk(officer_a, QueueFilters(sort=sort, status=status))

    assert seen == _expected(sort, status=status)
    assert [len(ids) for ids in pages[:-1]] == [PAGE_SIZE] * (len(pages) - 1)


@pytest.mark.parametrize("sort", ["deadline", "newest", "oldest"])
def test_the_previous_links_walk_the_same_pages_back(
    file_report: FileReport, leader: User, sort: str
) -> None:
    _reports_with_ties(file_report)
    filters = QueueFilters(sort=sort, status="all")
    _seen, forward = _walk(leader, filters)
    cursor = None
    last = None
    for _page in forward:
        last = staff_queue_selectors.staff_queue(
            user=leader, filters=filters, cursor=cursor, page_size=PAGE_SIZE, now=NOW
        ).page
        if last.next_cursor:
            cursor = cursor_parse(last.next_cursor, sort=sort)
    assert last is not None

    backward = [[row.pk for row in last.object_list]]
    while last.previous_cursor:
        last = staff_queue_selectors.staff_queue(
            user=leader,
            filters=filters,
            cursor=cursor_parse(last.previous_cursor, sort=sort),
            page_size=PAGE_SIZE,
            now=NOW,
        ).page
        backward.insert(0, [row.pk for row in last.object_list])

    # The first page reached backwards is full (13 rows: 4, 4, 4, 1 forwards), so the pages
    # before the last one are the same rows, and nothing is missing or repeated.
    assert [pk for ids in backward for pk in ids] == _expected(sort)
    assert backward[-1] == forward[-1]


def test_reports_filed_between_two_pages_do_not_repeat_or_hide_the_others(
    file_report: FileReport, officer_a: User
) -> None:
    _reports_with_ties(file_report, count=8)
    before = _expected("newest")
    filters = QueueFilters(sort="newest", status="all")
    first = staff_queue_selectors.staff_queue(
        user=officer_a, filters=filters, page_size=PAGE_SIZE, now=NOW
    ).page
    # Filed now: newer than every row, so before the cursor; it must not push a row onto the
    # next page a second time.
    newer = file_report(description="Phản ánh mới giữa hai trang").incident
    second = staff_queue_selectors.staff_queue(
        user=officer_a,
        filters=filters,
        cursor=cursor_parse(first.next_cursor or "", sort="newest"),
        page_size=PAGE_SIZE,
        now=NOW,
    ).page

    shown = [row.pk for row in first.object_list] + [row.pk for row in second.object_list]
    assert shown == before
    assert newer.pk not in shown
    assert second.next_cursor is None


def test_the_overdue_sort_lists_only_overdue_reports_the_longest_overdue_first(
    file_report: FileReport, officer_a: User
) -> None:
    _reports_with_ties(file_report, count=9)
    overdue = [
        pk
        for pk in _expected("deadline", status="open")
        if Incident.objects.get(pk=pk).current_deadline < NOW
    ]

    seen, _pages = _walk(officer_a, QueueFilters(sort="overdue"))

    assert seen == overdue
    assert len(overdue) == 3


def test_an_officer_pages_only_through_their_units_reports(
    file_report: FileReport, officer_a: User, officer_b: User
) -> None:
    in_a = _reports_with_ties(file_report, count=6)
    in_b = _reports_with_ties(file_report, count=6, point=AN_PHU_POINT)
    filters = QueueFilters(sort="oldest", status="all")

    seen_a, _pages = _walk(officer_a, filters)
    seen_b, _pages = _walk(officer_b, filters)

    assert sorted(seen_a) == sorted(in_a)
    assert sorted(seen_b) == sorted(in_b)


def test_the_page_links_are_cursors_that_lead_to_the_next_rows(
    file_report: FileReport, officer_a: User
) -> None:
    for number in range(55):
        file_report(description=f"Phản ánh số {number}")
    client = client_as(officer_a)

    first = text(client.get(f"{QUEUE}?sort=newest"))
    link = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = text(client.get(f"{QUEUE}{link}"))

    assert "cursor=" in link and "sort=newest" in link
    codes = [code for code, _u in queue_rows(first)] + [code for code, _u in queue_rows(second)]
    assert codes == list(
        Incident.objects.order_by("-reported_at", "-id").values_list("tracking_code", flat=True)
    )


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("vi", "Con trỏ phân trang"),
        ("en", "The page cursor"),
    ],
)
@pytest.mark.parametrize(
    "cursor", ["khong-hop-le", "MX5hfmRlYWRsaW5lfnh-MX4x", "MX56fm5ld2VzdH5-MX4x"]
)
def test_a_bad_cursor_is_refused_with_its_reason_and_changes_nothing(
    file_report: FileReport, officer_a: User, language: str, message: str, cursor: str
) -> None:
    report = file_report().incident
    before = list(Incident.objects.values_list("id", "status", "updated_at"))

    response = client_as(officer_a, language=language).get(f"{QUEUE}?cursor={cursor}")

    assert response.status_code == 400
    assert message in text(response)
    assert 'id="cursor-error"' in text(response)
    # The first page is shown instead, and nothing was written.
    assert [code for code, _u in queue_rows(text(response))] == [report.tracking_code]
    assert list(Incident.objects.values_list("id", "status", "updated_at")) == before


def test_a_cursor_of_another_sort_is_refused(file_report: FileReport, officer_a: User) -> None:
    _reports_with_ties(file_report, count=9)
    page = staff_queue_selectors.staff_queue(
        user=officer_a, filters=QueueFilters(sort="newest"), page_size=PAGE_SIZE, now=NOW
    ).page
    assert page.next_cursor is not None

    response = client_as(officer_a).get(f"{QUEUE}?sort=oldest&cursor={page.next_cursor}")

    assert response.status_code == 400
    assert "thuộc một cách sắp xếp khác" in text(response), re.findall(
        r"cursor-error\">[^<]*", text(response)
    )
