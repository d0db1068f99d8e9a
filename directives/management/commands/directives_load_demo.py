"""`manage.py directives_load_demo`: the demo directives and tasks (directives/demo.py)."""

from django.core.management.base import BaseCommand, CommandError

from directives.demo import directives_demo_load
from geoapp.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Nạp các văn bản chỉ đạo và nhiệm vụ mẫu 2024–2026; không làm gì nếu đã có. "
        "Loads the demo directives and tasks unless they exist."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            loaded = directives_demo_load()
        except DomainError as error:
            raise CommandError(error.message) from error
        # Quiet when the demo was already there: `make run` prints only what changed.
        if loaded:
            self.stdout.write(f"Loaded demo directives: {loaded} tasks")
