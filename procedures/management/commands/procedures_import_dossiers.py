"""`manage.py procedures_import_dossiers FILE [--commit]`: dossiers from an external one-stop
system (CSV or JSON; columns in docs/procedures.md); dry run unless --commit, all or nothing,
idempotent by external_code, errors by row (procedures.interchange)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geoapp.exceptions import DomainError
from procedures.interchange import dossiers_import


class Command(BaseCommand):
    help = "Nhập hồ sơ từ hệ thống một cửa khác (CSV hoặc JSON). Chỉ chạy thử, trừ khi có --commit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp CSV (UTF-8) hoặc JSON")
        parser.add_argument("--commit", action="store_true", help="Ghi vào cơ sở dữ liệu")

    # argparse gives the options as untyped values; each is parsed by its `type=` above.
    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = dossiers_import(path=options["file"], commit=options["commit"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(report.render())
        if not report.committed:
            self.stdout.write(_("Thêm --commit để ghi."))
