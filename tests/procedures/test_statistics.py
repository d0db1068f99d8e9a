"""Statistics: the average and median processing time per group with exact figures, the
statistics exports (counts only, no personal data), and every label of procedures in English."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from django.db.models import Field
from django.test import Client
from django.utils import translation
from django.utils.functional import Promise
from openpyxl import load_workbook
from rest_framework.test import APIClient

from procedures import models, selectors, services
from procedures.models import Dossier
from tests.conftest import Territory
from tests.procedures.conftest import vietnam
from wards.models import Agency

pytestmark = pytest.mark.usefixtures("catalogue")
LAND = "1.001612"  # 10 working days


def finished(unit: Agency, received: datetime, finish: datetime, officer: User) -> Dossier:
    dossier = services.dossier_receive(
        procedure_code=LAND, unit_code=unit.code, received_at=received, channel="counter",
        applicant={"name": "Trần Thị Bích", "id_number": "051190009999", "phone": "0905777888"},
    )  # fmt: skip
    return services.dossier_act(code=dossier.code, action="result_ready", actor=officer, at=finish)


@pytest.fixture
def four_and_one(territory: Territory, officer_a: User, officer_b: User) -> list[Dossier]:
    """Four land dossiers at Cẩm Thành received Monday 2 March 2026, finished after 2, 4, 9 and
    22 working days (March 2026 has no holiday: 4, 6, 13 March and 1 April); one at An Phú
    finished after 1 (3 March); and one at An Phú still in progress, which has no time."""
    unit_a, unit_b = territory.committee_cam_thanh, territory.committee_an_phu
    dossiers = [
        finished(unit_a, vietnam(2026, 3, 2, 8, minute), finish, officer_a)
        for minute, finish in enumerate(
            [vietnam(2026, 3, 4, 10), vietnam(2026, 3, 6, 10), vietnam(2026, 3, 13, 10),
             vietnam(2026, 4, 1, 10)]
        )
    ]  # fmt: skip
    dossiers.append(finished(unit_b, vietnam(2026, 3, 2, 9), vietnam(2026, 3, 3, 16), officer_b))
    services.dossier_receive(procedure_code=LAND, unit_code=unit_b.code,
                             received_at=vietnam(2026, 3, 2, 10), channel="online")  # fmt: skip
    return dossiers


def times(date_from: str, date_to: str, group_by: str) -> list[tuple[str, int, object, object]]:
    answer = APIClient().get(
        "/api/v1/dossiers/stats/", {"from": date_from, "to": date_to, "group_by": group_by}
    )
    assert answer.status_code == 200
    return [
        (row["key"], row["finished"], row["average_working_days"], row["median_working_days"])
        for row in answer.json()["results"]
    ]


def test_each_finished_dossier_keeps_its_working_days(four_and_one: list[Dossier]) -> None:
    assert [dossier.working_days for dossier in four_and_one] == [2, 4, 9, 22, 1]
    assert list(Dossier.objects.filter(finished_at__isnull=True).values_list("working_days")) == [
        (None,)
    ]


def test_the_median_of_an_even_count_is_the_mean_of_the_middle_two(
    territory: Territory, four_and_one: list[Dossier]
) -> None:
    # Cẩm Thành: 2, 4, 9, 22 -> median (4 + 9) / 2 = 6.5, average 37 / 4 = 9.25; An Phú: 1.
    assert times("2026-03-01", "2026-04-30", "unit") == [
        ("ubnd-21025-2025", 4, 9.25, 6.5),
        ("ubnd-21034-2025", 1, 1.0, 1.0),
    ]


def test_the_median_of_an_odd_count_is_the_middle_one_and_periods_cut_by_finishing_day(
    territory: Territory, four_and_one: list[Dossier]
) -> None:
    # March alone at Cẩm Thành: 2, 4, 9 -> median 4, average 5 (the one of 1 April is outside).
    assert times("2026-03-01", "2026-03-31", "unit") == [
        ("ubnd-21025-2025", 3, 5.0, 4.0),
        ("ubnd-21034-2025", 1, 1.0, 1.0),
    ]
    # By month of finishing: March 2, 4, 9, 1 -> median (2 + 4) / 2 = 3, average 16 / 4 = 4.
    assert times("2026-03-01", "2026-04-30", "month") == [
        ("2026-03", 4, 4.0, 3.0),
        ("2026-04", 1, 22.0, 22.0),
    ]
    assert times("2026-03-01", "2026-04-30", "procedure") == [(LAND, 5, 7.6, 4.0)]


def test_a_group_without_a_finished_dossier_has_no_time(
    territory: Territory, four_and_one: list[Dossier]
) -> None:
    # In May nothing was received or finished; the dossier still open is counted, without a time.
    assert times("2026-05-01", "2026-05-31", "unit") == [("ubnd-21034-2025", 0, None, None)]


def test_the_median_is_what_the_selector_computes_from_the_dossiers(
    territory: Territory, four_and_one: list[Dossier]
) -> None:
    # The same figures in Python: the median of the stored working days of each group.
    import statistics

    rows = selectors.dossier_statistics(
        date_from=vietnam(2026, 3, 1).date(), date_to=vietnam(2026, 4, 30).date(), group_by="level"
    )
    days = [dossier.working_days or 0 for dossier in four_and_one]
    assert [(row["key"], row["median_working_days"]) for row in rows] == [
        ("commune", statistics.median(days))
    ]


def test_the_statistics_exports_carry_counts_and_times_and_no_personal_data(
    territory: Territory, four_and_one: list[Dossier], officer_a: User
) -> None:
    browser = Client()
    browser.force_login(officer_a)
    query = {"from": "2026-03-01", "to": "2026-03-31", "group_by": "unit"}
    answer = browser.get("/can-bo/ho-so/thong-ke/", query | {"export": "csv"})
    assert answer.status_code == 200
    text = answer.content.decode()
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [
        "key", "label", "received", "finished", "early", "on_time", "late",
        "in_progress_within", "in_progress_overdue", "paused", "average_working_days",
        "median_working_days", "on_time_numerator", "on_time_denominator", "on_time_rate",
        "online_numerator", "online_denominator", "online_rate",
    ]  # fmt: skip
    assert table[1:] == [
        ["ubnd-21025-2025", "Ủy ban nhân dân Phường Cẩm Thành", "4", "3", "3", "0", "0", "0",
         "0", "0", "5.0", "4.0", "3", "3", "1.0", "0", "4", "0.0"],
        ["ubnd-21034-2025", "Ủy ban nhân dân Xã An Phú", "2", "1", "1", "0", "0", "0", "1",
         "0", "1.0", "1.0", "1", "1", "1.0", "1", "2", "0.5"],
    ]  # fmt: skip
    workbook = browser.get("/can-bo/ho-so/thong-ke/", query | {"export": "xlsx"})
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0] == table[0]
    assert [row[:4] + row[10:12] for row in cells[1:]] == [
        ["ubnd-21025-2025", "Ủy ban nhân dân Phường Cẩm Thành", 4, 3, 5.0, 4.0],
        ["ubnd-21034-2025", "Ủy ban nhân dân Xã An Phú", 2, 1, 1.0, 1.0],
    ]
    everything = text + repr(cells)
    for secret in ("Trần Thị Bích", "051190009999", "0905777888", four_and_one[0].code):
        assert secret not in everything


def _labels() -> list[tuple[str, Promise]]:
    labels: list[tuple[str, Promise]] = []
    for model in (models.Procedure, models.Dossier, models.DossierLeg, models.DossierPause,
                  models.DossierEvent, models.DossierDailyTally, models.DossierCounter):  # fmt: skip
        for field in model._meta.get_fields():
            if isinstance(field, Field) and isinstance(field.verbose_name, Promise):
                labels.append((f"{model.__name__}.{field.name}", field.verbose_name))
        for name in ("verbose_name", "verbose_name_plural"):
            value = model._meta.original_attrs.get(name)  # only the names the model sets
            if isinstance(value, Promise):
                labels.append((f"{model.__name__}.{name}", value))
    for choices in (models.TimeLimitUnit, models.OnlineLevel, models.DossierStatus,
                    models.DossierChannel, models.Outcome, models.PauseKind):  # fmt: skip
        labels += [
            (f"{choices.__name__}.{value}", label)
            for value, label in choices.choices
            if isinstance(label, Promise)
        ]
    labels += [(f"action {name}", label) for name, label in services.ACTION_LABELS.items()]
    return labels


def test_every_label_of_procedures_has_an_english_translation() -> None:
    labels = _labels()
    assert len(labels) > 60
    with translation.override("en"):
        english = {name: str(label) for name, label in labels}
    with translation.override("vi"):
        vietnamese = {name: str(label) for name, label in labels}
    untranslated = [name for name in english if english[name] == vietnamese[name]]
    assert untranslated == []
    assert english["Dossier.working_days"] == "processing time in working days"
