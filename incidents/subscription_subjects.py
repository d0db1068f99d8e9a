"""How the subscription pages name what citizen feedback lets people follow: a report or an area.

Imported by the `notifications` app at start-up (`notifications/subjects.py`), which then asks
these functions for the sentences of its confirm and unsubscribe pages.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from incidents.models import Incident
from notifications.subjects import FollowingSentences, subject_describer_register
from wards.models import Area


def _report_sentences(incident: Incident) -> FollowingSentences:
    code = incident.tracking_code
    return FollowingSentences(
        starts=_("Từ nay bạn sẽ nhận thư khi phản ánh %(code)s có diễn biến mới.") % {"code": code},
        stops=_("Bạn sẽ không nhận thêm thư về phản ánh %(code)s.") % {"code": code},
    )


def _area_sentences(area: Area) -> FollowingSentences:
    return FollowingSentences(
        starts=_(
            "Từ nay bạn sẽ nhận thư khi có phản ánh mới hoặc phản ánh được giải quyết tại %(area)s."
        )
        % {"area": area.name},
        stops=_("Bạn sẽ không nhận thêm thư về các phản ánh tại %(area)s.") % {"area": area.name},
    )


subject_describer_register(Incident, _report_sentences)
subject_describer_register(Area, _area_sentences)
