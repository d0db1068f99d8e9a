"""Where the services hand work to the background: called inside the service's transaction.

Each function receives ids and plans the messages (`incidents/notices.py`: who is told
what; `incidents/notice_texts.py`: in which words) in the outbox of the `notifications` app,
which delivers them and knows nothing of reports: one row per message, written in the same
transaction as the change it announces (a transactional outbox: the report and its messages
commit together, so a process killed right after the commit loses nothing), and sent by a Celery
task enqueued on commit. If the broker is down, the rows stay pending and the sweeper enqueues them later
(docs/notifications.md).

| hook                         | when                                              | who is told (section 6)                   |
|------------------------------|---------------------------------------------------|-------------------------------------------|
| incident_created_messages    | a report is being filed (in the filing's statement) | the unit; the reporter (receipt); area followers |
| notify_incident_created      | a filed report's messages planned again           | the same, those not yet planned           |
| notify_incident_transferred  | a report moved to another unit                    | the new unit                              |
| notify_incident_updated      | any other public event (status change, answer...) | the reporter, followers                   |
| notify_incident_moderated    | a report, its text or a photo hidden or re-shown  | the reporter                              |

Planning runs in a savepoint: an error here is logged and rolled back to the savepoint, never
raised, so that a fault in planning messages cannot refuse a citizen's report.

A filing is the exception (issue 10; docs/benchmarks.md, "Filing in one statement"): its
messages are written by the statement that writes the report, its first event and reads the
catalogue's revision, without a savepoint or a round trip of their own. What Python decides
(who is told, in which channel) is decided before that statement, and a fault there is logged
and the report filed without messages, as before; what is left is SQL of checked values (the
area's followers, found by the report's location, and an INSERT that a taken key cannot make
fail), whose database errors are those of the report's own INSERT, and refuse it as those do.
A savepoint caught here could not save the report from them either: the statement is one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db import transaction

from geoapp.sql import AlsoInStatement
from incidents import notices
from incidents.models import Incident

logger = logging.getLogger(__name__)


# False inside `history_recorded_silently`: a context variable, so it holds for this thread or
# task only, and is restored however the block ends.
_announcing: ContextVar[bool] = ContextVar("incidents_announcing", default=True)


@contextmanager
def history_recorded_silently() -> Iterator[None]:
    """Within this block the hooks plan no message: for writing steps that happened in the past
    (the demo's history, records carried over from an older system), which are news to nobody."""
    token = _announcing.set(False)
    try:
        yield
    finally:
        _announcing.reset(token)


def _planned_safely(plan: Callable[..., Any], **arguments: Any) -> None:
    if not _announcing.get():
        return
    try:
        # The one savepoint of the planning (the functions it calls take none of their own):
        # it keeps the surrounding transaction usable after a database error here.
        with transaction.atomic():
            plan(**arguments)
    except Exception:
        ids = {name: value for name, value in arguments.items() if name.endswith("_id")}
        logger.exception("notifications for %s could not be planned", ids)


def incident_created_messages(incident: Incident, *, at: datetime) -> AlsoInStatement | None:
    """The messages announcing a report being filed, for the statement that writes it
    (`notices.incident_created_messages`); None when none is planned: inside
    `history_recorded_silently`, or when choosing them failed (logged; the report is filed
    without them, as a fault in planning never refuses a report)."""
    if not _announcing.get():
        return None
    try:
        return notices.incident_created_messages(incident, at=at)
    except Exception:
        logger.exception("notifications for a report being filed could not be planned")
        return None


def notify_incident_created(incident_id: int) -> None:
    """The messages of a filed report, planned again (the filing writes them itself): those not
    yet planned are written."""
    _planned_safely(notices.incident_created_notices_enqueue, incident_id=incident_id)


def notify_incident_transferred(incident_id: int, event_id: int) -> None:
    _planned_safely(
        notices.incident_transferred_notices_enqueue,
        incident_id=incident_id,
        event_id=event_id,
    )


def notify_incident_updated(incident_id: int, event_id: int) -> None:
    _planned_safely(
        notices.incident_updated_notices_enqueue,
        incident_id=incident_id,
        event_id=event_id,
    )


def notify_incident_moderated(incident_id: int, event_id: int) -> None:
    _planned_safely(
        notices.incident_moderated_notices_enqueue,
        incident_id=incident_id,
        event_id=event_id,
    )
