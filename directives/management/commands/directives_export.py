"""`manage.py directives_export [FILE]`: the status of every task, in the import's shape."""

import io
from argparse import ArgumentParser
from pathlib import Path

from django.core.management.base import BaseCommand

from directives.interchange import rows_write, task_status_rows
from directives.selectors import TaskScope


class Command(BaseCommand):
    help = (
        "Xuất trạng thái mọi nhiệm vụ (CSV hoặc JSON, cùng khuôn với tệp nhập). "
        "Exports every task's status in the import's shape."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", nargs="?", default="-", help="tệp, hoặc - (stdout)")
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args: object, **options: object) -> None:
        rows = task_status_rows(scope=TaskScope(sees_all=True, agency_ids=frozenset()))
        file_format = str(options["format"])
        if options["path"] == "-":
            # Through a buffer: the command's stdout ends every write() that lacks one with a
            # newline, which would split json.dump's pieces.
            buffer = io.StringIO()
            rows_write(rows, file_format=file_format, stream=buffer)
            self.stdout.write(buffer.getvalue(), ending="")
            return
        with Path(str(options["path"])).open("w", encoding="utf-8", newline="") as stream:
            count = rows_write(rows, file_format=file_format, stream=stream)
        self.stderr.write(f"{count}")
