"""Export the areas valid on a date to GeoJSON (.geojson) or GeoPackage (.gpkg)."""

import argparse
import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geoapp.clock import vietnam_today
from geoapp.exceptions import DomainError
from wards.boundary_export import areas_export
from wards.models import AreaLevel


class Command(BaseCommand):
    help = "Xuất ranh giới các đơn vị hành chính còn hiệu lực vào một ngày ra .geojson hoặc .gpkg."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", type=Path, help="Tệp kết quả (.geojson hoặc .gpkg)")
        parser.add_argument("--level", choices=AreaLevel.values, help="Chỉ xuất một cấp")
        parser.add_argument(
            "--date", type=_iso_date, help="Ngày hiệu lực (YYYY-MM-DD); mặc định hôm nay"
        )
        parser.add_argument(
            "--simplify", type=float, default=0.0, help="Dung sai đơn giản hoá, tính bằng mét"
        )

    # argparse gives the options as untyped values; each is parsed by its `type=` above.
    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = areas_export(
                path=options["output"],
                on=options["date"] or vietnam_today(),
                level=options["level"],
                simplify_metres=options["simplify"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(report.render())


def _iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"“{text}”: dùng dạng YYYY-MM-DD, ví dụ 2025-07-01"
        ) from None
