"""Tracking codes, and loading the category catalogue with the management command."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command

from incidents.models import Category, CategoryAttribute
from incidents.tracking_codes import (
    CROCKFORD_ALPHABET,
    tracking_code_generate,
    tracking_code_normalize,
)


def test_the_alphabet_leaves_out_letters_that_are_misread() -> None:
    assert len(CROCKFORD_ALPHABET) == 32
    assert set("ILOU") & set(CROCKFORD_ALPHABET) == set()


def test_generated_codes_have_the_public_shape_and_do_not_follow_a_sequence() -> None:
    codes = [tracking_code_generate() for _ in range(2000)]

    pattern = re.compile(r"^PA-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
    assert all(pattern.match(code) for code in codes)
    assert len(set(codes)) == 2000


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("PA-7K3M-Q9XD", "PA-7K3M-Q9XD"),
        ("pa-7k3m-q9xd", "PA-7K3M-Q9XD"),
        ("PA 7K3M Q9XD", "PA-7K3M-Q9XD"),
        ("pa7k3mq9xd", "PA-7K3M-Q9XD"),
        ("PA-7K3M-Q9XO", "PA-7K3M-Q9X0"),
        ("PA-IK3M-L9XD", "PA-1K3M-19XD"),
    ],
)
def test_a_code_typed_loosely_is_read_as_the_canonical_one(typed: str, canonical: str) -> None:
    assert tracking_code_normalize(typed) == canonical


@pytest.mark.parametrize("typed", ["", "PA-7K3M", "XX-7K3M-Q9XD", "PA-7K3M-Q9XU", "PA-7K3M-Q9XD1"])
def test_text_that_cannot_be_a_code_is_rejected(typed: str) -> None:
    assert tracking_code_normalize(typed) is None


def test_loading_the_catalogue_creates_the_eight_categories_and_says_so(db: None) -> None:
    output = StringIO()

    call_command("incidents_load_categories", stdout=output)

    assert output.getvalue().startswith(
        "Loaded 8 new categories, 10 new questions: an-ninh-trat-tu, "
    )
    assert list(Category.objects.values_list("code", flat=True)) == [
        "giao-thong", "chieu-sang", "cap-thoat-nuoc", "ve-sinh-moi-truong", "trat-tu-do-thi",
        "xay-dung", "cay-xanh", "an-ninh-trat-tu",
    ]  # fmt: skip
    lighting = Category.objects.get(code="chieu-sang")
    assert (lighting.name, lighting.name_en, lighting.group) == (
        "Chiếu sáng công cộng",
        "Street lighting",
        "Hạ tầng đô thị",
    )
    assert lighting.attributes.get(code="so-cot-den").datatype == "number"
    roads = Category.objects.get(code="giao-thong")
    assert (roads.acknowledge_within_hours, roads.normal_resolve_within_days) == (8, 3)
    assert Category.objects.get(code="xay-dung").complex_resolve_within_days == 15


def test_loading_again_is_quiet_and_keeps_the_administrators_edits(db: None) -> None:
    call_command("incidents_load_categories", stdout=StringIO())
    Category.objects.filter(code="giao-thong").update(normal_resolve_within_days=5)
    output = StringIO()

    call_command("incidents_load_categories", stdout=output)

    assert output.getvalue() == ""
    assert Category.objects.get(code="giao-thong").normal_resolve_within_days == 5
    assert (Category.objects.count(), CategoryAttribute.objects.count()) == (8, 10)


def test_loading_with_update_restores_the_catalogue_values(db: None) -> None:
    call_command("incidents_load_categories", stdout=StringIO())
    Category.objects.filter(code="giao-thong").update(normal_resolve_within_days=5)
    output = StringIO()

    call_command("incidents_load_categories", "--update", stdout=output)

    assert output.getvalue() == "Loaded 1 updated categories: giao-thong\n"
    assert Category.objects.get(code="giao-thong").normal_resolve_within_days == 3
