"""The dossiers in progress at the end of a day, counted over the covering index of the open
dossiers (the operations centre's card, issue 13): the same totals as the statistics' groups,
province-wide and for one area."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import User

from procedures import services
from procedures.selectors import InProgress, dossier_statistics, dossiers_in_progress
from tests.conftest import Territory
from tests.procedures.conftest import vietnam

pytestmark = pytest.mark.usefixtures("catalogue")


def test_the_dossiers_in_progress_equal_the_statistics_totals(
    territory: Territory, officer_a: User
) -> None:
    cam_thanh = territory.committee_cam_thanh.code
    an_phu = territory.committee_an_phu.code

    def receive(unit: str, day: int) -> str:
        return services.dossier_receive(
            procedure_code="1.001612", unit_code=unit, received_at=vietnam(2026, 3, day, 8),
            channel="counter",
        ).code  # fmt: skip

    # Appointments ten working days after receipt: 16 March for 2 March, 19 March for 5 March.
    receive(cam_thanh, 2)
    receive(cam_thanh, 5)
    finished = receive(cam_thanh, 3)
    services.dossier_act(code=finished, action="result_ready", actor=officer_a,
                         at=vietnam(2026, 3, 10, 8))  # fmt: skip
    receive(an_phu, 2)
    receive(an_phu, 20)  # after the day asked about: not yet received then

    on = datetime.date(2026, 3, 17)
    assert dossiers_in_progress(on=on) == InProgress(within=1, overdue=2)
    assert dossiers_in_progress(on=on, area_id=territory.cam_thanh.pk) == InProgress(1, 1)
    assert dossiers_in_progress(on=on, area_id=territory.an_phu.pk) == InProgress(0, 1)
    rows = dossier_statistics(date_from=on, date_to=on, group_by="area")
    assert sum(row["in_progress_within"] for row in rows) == 1
    assert sum(row["in_progress_overdue"] for row in rows) == 2
    # Without the open dossiers, the statistics read the tally alone and leave them at zero.
    tally_only = dossier_statistics(
        date_from=datetime.date(2026, 3, 1), date_to=on, group_by="area", open_dossiers=False
    )
    assert [(row["received"], row["finished"], row["in_progress_within"],
             row["in_progress_overdue"]) for row in tally_only] == [(3, 1, 0, 0), (1, 0, 0, 0)]  # fmt: skip
