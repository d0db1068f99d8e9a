"""Where the services hand work to the background: called with `transaction.on_commit`.

Each function receives ids only (the rows are committed by then) and plans the messages in the
outbox of the `notifications` app (`notifications/incident_notices.py`): one row per message,
written here, synchronously, and sent by a Celery task enqueued after that write commits. If the
broker is down, the rows stay pending and the sweeper enqueues them later (docs/notifications.md).

| hook                         | when                                              | who is told (section 6)                   |
|------------------------------|---------------------------------------------------|-------------------------------------------|
| notify_incident_created      | a report was filed                                | the unit; the reporter (receipt); area followers |
| notify_incident_transferred  | a report moved to another unit                    | the new unit                              |
| notify_incident_updated      | any other public event (status change, answer...) | the reporter, followers                   |
| notify_incident_moderated    | a report, its text or a photo was hidden          | the reporter                              |

The report is already committed when a hook runs: an error here is logged, never raised, so that
it cannot turn a saved report into an error page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from notifications import incident_notices

logger = logging.getLogger(__name__)


def _planned_safely(plan: Callable[..., Any], **ids: int) -> None:
    try:
        plan(**ids)
    except Exception:
        logger.exception("notifications for %s could not be planned", ids)


def notify_incident_created(incident_id: int) -> None:
    _planned_safely(incident_notices.incident_created_notices_enqueue, incident_id=incident_id)


def notify_incident_transferred(incident_id: int, event_id: int) -> None:
    _planned_safely(
        incident_notices.incident_transferred_notices_enqueue,
        incident_id=incident_id,
        event_id=event_id,
    )


def notify_incident_updated(incident_id: int, event_id: int) -> None:
    _planned_safely(
        incident_notices.incident_updated_notices_enqueue,
        incident_id=incident_id,
        event_id=event_id,
    )


def notify_incident_moderated(incident_id: int, event_id: int) -> None:
    _planned_safely(
        incident_notices.incident_moderated_notices_enqueue,
        incident_id=incident_id,
        event_id=event_id,
    )
