"""The backup procedure of docs/security.md: a dump restores into a fresh database with every
table's rows and every report's values; a difference is found and reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from incidents import services
from incidents.models import Incident
from tests.conftest import database_url

from .conftest import FileReport

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "backup.py"


def backup(action: str, archive: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), action, database_url(), str(archive)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.django_db(transaction=True)
def test_a_dump_restores_every_row_and_every_value_of_the_reports(
    file_report: FileReport, officer_a: User, tmp_path: Path
) -> None:
    reports = [file_report(description=f"Ổ gà số {n}") for n in range(3)]
    services.incident_acknowledge(actor=officer_a, incident=reports[0].incident)
    archive = tmp_path / "geoapp.dump"

    dumped = backup("dump", archive)
    verified = backup("verify", archive)

    assert dumped.returncode == 0, dumped.stderr
    assert archive.stat().st_size > 0
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert verified.stdout.splitlines()[-1] == "restore verified: identical"
    assert "DIFFERENT" not in verified.stdout


@pytest.mark.django_db(transaction=True)
def test_a_restore_that_differs_from_its_source_is_reported(
    file_report: FileReport, tmp_path: Path
) -> None:
    report = file_report().incident
    archive = tmp_path / "geoapp.dump"
    assert backup("dump", archive).returncode == 0

    Incident.objects.filter(pk=report.pk).update(description="sửa sau khi sao lưu")
    verified = backup("verify", archive)

    assert verified.returncode == 1
    assert verified.stdout.splitlines()[-1] == "restore differs"
    different = [line for line in verified.stdout.splitlines() if line.startswith("DIFFERENT")]
    assert len(different) == 1
    assert different[0].startswith("DIFFERENT incidents_incident: source (1, ")
