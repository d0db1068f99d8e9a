"""The choropleth's data cached whole in Redis, renewed by PostgreSQL's triggers: every write
that changes an answer (a value, a target, an approval, an import by raw SQL) gives a new
revision, the cached bytes equal the built ones, and an error is never cached.

Transactional: the revision counts committed transactions, as requests see them."""

from __future__ import annotations

import datetime
import gzip
import json
from decimal import Decimal

import pytest
import redis
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.test import Client

from indicators.models import IndicatorTarget, IndicatorValue, ValueStatus
from indicators.periods import period_parse
from indicators.selectors.choropleth import (
    answers_revision,
    choropleth_document,
    choropleth_query,
)
from indicators.services.values import value_review
from tests.indicators.conftest import Chain
from tests.indicators.test_aggregation import population

pytestmark = pytest.mark.usefixtures("transactional_db")

URL = (
    "/api/v1/indicators/population/values/?period=2024&boundaries=2026-01-01"
    "&format=geojson&classification=equal_interval&classes=2"
)


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    store = redis.Redis.from_url(settings.REDIS_URL)
    for key in store.scan_iter("*indicators:choropleth:*"):
        store.delete(key)


def cached_keys() -> list[bytes]:
    return list(redis.Redis.from_url(settings.REDIS_URL).scan_iter("*indicators:choropleth:*"))


def values_of(body: bytes) -> list[object]:
    return [f["properties"]["value"] for f in json.loads(body)["features"]]


def test_the_cached_answer_equals_the_built_one_byte_for_byte(chain: Chain, client: Client) -> None:
    indicator = population(chain)
    first = client.get(URL)
    second = client.get(URL, HTTP_ACCEPT_ENCODING="gzip, deflate")
    plain_again = client.get(URL)
    query = choropleth_query(
        indicator=indicator, period=period_parse("2024"), level="commune",
        boundaries=datetime.date(2026, 1, 1),
        parameters={"classification": "equal_interval", "classes": "2"},
    )  # fmt: skip
    built = choropleth_document(query)
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.content == built == plain_again.content
    assert second["Content-Encoding"] == "gzip"
    assert gzip.decompress(second.content) == built
    assert first["ETag"] == second["ETag"] == plain_again["ETag"]
    assert first["Vary"].startswith("Accept-Encoding")
    assert len(cached_keys()) == 1
    assert values_of(first.content) == [12000.0, 8000.0]


def test_a_client_holding_the_answer_gets_304_until_a_value_changes(
    chain: Chain, client: Client
) -> None:
    indicator = population(chain)
    first = client.get(URL)
    held = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert (held.status_code, held.content) == (304, b"")
    IndicatorValue.objects.filter(indicator=indicator, area=chain.nghia_an).update(
        value=Decimal("4000")
    )
    changed = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert values_of(changed.content) == [12000.0, 9000.0]


def test_a_target_an_approval_and_an_import_by_raw_sql_each_renew_the_revision(
    chain: Chain, client: Client
) -> None:
    indicator = population(chain)
    etags = [client.get(URL)["ETag"]]
    IndicatorTarget.objects.create(
        indicator=indicator, area=chain.territory.an_phu, period="2024", value=Decimal("9000")
    )
    answer = client.get(URL)
    etags.append(answer["ETag"])
    assert json.loads(answer.content)["features"][1]["properties"]["target"] == 9000
    value = IndicatorValue.objects.get(indicator=indicator, area=chain.nghia_phu)
    IndicatorValue.objects.filter(pk=value.pk).update(status=ValueStatus.SUBMITTED)
    etags.append(client.get(URL)["ETag"])
    value_review(actor=User.objects.create_superuser("admin"), value_id=value.pk, approve=True)
    etags.append(client.get(URL)["ETag"])
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE indicators_indicatorvalue SET value = 1000 WHERE id = %s", [value.pk]
        )
    imported = client.get(URL)
    etags.append(imported["ETag"])
    assert len(set(etags)) == 5
    assert values_of(imported.content) == [12000.0, 7000.0]


def test_an_error_is_never_cached(chain: Chain, client: Client) -> None:
    population(chain)
    refusals = [
        client.get(URL.replace("classes=2", "classes=9")),
        client.get(URL.replace("equal_interval", "bogus")),
        client.get(URL.replace("period=2024", "period=2024-07")),
        client.get(URL + "&level=ward"),
        client.get(URL.replace("population", "gdp")),
    ]
    assert [r.status_code for r in refusals] == [400, 400, 400, 400, 404]
    assert [r.has_header("ETag") for r in refusals] == [False] * 5
    assert cached_keys() == []


def test_a_transaction_that_wrote_is_neither_served_nor_cached(chain: Chain) -> None:
    population(chain)
    with transaction.atomic():
        IndicatorValue.objects.filter(area=chain.nghia_an).update(value=Decimal("1"))
        assert answers_revision() is None
    assert answers_revision() is not None


def test_folding_the_change_log_keeps_the_revision(chain: Chain) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO indicators_answer_change "
            "SELECT n::text::xid8 FROM generate_series(1, 300) n"
        )
        before = answers_revision()  # folds: above 256 rows
        cursor.execute("SELECT count(*) FROM indicators_answer_change")
        assert cursor.fetchone() == (0,)
    assert answers_revision() == before
