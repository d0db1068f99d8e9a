"""`manage.py procedures_load_demo`: the procedure catalogue and demo dossiers (demo_data.py)."""

from django.core.management.base import BaseCommand, CommandError

from geoapp.exceptions import DomainError
from procedures.demo_data import demo_dossiers_load


class Command(BaseCommand):
    help = (
        "Nạp danh mục thủ tục và hồ sơ mẫu; không nạp hồ sơ nếu đã có. "
        "Loads the procedure catalogue and demo dossiers unless dossiers exist."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            loaded = demo_dossiers_load()
        except DomainError as error:
            raise CommandError(error.message) from error
        if loaded:
            self.stdout.write(f"{loaded} hồ sơ mẫu / demo dossiers")
