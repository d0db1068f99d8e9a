"""What every import command shares (indicators' catalogue and values, dossiers from an external
one-stop system): the report of an import, the errors collected by row and the refusal listing
them, and the rule "write nothing unless asked to commit"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput

# The most errors an import lists; a file with more is wrong throughout, and the first ones
# say how.
MAX_ERRORS_LISTED: Final = 50


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    committed: bool = False

    def render(self) -> str:
        if self.committed:
            sentence = _("Đã ghi: %(created)d mới, %(updated)d cập nhật, %(unchanged)d không đổi.")
        else:
            sentence = _(
                "Chạy thử, chưa ghi gì: %(created)d sẽ thêm mới, %(updated)d sẽ cập nhật, "
                "%(unchanged)d không đổi."
            )
        return sentence % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


class ImportRejected(InvalidInput):
    """The file has errors: nothing was written. `errors` names each row, in row order."""

    code = "import_rejected"

    def __init__(self, errors: list[tuple[int, str]]) -> None:
        lines = [
            _("Dòng %(row)d: %(message)s") % {"row": row, "message": message}
            for row, message in sorted(errors)
        ]
        summary = _("Tệp có %(count)d lỗi; chưa ghi gì vào cơ sở dữ liệu.") % {"count": len(lines)}
        listed = [summary, *lines[:MAX_ERRORS_LISTED]]
        if len(lines) > MAX_ERRORS_LISTED:
            listed.append(_("… và %(count)d lỗi khác.") % {"count": len(lines) - MAX_ERRORS_LISTED})
        super().__init__("\n".join(listed))
        self.errors = lines


@dataclass
class RowErrors:
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, row: int, message: str) -> None:
        self.found.append((row, message))

    def raise_if_any(self) -> None:
        """Refuse the file with its errors in row order, whichever check found them."""
        if self.found:
            raise ImportRejected(self.found)


class DryRun(Exception):
    """Raised inside the import's transaction to roll it back when not committing."""
