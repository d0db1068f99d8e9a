"""Recompute the summaries of citizen feedback from the reports and correct what differs.

The triggers keep the summaries right; this is the nightly check (also a Celery beat task) and
the repair after anything that bypassed them (a restore of one table, triggers disabled).
Prints what it corrected per table; nothing when everything was right.
"""

from django.core.management.base import BaseCommand

from incidents.summaries import summaries_rebuild


class Command(BaseCommand):
    help = "Tính lại các bảng tổng hợp phản ánh từ dữ liệu gốc và sửa các dòng sai lệch."

    def handle(self, *args, **options) -> None:
        for correction in summaries_rebuild():
            if correction.corrected:
                self.stdout.write(
                    f"{correction.table}: {correction.rows_removed} rows removed, "
                    f"{correction.rows_written} rows written"
                )
