"""`manage.py wards_load_demo`: load the demo territory (real 2025 communes) where missing."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geoapp.exceptions import DomainError
from wards.demo_facts import (
    DEFAULT_AGENCIES_CSV,
    DEFAULT_COMMUNE_BOUNDARIES,
    DEFAULT_ROUTING_RULES_CSV,
    DEFAULT_UNITS_CSV,
)
from wards.demo_territory import demo_territory_load


class Command(BaseCommand):
    help = (
        "Nạp địa bàn mẫu (ranh giới thật của 96 đơn vị cấp xã từ 01/07/2025, ranh giới gần đúng "
        "trước đó), các cơ quan và quy tắc chuyển xử lý; không làm gì nếu đã nạp. Loads the "
        "demo territory unless it is already loaded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--units-csv", type=Path, default=DEFAULT_UNITS_CSV)
        parser.add_argument("--agencies-csv", type=Path, default=DEFAULT_AGENCIES_CSV)
        parser.add_argument("--routing-rules-csv", type=Path, default=DEFAULT_ROUTING_RULES_CSV)
        parser.add_argument("--commune-boundaries", type=Path, default=DEFAULT_COMMUNE_BOUNDARIES)

    # argparse gives the options as untyped values; each is parsed by its `type=` above.
    def handle(self, *args: object, **options: Any) -> None:
        try:
            report = demo_territory_load(
                units_csv=options["units_csv"],
                agencies_csv=options["agencies_csv"],
                routing_rules_csv=options["routing_rules_csv"],
                commune_boundaries=options["commune_boundaries"],
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        # Quiet when nothing was missing: `make run` prints only what changed.
        if not report.nothing_loaded:
            self.stdout.write(report.summary())
