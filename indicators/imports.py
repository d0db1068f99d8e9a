"""What the two import commands share: the report of an import, the refusal listing its errors
by row, and the rule "write nothing unless asked to commit"."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput

# The most errors an import lists; a file with more is wrong throughout, and the first ones
# say how.
MAX_ERRORS_LISTED = 50


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


@dataclass
class RowErrors:
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, row: int, message: str) -> None:
        self.found.append((row, _("Dòng %(row)d: %(message)s") % {"row": row, "message": message}))

    def raise_if_any(self) -> None:
        """Refuse the file with its errors in row order, whichever check found them."""
        if self.found:
            raise ImportRejected([message for _row, message in sorted(self.found)])


class ImportRejected(InvalidInput):
    """The file has errors: nothing was written. `errors` names each row."""

    code = "import_rejected"

    def __init__(self, errors: list[str]) -> None:
        listed = errors[:MAX_ERRORS_LISTED]
        more = len(errors) - len(listed)
        summary = _("Tệp có %(count)d lỗi; chưa ghi gì vào cơ sở dữ liệu.") % {"count": len(errors)}
        lines = [summary, *listed]
        if more:
            lines.append(_("… và %(count)d lỗi khác.") % {"count": more})
        super().__init__("\n".join(lines))
        self.errors = errors


class DryRun(Exception):
    """Raised inside the import's transaction to roll it back when not committing."""


def decimal_or_none(text: str, *, column: str) -> Decimal | None:
    """The number in a cell (a comma as decimal separator is accepted), None when empty."""
    if text == "":
        return None
    try:
        number = Decimal(text.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(
            _("cột %(column)s phải là một số, không phải “%(text)s”.")
            % {"column": column, "text": text}
        ) from None
    if not number.is_finite():
        raise InvalidInput(
            _("cột %(column)s phải là một số, không phải “%(text)s”.")
            % {"column": column, "text": text}
        )
    return number
