"""`manage.py directives_import FILE`: directives and tasks from the document system (CSV or JSON).

A dry run unless --commit; errors by row, and with any error nothing is written
(directives/interchange.py).
"""

from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from directives.interchange import directives_import, rows_read
from geoapp.exceptions import DomainError


class Command(BaseCommand):
    help = (
        "Nhập văn bản chỉ đạo và nhiệm vụ từ tệp CSV hoặc JSON của hệ thống văn bản (chạy thử nếu "
        "không có --commit). Imports directives and tasks from CSV or JSON (dry run without "
        "--commit)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", choices=["csv", "json"], default=None)
        parser.add_argument("--commit", action="store_true", help="ghi vào cơ sở dữ liệu (write)")

    def handle(self, *args: object, **options: object) -> None:
        path = options["path"]
        assert isinstance(path, Path)
        file_format = options["format"] or path.suffix.lstrip(".").lower()
        try:
            content = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                _("Không đọc được tệp %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        try:
            result = directives_import(
                rows_read(content, file_format=str(file_format)), commit=bool(options["commit"])
            )
        except DomainError as error:
            raise CommandError(error.message) from error
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                _("%(count)s dòng có lỗi; không có gì được ghi.") % {"count": len(result.errors)}
            )
        summary = _(
            "%(directives)s văn bản mới, %(created)s nhiệm vụ mới, %(updated)s nhiệm vụ cập nhật, "
            "%(unchanged)s nhiệm vụ không đổi."
        ) % {
            "directives": result.directives_created,
            "created": result.tasks_created,
            "updated": result.tasks_updated,
            "unchanged": result.tasks_unchanged,
        }
        if result.committed:
            self.stdout.write(_("Đã ghi: %(summary)s") % {"summary": summary})
        else:
            self.stdout.write(
                _("Chạy thử, chưa ghi gì (thêm --commit để ghi): %(summary)s")
                % {"summary": summary}
            )
