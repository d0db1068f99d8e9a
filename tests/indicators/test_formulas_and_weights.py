"""The catalogue's last two kinds, with exact figures across the 2025 merger: a formula over
other indicators (computed over the operands' aggregates) and the mean weighted by a named
weight indicator (Σ(v·w)/Σw in SQL)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client

from geoapp.exceptions import InvalidInput
from geoapp.file_imports import ImportRejected
from indicators.formulas import formula_evaluate, formula_operands, formula_parse
from indicators.models import Indicator, IndicatorTarget, IndicatorValue
from indicators.periods import period_parse
from indicators.selectors.aggregation import (
    indicator_aggregates,
    indicator_aggregates_geojson,
    indicator_series,
)
from indicators.services.catalogue import CATALOGUE_COLUMNS, catalogue_import
from tests.indicators.conftest import Chain, make_indicator
from tests.indicators.test_aggregation import AFTER, BEFORE, population, put

HEADER = ",".join(CATALOGUE_COLUMNS)


def test_a_formula_is_parsed_with_precedence_and_never_evaluated_as_python() -> None:
    tree = formula_parse("ho-ngheo / (so-ho - 2) * 100 + -1")
    assert formula_operands(tree) == ["ho-ngheo", "so-ho"]
    values: dict[str, Decimal | None] = {"ho-ngheo": Decimal(5), "so-ho": Decimal(12)}
    assert formula_evaluate(tree, values) == Decimal(49)
    assert formula_evaluate(formula_parse("2 + 3 * 4"), {}) == Decimal(14)
    assert formula_evaluate(formula_parse("-(2 - 5.5)"), {}) == Decimal("3.5")
    # `a-b` is one code; a division by zero or a missing operand gives no value, not an error.
    assert formula_operands(formula_parse("a-b")) == ["a-b"]
    assert formula_evaluate(formula_parse("a / b"), {"a": Decimal(1), "b": Decimal(0)}) is None
    assert formula_evaluate(formula_parse("a + b"), {"a": Decimal(1), "b": None}) is None
    for text, message in (
        ("__import__('os').system('x')", "công thức “__import__('os').system('x')” có ký tự "
         "không hợp lệ ở vị trí 12."),
        ("a +", "công thức “a +” sai cú pháp; ví dụ đúng: ho-ngheo / so-ho * 100."),
        ("(a", "công thức “(a” sai cú pháp; ví dụ đúng: ho-ngheo / so-ho * 100."),
        ("a b", "công thức “a b” sai cú pháp; ví dụ đúng: ho-ngheo / so-ho * 100."),
        ("1.2.3", "công thức “1.2.3” sai cú pháp; ví dụ đúng: ho-ngheo / so-ho * 100."),
        ("   ", "công thức trống."),
    ):  # fmt: skip
        with pytest.raises(InvalidInput) as refused:
            formula_parse(text)
        assert refused.value.message == message


def households(chain: Chain) -> Indicator:
    """Poor households over households × 100, both summed, on the four communes of 2024."""
    t = chain.territory
    poor = make_indicator("ho-ngheo", unit="hộ")
    total = make_indicator("so-ho", unit="hộ")
    for area, poor_count, count in ((t.nguyen_nghiem, "100", "2500"), (t.nghia_dung, "50", "1000"),
                                    (chain.nghia_an, "40", "800"), (chain.nghia_phu, "70", "700")):  # fmt: skip
        put(poor, area, "2024", poor_count)
        put(total, area, "2024", count)
    return make_indicator(
        "ty-le-ho-ngheo", kind="formula", formula="ho-ngheo / so-ho * 100", unit="%",
        area_aggregation="none", direction="lower",
    )  # fmt: skip


def test_a_formula_over_2024_on_the_2026_communes_divides_the_re_aggregated_sums(
    chain: Chain,
) -> None:
    rate = households(chain)
    IndicatorTarget.objects.create(
        indicator=rate, area=chain.territory.an_phu, period="2024", value=Decimal(6)
    )
    rows = indicator_aggregates(
        indicator=rate, period=period_parse("2024"), level="commune", boundaries=AFTER
    )
    assert [
        (r.area_code, r.value, r.target, r.reported, r.expected, r.reaggregated) for r in rows
    ] == [
        # Cẩm Thành: (100 + 0.4 × 50) / (2,500 + 0.4 × 1,000) × 100 = 120 / 2,900 × 100.
        ("21025", Decimal("4.137931"), None, 2, 2, True),
        # Xã An Phú: (0.6 × 50 + 40 + 70) / (0.6 × 1,000 + 800 + 700) × 100 = 140 / 2,100 × 100,
        # Nghĩa An and Nghĩa Phú through An Phú (2025-01-01): a chain of two successions.
        ("21034", Decimal("6.666667"), Decimal("6.000000"), 3, 3, True),
    ]
    before = indicator_aggregates(
        indicator=rate, period=period_parse("2024"), level="commune", boundaries=BEFORE
    )
    assert [(r.area_code, r.value, r.reaggregated) for r in before] == [
        ("21025", Decimal("4.000000"), False),
        ("21034", Decimal("5.000000"), False),
        ("21037", Decimal("5.000000"), False),
        ("21038", Decimal("10.000000"), False),
    ]
    # The province: 260 / 5,000 × 100, not the mean of the communes' rates.
    province = indicator_aggregates(
        indicator=rate, period=period_parse("2024"), level="province", boundaries=AFTER
    )
    assert [(r.area_code, r.value, r.reported, r.expected) for r in province] == [
        ("51", Decimal("5.200000"), 4, 4)
    ]


def test_a_formula_series_and_geojson(chain: Chain) -> None:
    rate = households(chain)
    points = indicator_series(
        indicator=rate, area_id=chain.territory.an_phu.pk, level="commune", boundaries=AFTER,
        start=period_parse("2023"), end=period_parse("2025"),
    )  # fmt: skip
    assert [(p.period, p.value, p.reported, p.expected, p.reaggregated) for p in points] == [
        ("2023", None, 0, 3, False),
        ("2024", Decimal("6.666667"), 3, 3, True),
        ("2025", None, 0, 1, False),  # only the new Xã An Phú exists on 31/12/2025
    ]
    document, values = indicator_aggregates_geojson(
        indicator=rate, period=period_parse("2024"), level="commune", boundaries=AFTER
    )
    collection = json.loads(document)
    assert values == [Decimal("4.137931"), Decimal("6.666667")]
    assert [f["properties"]["value"] for f in collection["features"]] == [4.137931, 6.666667]
    assert collection["features"][1]["properties"]["completeness"] == {
        "reported": 3,
        "expected": 3,
    }
    assert collection["features"][1]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_a_formula_with_an_unknown_operand_is_refused_when_aggregated(chain: Chain) -> None:
    rate = make_indicator("broken", kind="formula", formula="missing / 2", area_aggregation="none")
    with pytest.raises(InvalidInput) as refused:
        indicator_aggregates(
            indicator=rate, period=period_parse("2024"), level="commune", boundaries=AFTER
        )
    assert refused.value.message == (
        "công thức của broken dùng chỉ tiêu missing không có trong danh mục."
    )


def coverage(chain: Chain, period: str = "2024") -> Indicator:
    """Health-insurance coverage (%) weighted by population."""
    weight = population(chain)
    indicator = make_indicator(
        "bhyt", unit="%", area_aggregation="weighted_mean", weight_indicator=weight,
        period_type=period_parse(period).period_type,
    )  # fmt: skip
    t = chain.territory
    for area, value in ((t.nguyen_nghiem, "90"), (t.nghia_dung, "80"), (chain.nghia_an, "70"),
                        (chain.nghia_phu, "60")):  # fmt: skip
        put(indicator, area, period, value)
    return indicator


def test_a_weighted_mean_over_2024_on_the_2026_communes(chain: Chain) -> None:
    indicator = coverage(chain)
    rows = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="commune", boundaries=AFTER
    )
    assert [(r.area_code, r.value, r.reported, r.expected, r.reaggregated) for r in rows] == [
        # (90 × 10,000 + 80 × 5,000 × 0.4) / (10,000 + 5,000 × 0.4) = 1,060,000 / 12,000.
        ("21025", Decimal("88.333333"), 2, 2, True),
        # (80 × 5,000 × 0.6 + 70 × 3,000 + 60 × 2,000) / (3,000 + 3,000 + 2,000) = 570,000 / 8,000.
        ("21034", Decimal("71.250000"), 3, 3, True),
    ]
    district = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="district", boundaries=BEFORE
    )
    province = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="province", boundaries=AFTER
    )
    # (900,000 + 400,000 + 210,000 + 120,000) / 20,000 on either side of the reform.
    assert [r.value for r in district] == [Decimal("81.500000")]
    assert [r.value for r in province] == [Decimal("81.500000")]
    # A value without a weight counts in neither sum: Nghĩa Phú's population removed.
    IndicatorValue.objects.filter(indicator__code="population", area=chain.nghia_phu).delete()
    rows = indicator_aggregates(
        indicator=indicator, period=period_parse("2024"), level="commune", boundaries=AFTER
    )
    assert [r.value for r in rows] == [Decimal("88.333333"), Decimal("75.000000")]


def test_a_quarterly_weighted_mean_weighs_by_the_year_that_contains_the_quarter(
    chain: Chain,
) -> None:
    indicator = coverage(chain, period="2024-Q2")
    rows = indicator_aggregates(
        indicator=indicator, period=period_parse("2024-Q2"), level="commune", boundaries=AFTER
    )
    assert [r.value for r in rows] == [Decimal("88.333333"), Decimal("71.250000")]


def write(tmp_path: Path, header: str, *lines: str) -> Path:
    path = tmp_path / "catalogue.csv"
    path.write_text("\n".join((header, *lines)) + "\n", encoding="utf-8")
    return path


def test_the_catalogue_imports_formulas_and_weights_in_optional_columns(
    tmp_path: Path, db: None, client: Client
) -> None:
    header = HEADER + ",formula,weight"
    path = write(
        tmp_path, header,
        "ty-le-ngheo,Tỷ lệ hộ nghèo,Poverty rate,%,formula,,none,last,lower,year,"
        "ho-ngheo / so-ho * 100,",
        "bhyt,Tỷ lệ BHYT,Health insurance,%,value,,weighted_mean,last,higher,year,,dan-so",
        "ho-ngheo,Hộ nghèo,Poor households,hộ,value,,sum,last,lower,year,,",
        "so-ho,Số hộ,Households,hộ,value,,sum,last,higher,year,,",
        "dan-so,Dân số,Population,người,value,,sum,last,higher,year,,",
    )  # fmt: skip
    report = catalogue_import(path=path, commit=False)
    assert (report.created, report.committed, Indicator.objects.count()) == (5, False, 0)
    report = catalogue_import(path=path, commit=True)
    assert (report.created, report.committed) == (5, True)
    rate, weighted = Indicator.objects.get(code="ty-le-ngheo"), Indicator.objects.get(code="bhyt")
    assert (rate.kind, rate.formula) == ("formula", "ho-ngheo / so-ho * 100")
    assert weighted.weight_indicator == Indicator.objects.get(code="dan-so")
    again = catalogue_import(path=path, commit=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 5)
    listed = {i["code"]: i for i in client.get("/api/v1/indicators/").json()["results"]}
    assert (listed["ty-le-ngheo"]["formula"], listed["ty-le-ngheo"]["weight_indicator"]) == (
        "ho-ngheo / so-ho * 100", None,
    )  # fmt: skip
    assert (listed["bhyt"]["formula"], listed["bhyt"]["weight_indicator"]) == (None, "dan-so")


def test_bad_formulas_and_weights_are_named_by_row_and_nothing_is_written(
    tmp_path: Path, db: None
) -> None:
    header = HEADER + ",formula,weight"
    lines = [
        "a,A,A,%,formula,,none,last,lower,year,a / (b,",
        "b,B,B,%,formula,,none,last,lower,year,,",
        "c,C,C,%,value,,sum,last,lower,year,x + 1,",
        "d,D,D,%,value,,weighted_mean,last,higher,year,,",
        "e,E,E,%,value,,weighted_mean,last,higher,year,,nowhere",
        "f,F,F,%,value,,weighted_mean,last,higher,year,,m",
        "m,M,M,%,value,,sum,sum,higher,month,,",
        "g,G,G,%,formula,,none,last,lower,year,m / 2,",
        "h,H,H,%,formula,,none,last,lower,year,2 * 3,",
    ]
    expected = [
        (lines, [
            (2, "công thức “a / (b” sai cú pháp; ví dụ đúng: ho-ngheo / so-ho * 100."),
            (3, "chỉ tiêu loại công thức cần cột formula."),
            (4, "chỉ chỉ tiêu loại công thức (kind formula) mới có cột formula."),
            (5, "tổng hợp weighted_mean cần cột weight (mã chỉ tiêu trọng số), và chỉ nó."),
        ]),
        (lines[4:], [
            (2, "không có chỉ tiêu trọng số mã “nowhere”."),
            (3, "chỉ tiêu trọng số m báo cáo theo kỳ ngắn hơn chỉ tiêu này."),
        ]),
        (lines[6:], [
            (3, "công thức của g chỉ dùng được chỉ tiêu không phải công thức, cùng kỳ báo cáo; "
                "m không thỏa."),
            (4, "công thức của h phải dùng ít nhất một chỉ tiêu."),
        ]),
    ]  # fmt: skip
    for rows, errors in expected:
        with pytest.raises(ImportRejected) as refused:
            catalogue_import(path=write(tmp_path, header, *rows), commit=True)
        assert refused.value.errors == [f"Dòng {row}: {message}" for row, message in errors]
        assert Indicator.objects.count() == 0


def test_a_formula_takes_no_entered_values(chain: Chain, tmp_path: Path) -> None:
    households(chain)
    path = tmp_path / "values.csv"
    path.write_text(
        "indicator,area_code,period,value,numerator,denominator,comment\n"
        "ty-le-ho-ngheo,21025,2026,4,,,\n",
        encoding="utf-8",
    )
    from indicators.services.value_import import values_import

    count = IndicatorValue.objects.count()
    with pytest.raises(ImportRejected) as refused:
        values_import(path=path, commit=True)
    assert refused.value.errors == [
        "Dòng 2: Chỉ tiêu ty-le-ho-ngheo được tính tự động; không nhập tay."
    ]
    assert IndicatorValue.objects.count() == count
