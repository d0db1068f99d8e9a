"""Where the services hand work to the background: called with `transaction.on_commit`.

Each function receives ids only (the rows are committed by then) and is the seam for the Celery
tasks (issue 3, section 6): they will enqueue a task here (`task.delay(...)`), and the task will
read the rows and send email, SMS or Zalo messages. Until then they only log, so that nothing here
can fail a report that has already been saved.

| hook                         | when                                              | who is told (section 6)          |
|------------------------------|---------------------------------------------------|----------------------------------|
| notify_incident_created      | a report was filed                                | the unit; the reporter (receipt) |
| notify_incident_transferred  | a report moved to another unit                    | the new unit                     |
| notify_incident_updated      | any other public event (status change, answer...) | the reporter, followers          |
| notify_incident_moderated    | a report, its text or a photo was hidden          | the reporter                     |
"""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def notify_incident_created(incident_id: int) -> None:
    logger.debug("incident %s created: notification hook", incident_id)


def notify_incident_transferred(incident_id: int, event_id: int) -> None:
    logger.debug("incident %s transferred (event %s): notification hook", incident_id, event_id)


def notify_incident_updated(incident_id: int, event_id: int) -> None:
    logger.debug("incident %s updated (event %s): notification hook", incident_id, event_id)


def notify_incident_moderated(incident_id: int, event_id: int) -> None:
    logger.debug("incident %s moderated (event %s): notification hook", incident_id, event_id)
