"""Import official boundaries from a GeoJSON, Shapefile (or .zip) or GeoPackage file.

Dry run unless --commit, as in MapIt: prints what it would do and writes nothing.
"""

import argparse
import datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geoapp.exceptions import DomainError
from wards.boundary_import import areas_import
from wards.models import AreaLevel, AreaType


class Command(BaseCommand):
    help = (
        "Nhập ranh giới đơn vị hành chính từ tệp GeoJSON, Shapefile (.shp hoặc .zip) hoặc "
        "GeoPackage. Chỉ chạy thử, trừ khi có --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp ranh giới")
        parser.add_argument("--level", required=True, choices=AreaLevel.values, help="Cấp")
        parser.add_argument(
            "--valid-from", required=True, type=_iso_date, help="Hiệu lực từ (YYYY-MM-DD)"
        )
        parser.add_argument(
            "--valid-to", type=_iso_date, help="Hiệu lực đến (YYYY-MM-DD); bỏ trống nếu còn"
        )
        parser.add_argument("--code-field", default="code", help="Trường chứa mã (mặc định code)")
        parser.add_argument("--name-field", default="name", help="Trường chứa tên (mặc định name)")
        parser.add_argument(
            "--parent-code", help="Mã đơn vị cấp trên còn hiệu lực vào ngày bắt đầu"
        )
        types = parser.add_mutually_exclusive_group()
        types.add_argument("--type", dest="area_type", choices=AreaType.values, help="Loại đơn vị")
        types.add_argument("--type-field", help="Trường chứa loại đơn vị")
        parser.add_argument(
            "--srid", type=int, help="Mã EPSG của hệ toạ độ, cho tệp không ghi hệ toạ độ"
        )
        parser.add_argument(
            "--approximate", action="store_true", help="Đánh dấu ranh giới là gần đúng"
        )
        parser.add_argument("--commit", action="store_true", help="Ghi vào cơ sở dữ liệu")

    # argparse gives the options as untyped values; each is parsed by its `type=` above.
    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = areas_import(
                path=options["file"],
                level=options["level"],
                valid_from=options["valid_from"],
                valid_to=options["valid_to"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                parent_code=options["parent_code"],
                area_type=options["area_type"],
                type_field=options["type_field"],
                srid=options["srid"],
                is_approximate=options["approximate"],
                commit=options["commit"],
            )
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(report.render())
        if not report.committed:
            self.stdout.write(_("Thêm --commit để ghi."))


def _iso_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("Ngày “%(value)s” không hợp lệ; dùng dạng YYYY-MM-DD, ví dụ 2025-07-01.")
            % {"value": text}
        ) from None
