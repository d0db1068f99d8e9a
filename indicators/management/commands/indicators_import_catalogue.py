"""Import the indicator catalogue (CSV or XLSX with header code,name_vi,name_en,unit,kind,factor,area_aggregation,time_aggregation,direction,period_type); dry run unless --commit."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geoapp.exceptions import DomainError
from indicators.services.catalogue import catalogue_import


class Command(BaseCommand):
    help = "Nhập danh mục chỉ tiêu từ tệp CSV hoặc XLSX. Chỉ chạy thử, trừ khi có --commit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp CSV (UTF-8) hoặc XLSX")
        parser.add_argument("--commit", action="store_true", help="Ghi vào cơ sở dữ liệu")

    # argparse gives the options as untyped values; each is parsed by its `type=` above.
    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = catalogue_import(path=options["file"], commit=options["commit"])
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(report.render())
        if not report.committed:
            self.stdout.write(_("Thêm --commit để ghi."))
