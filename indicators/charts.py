"""Server-rendered SVG time series: the values of one area period by period, the target as a
dashed line, and a mark on 1 July 2025 where the communes were reorganised (values before it
are re-aggregated into today's units, which the chart says).

Plain SVG with presentation attributes and classes (no script, no inline style), so it can be
embedded in a page under the site's CSP, saved as a file or pasted into a report.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from indicators.periods import period_parse

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 50
REFORM_DAY = datetime.date(2025, 7, 1)


def _label(number: float) -> str:
    """Vietnamese thousands separator, as the map's legend writes numbers."""
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def series_svg(
    *,
    title: str,
    unit: str,
    periods: Sequence[str],
    values: Sequence[Decimal | None],
    targets: Sequence[Decimal | None],
    reform_label: str,
    value_label: str,
    target_label: str,
) -> str:
    """The chart as an SVG document; gaps where a period has no value."""
    numbers = [float(v) for v in (*values, *targets) if v is not None]
    low = min([0.0, *numbers])
    high = max(numbers) if numbers else 1.0
    if high <= low:
        high = low + 1.0
    high += (high - low) * 0.05
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(periods) - 1, 1)

    def x(index: int) -> float:
        return LEFT + index * step

    def y(number: float) -> float:
        return TOP + inner_h - (number - low) / (high - low) * inner_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label={quoteattr(title)} '
        'class="indicator-chart" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for tick in range(5):  # horizontal grid and the axis' labels
        number = low + (high - low) * tick / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(number):.1f}" y2="{y(number):.1f}" '
            'stroke="#dddddd"/>'
            f'<text x="{LEFT - 6}" y="{y(number) + 4:.1f}" text-anchor="end" fill="#444444">'
            f"{escape(_label(number))}</text>"
        )
    every = max(1, len(periods) // 12)  # at most about twelve period labels
    for index, text in enumerate(periods):
        if index % every == 0 or index == len(periods) - 1:
            parts.append(
                f'<text x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'fill="#444444">{escape(text)}</text>'
            )
    reform = next(
        (i for i, text in enumerate(periods) if period_parse(text).end >= REFORM_DAY), None
    )
    if reform is not None and reform > 0:
        # Between the last period before the reform and the first one after it.
        position = (x(reform - 1) + x(reform)) / 2
        parts.append(
            f'<line class="reform" x1="{position:.1f}" x2="{position:.1f}" y1="{TOP}" '
            f'y2="{TOP + inner_h}" stroke="#7b3294" stroke-dasharray="2 3"/>'
            f'<text x="{position + 4:.1f}" y="{TOP + 12}" fill="#7b3294">'
            f"{escape(reform_label)}</text>"
        )
    for series, css, colour, dash in (
        (targets, "target", "#e08214", ' stroke-dasharray="6 4"'),
        (values, "value", "#2166ac", ""),
    ):
        run: list[str] = []
        runs: list[list[str]] = []
        for index, number in enumerate(series):
            if number is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{x(index):.1f},{y(float(number)):.1f}")
        if run:
            runs.append(run)
        for points in runs:
            parts.append(
                f'<polyline class="{css}" points="{" ".join(points)}" fill="none" '
                f'stroke="{colour}" stroke-width="2"{dash}/>'
            )
            if css == "value":
                parts += [
                    f'<circle class="point" cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" '
                    f'r="3" fill="{colour}"/>'
                    for p in points
                ]
    legend_y = HEIGHT - 12
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        'stroke="#2166ac" stroke-width="2"/>'
        f'<text x="{LEFT + 30}" y="{legend_y}" fill="#222222">'
        f"{escape(value_label)} ({escape(unit)})</text>"
        f'<line x1="{LEFT + 260}" x2="{LEFT + 284}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
        'stroke="#e08214" stroke-width="2" stroke-dasharray="6 4"/>'
        f'<text x="{LEFT + 290}" y="{legend_y}" fill="#222222">{escape(target_label)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
