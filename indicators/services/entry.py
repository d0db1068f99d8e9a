"""The data-entry form: one commune, one period, several indicators saved together.

All or nothing: a form with an error in one indicator saves none of them, and every error is
reported against its indicator so the officer corrects them in one pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction

from geoapp.exceptions import DomainError, InvalidInput
from indicators.imports import decimal_or_none
from indicators.models import Indicator, IndicatorValue, ValueStatus
from indicators.periods import Period
from indicators.services.values import value_save_draft, value_submit
from wards.models import Area


@dataclass(frozen=True)
class EntryInput:
    indicator: Indicator
    value: str
    numerator: str
    denominator: str
    comment: str

    @property
    def is_empty(self) -> bool:
        return not (self.value or self.numerator or self.denominator)


class EntryRejected(InvalidInput):
    """Errors by indicator code; nothing was saved."""

    code = "entry_rejected"

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("\n".join(f"{code}: {message}" for code, message in errors.items()))
        self.errors = errors


def values_enter(
    *, actor: User, area: Area, period: Period, entries: list[EntryInput], submit: bool
) -> list[IndicatorValue]:
    """Save the filled rows as drafts and, with `submit`, send every draft of the form for
    review. Empty rows are skipped. The page offers only rows still editable (no value yet, or
    a draft); a row for an approved value is refused as locked by value_save_draft."""
    errors: dict[str, str] = {}
    saved: list[IndicatorValue] = []
    with transaction.atomic():
        for entry in entries:
            if entry.is_empty:
                continue
            try:
                # A savepoint per row: a refused row must not break the transaction that the
                # next rows' checks still read from.
                with transaction.atomic():
                    saved.append(_save_one(actor=actor, area=area, period=period, entry=entry))
            except DomainError as problem:
                errors[entry.indicator.code] = problem.message
        if errors:
            raise EntryRejected(errors)
        if submit:
            drafts = IndicatorValue.objects.filter(
                area=area,
                period=period.text,
                status=ValueStatus.DRAFT,
                indicator__in=[entry.indicator for entry in entries],
            ).values_list("pk", flat=True)
            saved = [value_submit(actor=actor, value_id=pk) for pk in list(drafts)]
    return saved


def _save_one(*, actor: User, area: Area, period: Period, entry: EntryInput) -> IndicatorValue:
    return value_save_draft(
        actor=actor,
        indicator=entry.indicator,
        area=area,
        period=period,
        value=decimal_or_none(entry.value, column="value"),
        numerator=decimal_or_none(entry.numerator, column="numerator"),
        denominator=decimal_or_none(entry.denominator, column="denominator"),
        comment=entry.comment,
    )
