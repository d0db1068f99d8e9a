"""`geoapp.sql.array_literal`: the input text of a PostgreSQL array, read back by PostgreSQL as
exactly the values written, whatever characters they hold."""

from __future__ import annotations

import pytest
from django.db import connection

from geoapp.sql import array_literal

pytestmark = pytest.mark.django_db


def test_texts_with_quotes_backslashes_commas_braces_and_spaces_come_back_as_they_were() -> None:
    texts = ['a"b', "c\\d", "e,f", "{g}", " h ", "NULL", "", "Xã Nghĩa Dũng", None]
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [array_literal(texts)])
        assert cursor.fetchone() == (texts,)


def test_numbers_and_missing_values_come_back_as_numbers() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT %s::double precision[], %s::integer[], %s::text[]",
            [array_literal([1234.5, None, -0.125, 1e-7]), array_literal([0, 4, None]), "{}"],
        )
        assert cursor.fetchone() == ([1234.5, None, -0.125, 1e-7], [0, 4, None], [])
    assert array_literal([]) == "{}"
