"""The choropleth's data (the values API's `format=geojson`), cached whole.

The answer for an indicator, period, level, boundaries date and classification is the same for
everybody until something it reads changes, and building it costs an aggregation over thousands
of areas and a few megabytes of JSON. So the finished document is kept in Redis, gzip-compressed
once, under a key made of those parameters and the **answers' revision**: a number that
PostgreSQL's statement-level triggers renew whenever a transaction that wrote values, targets,
indicators, areas or successions commits (migration 0004_choropleth_answer_revision, which says
why it is a log and not a counter row). A request reads the revision in one small query; a
write, by the services or by raw SQL, makes every earlier entry unreachable, and Redis drops
them after CACHE_SECONDS.

The revision is read before the answer is built, each in its own snapshot: a writer committing
in between can only put newer data under the older revision, which nobody asks for again; the
reverse (older data under the newer revision) cannot happen, because a writer's revision becomes
visible with its data, at its commit.

Parameters are checked before the cache is read, and only a built answer is stored: an error
(unknown indicator, bad period, level or classification) is never cached.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from geoapp.sql import array_literal
from indicators.models import Direction, Indicator
from indicators.periods import Period
from indicators.selectors.aggregation import (
    aggregation_request_check,
    indicator_aggregates,
    indicator_aggregates_geojson,
)
from indicators.selectors.classification import (
    NO_DATA_COLOUR,
    Classification,
    classification_check,
    classification_parameters,
    classify,
)

# Renew when the document's shape changes, so that no entry of the earlier shape is served.
DOCUMENT_SHAPE = "2"
CACHE_SECONDS = 24 * 3600
# The change log is folded into the counter when it holds more rows than this, so that reading
# the revision stays a count over a few rows.
FOLD_ABOVE = 256


@dataclass(frozen=True)
class ChoroplethQuery:
    """One choropleth request, checked: `method` is "" when no classification is asked for."""

    indicator: Indicator
    period: Period
    level: str
    boundaries: datetime.date
    method: str
    classes: int
    fixed_breaks: list[float] | None

    def key(self, revision: int) -> str:
        parts = (
            DOCUMENT_SHAPE, str(revision), self.indicator.code, self.period.text, self.level,
            self.boundaries.isoformat(), self.method, str(self.classes),
            ",".join(repr(bound) for bound in self.fixed_breaks or []),
        )  # fmt: skip
        digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
        return f"indicators:choropleth:{digest}"

    def etag(self, revision: int) -> str:
        """Weak: the same document is sent compressed or not."""
        return f'W/"{self.key(revision).rsplit(":", 1)[1]}"'


def choropleth_query(
    *,
    indicator: Indicator,
    period: Period,
    level: str,
    boundaries: datetime.date,
    parameters: Mapping[str, Any],
) -> ChoroplethQuery:
    """The request checked whole (InvalidInput otherwise); `parameters` holds `classification`,
    `classes` and `breaks` as the map's query string gives them."""
    aggregation_request_check(indicator, period, level)
    method = parameters.get("classification") or ""
    classes, fixed = classification_parameters(parameters)
    if method:
        classification_check(method=method, classes=classes, fixed_breaks=fixed)
    return ChoroplethQuery(
        indicator=indicator, period=period, level=level, boundaries=boundaries, method=method,
        classes=classes, fixed_breaks=fixed if method == "fixed" else None,
    )  # fmt: skip


def answers_revision() -> int | None:
    """The revision of the data every aggregated answer reads (see the module's docstring), or
    None when the current transaction has itself written such data: what it reads is not yet
    anybody else's (it may roll back), so it is neither served from the cache nor stored."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT revision, (SELECT count(*) FROM indicators_answer_change),
                   EXISTS (SELECT FROM indicators_answer_change
                           WHERE transaction_id = pg_current_xact_id_if_assigned())
            FROM indicators_answer_revision
            """
        )
        revision, changes, own_writes = cursor.fetchone()
    if own_writes:
        return None
    if changes > FOLD_ABOVE:
        _changes_fold()
    return int(revision) + int(changes)


def _changes_fold() -> None:
    """Move the committed rows of the change log into the counter, in one statement: readers see
    the sum before or after, which is the same. Rows of transactions still running are invisible
    to the DELETE and stay; two folds at once each add only the rows they deleted."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH folded AS (DELETE FROM indicators_answer_change RETURNING 1)
            UPDATE indicators_answer_revision
            SET revision = revision + (SELECT count(*) FROM folded)
            """
        )


def _classification(query: ChoroplethQuery, values: list[Any]) -> Classification:
    return classify(
        values=values,
        method=query.method,
        classes=query.classes,
        higher_is_better=query.indicator.direction == Direction.HIGHER_IS_BETTER,
        fixed_breaks=query.fixed_breaks,
    )


def choropleth_document(query: ChoroplethQuery) -> bytes:
    """The FeatureCollection (UTF-8), built without the cache: PostgreSQL's text with the
    request's members (indicator, period, boundaries and, if asked, the classification)."""
    document, values = indicator_aggregates_geojson(
        indicator=query.indicator, period=query.period, level=query.level,
        boundaries=query.boundaries,
    )  # fmt: skip
    extra: dict[str, Any] = {
        "indicator": query.indicator.code,
        "period": query.period.text,
        "boundaries": query.boundaries.isoformat(),
    }
    if query.method:
        extra["classification"] = _classification(query, values).as_json()
    # The collection is PostgreSQL's text: its members are added without parsing it.
    return (document[:-1] + ", " + json.dumps(extra, ensure_ascii=False)[1:]).encode()


def choropleth_compressed(query: ChoroplethQuery, *, revision: int | None) -> bytes:
    """The document gzip-compressed, from the cache or built (and then stored); built and not
    stored when `revision` is None."""
    key = None if revision is None else query.key(revision)
    stored = None if key is None else cache.get(key)
    if isinstance(stored, bytes):
        return stored
    # mtime=0: the same document always compresses to the same bytes.
    compressed = gzip.compress(choropleth_document(query), compresslevel=6, mtime=0)
    if key is not None:
        cache.set(key, compressed, timeout=CACHE_SECONDS)
    return compressed


@dataclass(frozen=True)
class AreaClasses:
    """Each area's code, value, class and colour, as four PostgreSQL arrays' input texts (see
    geoapp.sql.array_literal) in the same order: the vector tiles pass them as parameters and
    join the communes under the tile to them by code."""

    codes: str
    values: str
    classes: str
    colours: str


def choropleth_area_classes(query: ChoroplethQuery, *, revision: int | None) -> AreaClasses:
    """Each area's value, class and colour under the same classification as the choropleth's
    document (the indicators' map), without geometry. Cached beside the document under the same
    revision (not stored when it is None), so that a tile neither recomputes nor re-encodes
    them."""
    key = None if revision is None else query.key(revision) + ":area-classes"
    stored = None if key is None else cache.get(key)
    if isinstance(stored, AreaClasses):
        return stored
    rows = indicator_aggregates(
        indicator=query.indicator, period=query.period, level=query.level,
        boundaries=query.boundaries,
    )  # fmt: skip
    classification = _classification(query, [row.value for row in rows]) if query.method else None
    classes = [
        classification.classes[index] if classification else None for index in range(len(rows))
    ]
    area_classes = AreaClasses(
        codes=array_literal(row.area_code for row in rows),
        values=array_literal(None if row.value is None else float(row.value) for row in rows),
        classes=array_literal(classes),
        colours=array_literal(
            classification.colour_of(class_index) if classification else NO_DATA_COLOUR
            for class_index in classes
        ),
    )
    if key is not None:
        cache.set(key, area_classes, timeout=CACHE_SECONDS)
    return area_classes
