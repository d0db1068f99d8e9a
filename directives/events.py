"""The audit trail: one small function writes every task event (who, when, from, to, note)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.files import File

from directives.models import Task, TaskAction, TaskEvent


def actor_label(actor: User | None) -> str:
    if actor is None:
        return ""
    return actor.get_full_name() or actor.get_username()


def task_event(
    *,
    task: Task,
    action: TaskAction,
    actor: User | None,
    at: datetime.datetime,
    from_status: str = "",
    note: str = "",
    progress_percent: int | None = None,
    from_deadline: datetime.date | None = None,
    to_deadline: datetime.date | None = None,
    attachment: File[Any] | None = None,
) -> TaskEvent:
    event = TaskEvent(
        task=task,
        created_at=at,
        actor=actor,
        actor_label=actor_label(actor),
        action=action,
        from_status=from_status,
        to_status=task.status,
        note=note,
        progress_percent=progress_percent,
        from_deadline=from_deadline,
        to_deadline=to_deadline,
    )
    if attachment is not None:
        event.attachment = attachment
    event.save()
    return event
