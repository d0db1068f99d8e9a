"""The leaders are sent a link to each weekly report, through the notifications outbox.

Who: every active account with an e-mail address that is a leader — a member of the group "Lãnh
đạo" or holding `ioc.view_operations_centre` (directly or through a group). Administrators who
are not leaders are not written to: the report is the leaders'; they find it on the dashboard.
Superusers are not leaders by being superusers.

Once: each message's `dedupe_key` names the week and the account
(`ioc:weekly-report:<Monday>:user:<id>`), so producing a week again (the task retried, a leader
asking again after late data) plans nothing more for those already told; a leader added since is
told at that time. The outbox (`notifications`) sends each row once, after the commit.

The message carries links only (the PDF, the workbook, the dashboard's list), which open after
signing in; no figure and no personal data travels by e-mail.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ioc.models import WeeklyReport
from notifications.models import Notification, NotificationChannel, RecipientRole
from notifications.services import notification_enqueue

KIND_WEEKLY_REPORT = "ioc_weekly_report"
LEADERS_GROUP = "Lãnh đạo"
_APP_LABEL, _CODENAME = "ioc", "view_operations_centre"


def leaders_to_tell() -> list[AbstractUser]:
    """The leaders with an address, in a stable order."""
    holds_permission = Q(
        user_permissions__content_type__app_label=_APP_LABEL,
        user_permissions__codename=_CODENAME,
    ) | Q(
        groups__permissions__content_type__app_label=_APP_LABEL,
        groups__permissions__codename=_CODENAME,
    )
    return list(
        get_user_model()
        .objects.filter(Q(groups__name=LEADERS_GROUP) | holds_permission, is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def dedupe_key(report: WeeklyReport, user: AbstractUser) -> str:
    return f"ioc:weekly-report:{report.week_start.isoformat()}:user:{user.pk}"


def weekly_report_links_send(*, report: WeeklyReport) -> list[Notification]:
    """Plan one message per leader not yet told of this week's report; the new rows."""
    leaders = leaders_to_tell()
    keys = {user.pk: dedupe_key(report, user) for user in leaders}
    already = set(
        Notification.objects.filter(dedupe_key__in=keys.values()).values_list(
            "dedupe_key", flat=True
        )
    )
    week = report.week_start.isoformat()
    site = settings.SITE_URL
    context = {
        "week_start": report.week_start,
        "week_end": report.week_start + datetime.timedelta(days=6),
        "pdf_url": site + reverse("ioc-report-pdf", args=[week]),
        "xlsx_url": site + reverse("ioc-report-xlsx", args=[week]),
        "dashboard_url": site + reverse("ioc-dashboard") + "#reports-title",
    }
    with translation.override("vi"):
        body = render_to_string("ioc/messages/weekly_report.txt", context)
    subject = (
        f"Báo cáo tuần {report.week_start:%d/%m/%Y} / Weekly report of {report.week_start:%d/%m/%Y}"
    )
    planned = []
    for user in leaders:
        if keys[user.pk] in already:
            continue
        planned.append(
            notification_enqueue(
                dedupe_key=keys[user.pk],
                kind=KIND_WEEKLY_REPORT,
                channel=NotificationChannel.EMAIL,
                recipient_role=RecipientRole.LEADER,
                address=user.email,
                subject=subject,
                body=body,
                about=report,
            )
        )
    return planned
