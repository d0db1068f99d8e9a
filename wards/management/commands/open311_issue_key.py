"""Issue an API key for a new integration client (Open311 apps and other integrations).

Only the key is written to standard output, so that a script can capture it
(`KEY=$(python manage.py open311_issue_key "Ứng dụng X")`); the reminder goes to standard error.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geoapp.api_keys import api_client_issue
from geoapp.exceptions import DomainError
from wards.models import Agency


class Command(BaseCommand):
    help = "Cấp khóa API cho một ứng dụng tích hợp (Open311 và các tích hợp khác); in ra khóa."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Tên ứng dụng, duy nhất, ví dụ “Ứng dụng Quảng Ngãi S”.")
        parser.add_argument("--agency", default="", help="Mã đơn vị sử dụng ứng dụng (tùy chọn).")
        parser.add_argument("--email", default="", help="Thư điện tử liên hệ (tùy chọn).")

    def handle(self, *args: Any, name: str, agency: str, email: str, **options: Any) -> None:
        agency_row = None
        if agency:
            agency_row = Agency.objects.filter(code=agency).first()
            if agency_row is None:
                raise CommandError(f"Không có đơn vị mã “{agency}”.")
        try:
            client, raw_key = api_client_issue(name=name, agency=agency_row, contact_email=email)
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(raw_key)
        self.stderr.write(
            f"Đã cấp khóa cho “{client.name}” (bắt đầu bằng {client.key_prefix}). "
            "Hãy lưu lại ngay: khóa không được lưu và sẽ không hiển thị lại."
        )
