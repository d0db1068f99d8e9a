"""Import indicator values (CSV or XLSX with header indicator,area_code,period,value,numerator,denominator,comment); dry run unless --commit, all or nothing, errors by row."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geoapp.exceptions import DomainError
from indicators.services.value_import import values_import


class Command(BaseCommand):
    help = "Nhập số liệu chỉ tiêu từ tệp CSV hoặc XLSX. Chỉ chạy thử, trừ khi có --commit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp CSV (UTF-8) hoặc XLSX")
        parser.add_argument("--commit", action="store_true", help="Ghi vào cơ sở dữ liệu")

    # argparse gives the options as untyped values; each is parsed by its `type=` above.
    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = values_import(path=options["file"], commit=options["commit"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(report.render())
        if not report.committed:
            self.stdout.write(_("Thêm --commit để ghi."))
