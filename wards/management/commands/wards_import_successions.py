"""Import successions (old unit → new unit) from a CSV file; dry run unless --commit.

Accepts the succession table (predecessor_code, predecessor_valid_from, successor_code,
successor_valid_from, effective_on[, share]) or the units table of quang_ngai_units.csv; see
wards/succession_import.py and docs/importing-boundaries.md.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geoapp.exceptions import DomainError
from wards.succession_import import successions_import


class Command(BaseCommand):
    help = (
        "Nhập quan hệ kế thừa giữa đơn vị hành chính cũ và mới từ tệp CSV. Chỉ chạy thử, trừ khi "
        "có --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp CSV (UTF-8)")
        parser.add_argument("--commit", action="store_true", help="Ghi vào cơ sở dữ liệu")

    # argparse gives the options as untyped values; each is parsed by its `type=` above.
    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = successions_import(path=options["file"], commit=options["commit"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(report.render())
        if not report.committed:
            self.stdout.write(_("Thêm --commit để ghi."))
