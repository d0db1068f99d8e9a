"""Load the demo indicators (catalogue, values 2023–2026 per commune, targets); idempotent."""

from typing import Any

from django.core.management.base import BaseCommand

from geoapp.clock import vietnam_today
from indicators.demo_data import computed_demo_load, indicators_load_demo


class Command(BaseCommand):
    help = "Nạp danh mục, số liệu và mục tiêu chỉ tiêu mẫu (chạy lại không thay đổi gì)."

    def handle(self, *args: object, **options: Any) -> None:
        catalogue, values = indicators_load_demo()
        self.stdout.write(catalogue.render())
        self.stdout.write(values.render())
        self.stdout.write(computed_demo_load(today=vietnam_today()).render())
