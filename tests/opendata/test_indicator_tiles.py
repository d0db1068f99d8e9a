"""The indicators' choropleth as vector tiles (`/tiles/chi-tieu/…`): the communes valid on the
boundaries' day with each one's value, class and colour as the indicators' map classifies them,
cached under the answers' revision so that a change of a value reaches the next tile.

Transactional: the revision counts committed transactions, as requests see them."""

from __future__ import annotations

import json
from decimal import Decimal

import mapbox_vector_tile
import pytest
import redis
from django.conf import settings
from django.test import Client

from indicators.models import IndicatorValue
from tests.indicators import conftest as indicator_fixtures
from tests.indicators.conftest import Chain
from tests.indicators.test_aggregation import population
from tests.opendata.test_tiles import tile_of

pytestmark = pytest.mark.usefixtures("transactional_db")
# The territory with a chain of successions of the indicators tests, for this module too.
chain = indicator_fixtures.chain

QUERY = (
    "?indicator=population&period=2024&boundaries=2026-01-01"
    "&classification=equal_interval&classes=2"
)
CHOROPLETH = (
    "/api/v1/indicators/population/values/?period=2024&boundaries=2026-01-01"
    "&format=geojson&classification=equal_interval&classes=2"
)
# The tile of the two communes of 2026 (Cẩm Thành 21025, An Phú 21034) at zoom 10.
TILE = "/tiles/chi-tieu/{}/{}/{}.pbf".format(*tile_of(108.80, 15.10, 10))


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    store = redis.Redis.from_url(settings.REDIS_URL)
    for pattern in ("*indicators:choropleth:*", "*opendata:tile:chi-tieu:*"):
        for key in store.scan_iter(pattern):
            store.delete(key)


def cached_tiles() -> list[bytes]:
    return list(redis.Redis.from_url(settings.REDIS_URL).scan_iter("*opendata:tile:chi-tieu:*"))


def communes(client: Client, query: str = QUERY) -> dict[str, tuple[object, ...]]:
    response = client.get(TILE + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    features = mapbox_vector_tile.decode(response.content)["chi-tieu"]["features"]
    return {
        f["properties"]["area_code"]: (
            f["properties"]["area_name"], f["properties"]["value"], f["properties"].get("class"),
            f["properties"]["colour"],
        )
        for f in features
    }  # fmt: skip


def test_a_tile_colours_each_commune_as_the_indicators_map_classifies_it(
    chain: Chain, client: Client
) -> None:
    population(chain)
    document = json.loads(client.get(CHOROPLETH).content)
    lower, upper = document["classification"]["classes"]
    assert communes(client) == {
        "21025": ("Phường Cẩm Thành", 12000, 1, upper["colour"]),
        "21034": ("Xã An Phú", 8000, 0, lower["colour"]),
    }
    assert len(cached_tiles()) == 1
    # Without a classification: the values, the colour of no data, and no class (a null
    # property is left out of a vector tile's feature).
    assert {code: row[1:] for code, row in communes(client, QUERY.split("&class")[0]).items()} == {
        "21025": (12000, None, "#d1d5db"),
        "21034": (8000, None, "#d1d5db"),
    }


def test_a_changed_value_reaches_the_next_tile(chain: Chain, client: Client) -> None:
    indicator = population(chain)
    assert communes(client)["21034"][1] == 8000
    IndicatorValue.objects.filter(indicator=indicator, area=chain.nghia_an).update(
        value=Decimal("4000")
    )
    assert communes(client)["21034"][1] == 9000
    assert len(cached_tiles()) == 2  # one per revision; the first is unreachable


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("?indicator=khong-co&period=2024", 404, "Không có chỉ tiêu mã “khong-co”."),
        ("?indicator=population&period=2024-13", 400, None),
        ("?indicator=population&period=2024&classification=hexagons", 400, None),
        ("?indicator=population&period=2024&ngay=2026-01-01", 400, "Tham số không được hỗ trợ: ngay."),
    ],
)  # fmt: skip
def test_bad_choropleth_tiles_are_refused_and_nothing_is_cached(
    chain: Chain, client: Client, query: str, status: int, message: str | None
) -> None:
    population(chain)
    response = client.get(TILE + query)
    assert response.status_code == status
    description = response.json()["description"]
    assert description if message is None else description == message
    assert cached_tiles() == []


def test_tilejson_describes_the_choropleth_layer(client: Client) -> None:
    document = client.get("/tiles/chi-tieu.json").json()
    assert document["vector_layers"] == [
        {
            "id": "chi-tieu",
            "fields": {"area_code": "String", "area_name": "String", "value": "Number",
                       "class": "Number", "colour": "String"},
        }
    ]  # fmt: skip
