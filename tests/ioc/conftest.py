"""Personas and reports for the operations centre's tests: the citizen-feedback personas (a
leader of group "Lãnh đạo", an officer of Phường Cẩm Thành, one of Xã An Phú) and ten reports
filed today over both communes, in known states.

The states are set with SQL updates on purpose: the summaries are kept by triggers on whatever
writes the reports, and the figures below must be what the reports say.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from incidents.models import Incident, IncidentStatus
from tests.incidents.conftest import (  # noqa: F401 - fixtures used by the ioc tests
    AN_PHU_POINT,
    CAM_THANH_POINT,
    FileReport,
    _private_media_and_cache,
    _vietnamese_first,
    administrator,
    categories,
    file_report,
    leader,
    officer_a,
    officer_b,
)


@dataclass
class Reports:
    cam_thanh: list[Incident]
    an_phu: list[Incident]

    @property
    def all(self) -> list[Incident]:
        return self.cam_thanh + self.an_phu


@pytest.fixture
def reports(file_report: FileReport) -> Reports:  # noqa: F811 - the imported fixture
    """Six reports in Cẩm Thành and four in An Phú, filed now. In Cẩm Thành: two resolved on
    time (rated 5 and 2), one resolved late, two open past their deadline, one open within it.
    In An Phú: one resolved on time (rated 4), three open within their deadline."""
    cam_thanh = [
        file_report(point=Point(108.75 + 0.02 * index, 15.05, srid=4326)).incident
        for index in range(6)
    ]
    an_phu = [file_report(point=AN_PHU_POINT).incident for _ in range(4)]
    now = timezone.now()
    later = now + datetime.timedelta(days=3)
    earlier = now - datetime.timedelta(hours=2)

    def resolve(incident: Incident, *, on_time: bool, rating: int | None) -> None:
        Incident.objects.filter(pk=incident.pk).update(
            status=IncidentStatus.RESOLVED,
            resolved_at=now,
            resolve_by=later if on_time else earlier,
            rating=rating,
        )

    resolve(cam_thanh[0], on_time=True, rating=5)
    resolve(cam_thanh[1], on_time=True, rating=2)
    resolve(cam_thanh[2], on_time=False, rating=None)
    Incident.objects.filter(pk__in=[cam_thanh[3].pk, cam_thanh[4].pk]).update(resolve_by=earlier)
    Incident.objects.filter(pk=cam_thanh[5].pk).update(resolve_by=later)
    resolve(an_phu[0], on_time=True, rating=4)
    Incident.objects.filter(pk__in=[r.pk for r in an_phu[1:]]).update(resolve_by=later)
    return Reports(
        cam_thanh=[Incident.objects.get(pk=r.pk) for r in cam_thanh],
        an_phu=[Incident.objects.get(pk=r.pk) for r in an_phu],
    )
