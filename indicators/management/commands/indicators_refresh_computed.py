"""Refresh the computed operational indicators of a month (what the nightly beat task does for
the previous and current month)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geoapp.clock import vietnam_today
from geoapp.exceptions import InvalidInput
from indicators.periods import PeriodType, period_parse
from indicators.services.computed import computed_indicators_refresh, months_to_refresh


class Command(BaseCommand):
    help = "Tính lại các chỉ tiêu tự động (phản ánh, hồ sơ) theo xã và tháng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", help="YYYY-MM; mặc định: tháng trước và tháng này")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            if options["month"]:
                month = period_parse(options["month"])
                if month.period_type != PeriodType.MONTH:
                    raise InvalidInput(f"--month: {options['month']} (YYYY-MM)")
                months = [month]
            else:
                months = months_to_refresh(vietnam_today())
        except InvalidInput as invalid:
            raise CommandError(invalid.message) from None
        for month in months:
            report = computed_indicators_refresh(month=month)
            self.stdout.write(f"{month.text}: {report.render()}")
