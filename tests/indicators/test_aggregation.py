"""Every aggregation rule with exact figures, on both sides of the 2025 reform."""

from __future__ import annotations

import datetime
from decimal import Decimal

from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from indicators.periods import period_parse
from indicators.selectors.aggregation import (
    AggregateRow,
    indicator_aggregates,
    indicator_series,
)
from tests.indicators.conftest import Chain, make_indicator
from wards.models import Area

AFTER = datetime.date(2026, 1, 1)
BEFORE = datetime.date(2024, 6, 1)


def put(indicator: Indicator, area: Area, period: str, value: str | None = None, *,
        numerator: str | None = None, denominator: str | None = None) -> None:  # fmt: skip
    parsed = period_parse(period)
    IndicatorValue.objects.create(
        indicator=indicator, area=area, period=period, period_start=parsed.start,
        period_end=parsed.end, value=None if value is None else Decimal(value),
        numerator=None if numerator is None else Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
    )  # fmt: skip


def by_code(rows: list[AggregateRow]) -> dict[str, tuple[object, ...]]:
    return {
        row.area_code: (row.value, row.reported, row.expected, row.reaggregated) for row in rows
    }


def population(chain: Chain) -> Indicator:
    indicator = make_indicator("population")
    t = chain.territory
    for area, value in ((t.nguyen_nghiem, "10000"), (t.nghia_dung, "5000"),
                        (chain.nghia_an, "3000"), (chain.nghia_phu, "2000")):  # fmt: skip
        put(indicator, area, "2024", value)
    return indicator


def test_a_sum_over_2024_shown_on_the_2026_communes_passes_whole_merges_and_split_shares(
    chain: Chain,
) -> None:
    indicator = population(chain)
    rows = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="commune", boundaries=AFTER
    )
    assert by_code(rows) == {
        # Nguyễn Nghiêm whole + 40 % of Nghĩa Dũng's 5,000.
        "21025": (Decimal("12000.000000"), 2, 2, True),
        # 60 % of Nghĩa Dũng + Nghĩa An and Nghĩa Phú through An Phú (2025-01-01): a chain of two.
        "21034": (Decimal("8000.000000"), 3, 3, True),
    }


def test_a_sum_over_2024_on_the_2024_boundaries_is_the_entered_values(chain: Chain) -> None:
    indicator = population(chain)
    rows = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="commune", boundaries=BEFORE
    )
    assert by_code(rows) == {
        "21025": (Decimal("10000.000000"), 1, 1, False),
        "21034": (Decimal("5000.000000"), 1, 1, False),
        "21037": (Decimal("3000.000000"), 1, 1, False),
        "21038": (Decimal("2000.000000"), 1, 1, False),
    }


def test_a_sum_climbs_to_the_district_before_and_the_province_after_the_reform(
    chain: Chain,
) -> None:
    indicator = population(chain)
    district = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="district", boundaries=BEFORE
    )
    province = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="province", boundaries=AFTER
    )
    assert by_code(district) == {"522": (Decimal("20000.000000"), 4, 4, False)}
    assert by_code(province) == {"51": (Decimal("20000.000000"), 4, 4, True)}


def test_a_ratio_over_2024_on_the_2026_communes_divides_the_summed_parts(chain: Chain) -> None:
    indicator = make_indicator(
        "poverty-rate", kind="ratio", area_aggregation="ratio", factor=Decimal(100), unit="%"
    )
    t = chain.territory
    put(indicator, t.nguyen_nghiem, "2024", numerator="50", denominator="1000")
    put(indicator, t.nghia_dung, "2024", numerator="100", denominator="500")
    put(indicator, chain.nghia_an, "2024", numerator="30", denominator="300")
    put(indicator, chain.nghia_phu, "2024", numerator="20", denominator="200")
    rows = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="commune", boundaries=AFTER
    )
    parts = {row.area_code: (row.numerator, row.denominator, row.value) for row in rows}
    assert parts == {
        # (50 + 0.4 × 100) / (1000 + 0.4 × 500) = 90 / 1200, not the mean of 5 % and 20 %.
        "21025": (Decimal("90.000000"), Decimal("1200.000000"), Decimal("7.500000")),
        # (0.6 × 100 + 30 + 20) / (0.6 × 500 + 300 + 200) = 110 / 800.
        "21034": (Decimal("110.000000"), Decimal("800.000000"), Decimal("13.750000")),
    }


def test_a_mean_weighs_a_split_unit_by_its_share_and_min_and_max_take_the_extremes(
    chain: Chain,
) -> None:
    t = chain.territory
    figures = ((t.nguyen_nghiem, "40"), (t.nghia_dung, "30"), (chain.nghia_an, "20"),
               (chain.nghia_phu, "10"))  # fmt: skip
    results = {}
    for rule in ("mean", "min", "max"):
        indicator = make_indicator(f"income-{rule}", area_aggregation=rule)
        for area, value in figures:
            put(indicator, area, "2024", value)
        after = indicator_aggregates(
            indicator=indicator, period=period_parse("2024"), level="commune", boundaries=AFTER
        )
        district = indicator_aggregates(
            indicator=indicator, period=period_parse("2024"), level="district", boundaries=BEFORE
        )
        results[rule] = ([row.value for row in after], [row.value for row in district])
    assert results == {
        # Cẩm Thành: (40 + 0.4 × 30) / 1.4; An Phú: (0.6 × 30 + 20 + 10) / 2.6.
        "mean": ([Decimal("37.142857"), Decimal("18.461538")], [Decimal("25.000000")]),
        "min": ([Decimal("30.000000"), Decimal("10.000000")], [Decimal("10.000000")]),
        "max": ([Decimal("40.000000"), Decimal("30.000000")], [Decimal("40.000000")]),
    }


def test_a_value_that_does_not_aggregate_shows_only_on_its_own_area(chain: Chain) -> None:
    indicator = make_indicator("rank", area_aggregation="none")
    put(indicator, chain.territory.nguyen_nghiem, "2024", "3")
    commune = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="commune", boundaries=BEFORE
    )
    district = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="district", boundaries=BEFORE
    )
    after = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="commune", boundaries=AFTER
    )
    assert [row.value for row in commune] == [Decimal("3.000000"), None, None, None]
    assert [row.value for row in district] == [None]
    assert [row.value for row in after] == [None, None]


def test_time_aggregation_sums_averages_or_takes_the_last_period(chain: Chain) -> None:
    area = chain.territory.nguyen_nghiem
    results = {}
    for rule in ("sum", "mean", "last"):
        indicator = make_indicator(f"q-{rule}", period_type="quarter", time_aggregation=rule)
        for quarter, value in (("2024-Q1", "100"), ("2024-Q2", "110"), ("2024-Q4", "130")):
            put(indicator, area, quarter, value)
        rows = indicator_aggregates(
            indicator=indicator, period=period_parse("2024"), level="commune", boundaries=BEFORE
        )
        row = next(row for row in rows if row.area_code == "21025")
        results[rule] = (row.value, row.reported, row.expected)
    # Three of the four quarters reported.
    assert results == {
        "sum": (Decimal("340.000000"), 3, 4),
        "mean": (Decimal("113.333333"), 3, 4),
        "last": (Decimal("130.000000"), 3, 4),
    }


def test_a_monthly_series_follows_a_chain_of_two_successions_into_the_new_commune(
    chain: Chain,
) -> None:
    indicator = make_indicator(
        "reports", period_type="month", time_aggregation="sum", unit="phản ánh"
    )
    put(indicator, chain.nghia_an, "2024-12", "4")
    put(indicator, chain.nghia_phu, "2024-12", "6")
    put(indicator, chain.an_phu_2025, "2025-03", "5")
    put(indicator, chain.territory.an_phu, "2025-09", "7")
    series = indicator_series(
        indicator=indicator, area_id=chain.territory.an_phu.pk, level="commune",
        boundaries=AFTER, start=period_parse("2024-12"), end=period_parse("2025-09"),
    )  # fmt: skip
    points = {point.period: (point.value, point.reported, point.expected) for point in series}
    assert len(series) == 10
    # December 2024: Nghĩa An, Nghĩa Phú and Nghĩa Dũng should have reported; two did.
    assert points["2024-12"] == (Decimal("10.000000"), 2, 3)
    # March 2025: An Phú (2025) and Nghĩa Dũng existed; Nghĩa Dũng reported nothing.
    assert points["2025-03"] == (Decimal("5.000000"), 1, 2)
    assert points["2025-04"] == (None, 0, 2)
    assert points["2025-09"] == (Decimal("7.000000"), 1, 1)
    year = indicator_aggregates(
        indicator=indicator, period=period_parse("2025"), level="commune", boundaries=AFTER
    )
    assert by_code(year)["21034"] == (Decimal("12.000000"), 2, 18, True)


def test_targets_of_old_communes_add_up_on_their_successor(chain: Chain) -> None:
    indicator = population(chain)
    IndicatorTarget.objects.create(
        indicator=indicator, area=chain.nghia_an, period="2024", value=Decimal(3500)
    )
    IndicatorTarget.objects.create(
        indicator=indicator, area=chain.nghia_phu, period="2024", value=Decimal(2500)
    )
    rows = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="commune", boundaries=AFTER
    )
    assert {row.area_code: row.target for row in rows} == {
        "21025": None,
        "21034": Decimal("6000.000000"),
    }
