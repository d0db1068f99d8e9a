"""What the two indicator imports share beyond geoapp.file_imports: reading a number from a cell."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput


def not_a_number_message(*, column: str, text: str) -> str:
    return _("cột %(column)s phải là một số, không phải “%(text)s”.") % {
        "column": column,
        "text": text,
    }


def decimal_or_none(text: str, *, column: str) -> Decimal | None:
    """The number in a cell (a comma as decimal separator is accepted), None when empty."""
    if text == "":
        return None
    try:
        number = Decimal(text.replace(" ", "").replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(not_a_number_message(column=column, text=text)) from None
    if not number.is_finite():
        raise InvalidInput(not_a_number_message(column=column, text=text))
    return number
