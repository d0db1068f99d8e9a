"""Classes of a choropleth: equal interval, quantiles, natural breaks (mapclassify) or fixed
breaks; half-open classes [lower, upper) except the last, closed; a "no data" class; colours
that follow the indicator's direction (the better, the greener)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput

METHODS = ("equal_interval", "quantiles", "natural_breaks", "fixed")
# Red (worse) to green (better), ColorBrewer RdYlGn: classes pick evenly from it.
_PALETTE = ["#d73027", "#f46d43", "#fdae61", "#fee08b", "#d9ef8b", "#a6d96a", "#66bd63", "#1a9850"]
NO_DATA_COLOUR = "#d1d5db"


@dataclass(frozen=True)
class Classification:
    method: str
    breaks: list[float]  # k + 1 bounds: lowest value, then each class's upper bound
    colours: list[str]
    counts: list[int]
    no_data: int
    classes: list[int | None]  # per value: its class, or None for no data

    def colour_of(self, class_index: int | None) -> str:
        """The fill of a class, the no-data grey for None."""
        return NO_DATA_COLOUR if class_index is None else self.colours[class_index]

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "classes": [
                {
                    "lower": self.breaks[index],
                    "upper": self.breaks[index + 1],
                    "closed": index == len(self.colours) - 1,
                    "colour": self.colours[index],
                    "count": self.counts[index],
                }
                for index in range(len(self.colours))
            ],
            "no_data": {"colour": NO_DATA_COLOUR, "count": self.no_data},
        }


def _colours(count: int, *, higher_is_better: bool) -> list[str]:
    if count == 1:
        return [_PALETTE[-1]]
    step = (len(_PALETTE) - 1) / (count - 1)
    colours = [_PALETTE[round(index * step)] for index in range(count)]
    return colours if higher_is_better else colours[::-1]


def classification_check(*, method: str, classes: int, fixed_breaks: list[float] | None) -> None:
    """InvalidInput unless the method, number of classes and fixed breaks can classify: checked
    before any work (and before the cache is read, so an error is never cached)."""
    if method not in METHODS:
        raise InvalidInput(
            _("Cách phân lớp “%(method)s” không hợp lệ; dùng một trong %(methods)s.")
            % {"method": method, "methods": ", ".join(METHODS)},
            code="invalid_classification",
        )
    if not 2 <= classes <= 7:
        raise InvalidInput(_("Số lớp phải từ 2 đến 7."), code="invalid_classification")
    if method == "fixed" and (
        not fixed_breaks or sorted(fixed_breaks) != fixed_breaks or len(fixed_breaks) < 2
    ):
        raise InvalidInput(
            _("Ngưỡng cố định phải là ít nhất hai số tăng dần, ví dụ 0,10,20,50."),
            code="invalid_classification",
        )


def classify(
    *,
    values: list[Decimal | None],
    method: str,
    classes: int,
    higher_is_better: bool,
    fixed_breaks: list[float] | None = None,
) -> Classification:
    classification_check(method=method, classes=classes, fixed_breaks=fixed_breaks)
    present = [float(value) for value in values if value is not None]
    if method == "fixed":
        assert fixed_breaks is not None
        breaks = list(fixed_breaks)
    elif not present:
        breaks = [0.0, 0.0]
    else:
        # mapclassify (with numpy) is loaded by the first map, not by every process.
        import mapclassify

        distinct = len(set(present))
        k = max(1, min(classes, distinct))
        if distinct == 1:
            upper = [present[0]]
        elif method == "equal_interval":
            upper = list(mapclassify.EqualInterval(present, k=k).bins)
        elif method == "quantiles":
            upper = list(mapclassify.Quantiles(present, k=k).bins)
        else:
            upper = list(mapclassify.FisherJenks(present, k=k).bins)
        breaks = [min(present)] + sorted({float(bound) for bound in upper})
        if len(breaks) == 1:
            breaks.append(breaks[0])
    count = len(breaks) - 1
    counts = [0] * count
    assigned: list[int | None] = []
    for value in values:
        if value is None:
            assigned.append(None)
            continue
        index = _class_of(float(value), breaks)
        assigned.append(index)
        if index is not None:
            counts[index] += 1
    return Classification(
        method=method,
        breaks=breaks,
        colours=_colours(count, higher_is_better=higher_is_better),
        counts=counts,
        no_data=sum(1 for index in assigned if index is None),
        classes=assigned,
    )


def _class_of(value: float, breaks: list[float]) -> int | None:
    """[lower, upper) for every class but the last, which is [lower, upper]; None outside the
    fixed breaks (counted as no data)."""
    last = len(breaks) - 2
    for index in range(last + 1):
        lower, upper = breaks[index], breaks[index + 1]
        if lower <= value < upper or (index == last and lower <= value <= upper):
            return index
    return None


def classification_parameters(parameters: Any) -> tuple[int, list[float] | None]:
    """The number of classes (5 unless asked) and the fixed breaks, if any, of a map request."""
    try:
        classes = int(parameters.get("classes") or 5)
        breaks_text = parameters.get("breaks") or ""
        fixed = [float(part) for part in breaks_text.split(",")] if breaks_text else None
    except ValueError:
        raise InvalidInput(
            _("Số lớp và ngưỡng phân lớp phải là số."), code="invalid_classification"
        ) from None
    return classes, fixed
