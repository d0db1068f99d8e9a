"""`manage.py incidents_load_demo`: demo staff accounts and reports (incidents/demo_data.py)."""

from argparse import ArgumentParser

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from geoapp.exceptions import DomainError
from incidents.demo_data import demo_reports_load


class Command(BaseCommand):
    help = (
        "Nạp tài khoản cán bộ mẫu và các phản ánh mẫu ở mọi trạng thái; không làm gì nếu đã có. "
        "Loads the demo staff accounts and reports unless demo reports exist."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--with-demo-accounts",
            action="store_true",
            help="bắt buộc: tạo các tài khoản mẫu có mật khẩu công khai trong README "
            "(required: creates accounts whose password is published)",
        )

    def handle(self, *args: object, **options: object) -> None:
        # The demo's accounts have a published password: never by accident (the loader itself
        # refuses outside the development settings).
        if not options["with_demo_accounts"]:
            raise CommandError(
                _(
                    "Lệnh này tạo tài khoản mẫu có mật khẩu công khai; thêm --with-demo-accounts "
                    "nếu đúng là bản chạy thử."
                )
            )
        try:
            load = demo_reports_load()
        except DomainError as error:
            raise CommandError(error.message) from error
        # Quiet when the demo reports were already there: `make run` prints only what changed.
        if not load.nothing_loaded:
            self.stdout.write(load.summary())
