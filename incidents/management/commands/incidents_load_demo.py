"""`manage.py incidents_load_demo`: demo staff accounts and reports (incidents/demo_data.py)."""

from django.core.management.base import BaseCommand, CommandError

from geoapp.exceptions import DomainError
from incidents.demo_data import demo_reports_load


class Command(BaseCommand):
    help = (
        "Nạp tài khoản cán bộ mẫu và các phản ánh mẫu ở mọi trạng thái; không làm gì nếu đã có. "
        "Loads the demo staff accounts and reports unless demo reports exist."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            load = demo_reports_load()
        except DomainError as error:
            raise CommandError(error.message) from error
        # Quiet when the demo reports were already there: `make run` prints only what changed.
        if not load.nothing_loaded:
            self.stdout.write(load.summary())
