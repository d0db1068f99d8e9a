"""Validation rules (`ValidationRule`): checks a value must pass at entry and at import.

A rule is a refusal, never a warning: the value is not stored and the person is told which rule
it broke. Growth is measured against the same area's value for the period before, when there is
one (a first value, or one after a zero, has no growth to bound).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from indicators.models import IndicatorValue, RuleKind, ValidationRule

PreviousKey = tuple[int, int, str]  # indicator id, area id, period text


def active_rules(*, indicator_ids: Iterable[int]) -> dict[int, list[ValidationRule]]:
    """The active rules of the indicators, by indicator id (one query)."""
    rules: dict[int, list[ValidationRule]] = defaultdict(list)
    for rule in ValidationRule.objects.filter(indicator_id__in=list(indicator_ids), is_active=True):
        rules[rule.indicator_id].append(rule)
    return rules


def previous_values(*, keys: Iterable[PreviousKey]) -> dict[PreviousKey, Decimal]:
    """The stored values of (indicator, area, period), for the growth rules (one query)."""
    wanted = set(keys)
    if not wanted:
        return {}
    stored = IndicatorValue.objects.filter(
        indicator_id__in={key[0] for key in wanted},
        area_id__in={key[1] for key in wanted},
        period__in={key[2] for key in wanted},
        value__isnull=False,
    ).values_list("indicator_id", "area_id", "period", "value")
    return {
        (indicator_id, area_id, period): value
        for indicator_id, area_id, period, value in stored
        if (indicator_id, area_id, period) in wanted and value is not None
    }


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def rules_checked(
    *,
    rules: list[ValidationRule],
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
    previous: Decimal | None,
) -> None:
    """InvalidInput naming the first rule the value breaks; nothing when it passes them all."""
    for rule in rules:
        if rule.kind == RuleKind.RANGE and value is not None:
            if (rule.lower is not None and value < rule.lower) or (
                rule.upper is not None and value > rule.upper
            ):
                raise InvalidInput(
                    _("giá trị %(value)s nằm ngoài khoảng cho phép [%(lower)s; %(upper)s].")
                    % {
                        "value": _number(value),
                        "lower": "…" if rule.lower is None else _number(rule.lower),
                        "upper": "…" if rule.upper is None else _number(rule.upper),
                    },
                    code="rule_range",
                )
        elif rule.kind == RuleKind.RATIO_AT_MOST_ONE:
            if numerator is not None and denominator is not None and numerator > denominator:
                raise InvalidInput(
                    _("tử số (%(numerator)s) lớn hơn mẫu số (%(denominator)s).")
                    % {"numerator": _number(numerator), "denominator": _number(denominator)},
                    code="rule_ratio",
                )
        elif rule.kind == RuleKind.GROWTH and value is not None and previous:
            growth = (value - previous) / abs(previous) * 100
            if (rule.lower is not None and growth < rule.lower) or (
                rule.upper is not None and growth > rule.upper
            ):
                raise InvalidInput(
                    _(
                        "giá trị %(value)s thay đổi %(growth)s%% so với kỳ trước (%(previous)s), "
                        "ngoài khoảng cho phép [%(lower)s; %(upper)s]."
                    )
                    % {
                        "value": _number(value),
                        "growth": _number(growth.quantize(Decimal("0.1"))),
                        "previous": _number(previous),
                        "lower": "…" if rule.lower is None else f"{_number(rule.lower)}%",
                        "upper": "…" if rule.upper is None else f"{_number(rule.upper)}%",
                    },
                    code="rule_growth",
                )
