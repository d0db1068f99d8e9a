"""`manage.py files_sweep [--dry-run] [--grace-hours N]`: the nightly sweep, run by hand.

Prints each file removed (or, with --dry-run, that would be) with its size in bytes, then the
count and bytes per sweeper and in all (docs/operations.md).
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from geoapp.exceptions import DomainError
from geoapp.file_sweep import files_sweep


class Command(BaseCommand):
    help = "Remove stored files that no row points to, older than the grace period."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List what would be removed; remove nothing.",
        )
        parser.add_argument(
            "--grace-hours",
            type=int,
            default=None,
            help="Keep files younger than this many hours (default: FILES_SWEEP_GRACE_HOURS).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = files_sweep(
                now=timezone.now(),
                grace_hours=options["grace_hours"],
                dry_run=options["dry_run"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        for line in report.lines():
            self.stdout.write(line)
