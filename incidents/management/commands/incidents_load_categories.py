"""Load the feedback categories (and their extra questions) that the project ships.

Idempotent: silent when everything is already there; prints what it loaded otherwise.
"""

from django.core.management.base import BaseCommand

from incidents.category_catalogue import CATEGORIES
from incidents.services import categories_load_catalogue


class Command(BaseCommand):
    help = "Tạo các lĩnh vực phản ánh mặc định (giao thông, chiếu sáng, ...) nếu chưa có."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--update",
            action="store_true",
            help="Ghi đè định mức và câu hỏi của các lĩnh vực đã có bằng giá trị mặc định.",
        )

    def handle(self, *args, update: bool = False, **options) -> None:
        load = categories_load_catalogue(catalogue=CATEGORIES, update_existing=update)
        if not load.changed:
            return
        parts = []
        if load.categories_created:
            parts.append(f"{len(load.categories_created)} new categories")
        if load.attributes_created:
            parts.append(f"{len(load.attributes_created)} new questions")
        if load.categories_updated:
            parts.append(f"{len(load.categories_updated)} updated categories")
        codes = sorted(set(load.categories_created) | set(load.categories_updated))
        self.stdout.write(f"Loaded {', '.join(parts)}: {', '.join(codes)}")
