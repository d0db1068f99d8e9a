"""The pieces of hand-written SQL that every app writes the same way, written once.

The apps write raw SQL only where the ORM cannot say the thing, or says it too slowly for a
statement that runs on every request (each such statement says why beside it). What they share:

- `server_binding_cursor`: a cursor whose statements PostgreSQL may prepare;
- `model_columns` and `model_from_row`: a model's columns for a SELECT list, and the instance
  rebuilt from them;
- `valid_on`: "valid on this day" for tables with `valid_from`/`valid_to` (areas, and every record
  with a validity period), the SQL twin of `AreaQuerySet.on()`;
- `feature` and `feature_collection`: GeoJSON assembled by PostgreSQL (json_build_object and
  ST_AsGeoJSON are about 50 times faster than a serializer at 10,000 features);
- `InsertUnlessExists`: one INSERT … ON CONFLICT DO NOTHING for a model instance.
- `InsertUnlessExistsWithChild`: the same, with one child row pointing at it, in one statement
  (and, through `AlsoInStatement`, more rows that depend on them, in the same statement).
- `array_literal`: a PostgreSQL array's input text, for passing thousands of values as one
  parameter that PostgreSQL parses quickly.

Every value goes in as a parameter; the only text these functions interpolate is table aliases,
column names from the models and SQL expressions chosen by the calling code, never user input.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import BooleanField, CharField, DateTimeField, Field, Model, TextField
from psycopg import _queries as psycopg_queries

ModelType = TypeVar("ModelType", bound=Model)

# Values the hand-written statements pass to psycopg by name.
SqlParameters = dict[
    str,
    bytes | str | int | float | datetime.date | datetime.datetime | list[int] | list[str] | None,
]


def server_binding_cursor() -> CursorWrapper:
    """A Django cursor whose statements psycopg may prepare on the server.

    For the hand-written statements that run on every lookup or every filed report. Django's own
    cursors bind parameters on the client, so PostgreSQL plans each statement anew: 0.4 ms of
    planning for 0.2 ms of execution for the routing statement. On a cursor that binds on the
    server, psycopg prepares a statement once it has run `prepare_threshold` times on the
    connection (settings: DATABASE_PREPARE_THRESHOLD). Django's wrapper still reports the
    statement to execute wrappers and the query log, and turns errors into django.db errors.
    """
    # The wrapper looked up once: every attribute read through `django.db.connection` is a
    # lookup in the connections' thread-local store, and this runs several times per report.
    database = connections[DEFAULT_DB_ALIAS]
    database.close_if_health_check_failed()
    database.ensure_connection()
    with database.wrap_database_errors:
        cursor = psycopg.Cursor(database.connection)
    # django-stubs type these with Django's cursor wrapper, but Django passes the driver's cursor.
    if database.queries_logged:
        return database.make_debug_cursor(cursor)  # type: ignore[arg-type]
    return database.make_cursor(cursor)  # type: ignore[arg-type]


def column_of(model: type[Model], field_name: str) -> str:
    """The database column of a model's field (by name or attname)."""
    column = getattr(model._meta.get_field(field_name), "column", None)
    if not isinstance(column, str):  # a reverse relation or a many-to-many: no column here
        raise ValueError(f"{model.__name__}.{field_name} has no column of its own")
    return column


def model_columns(model: type[Model], field_names: Iterable[str], *, table: str) -> str:
    """`table."column", …` for the named fields (names or attnames), in the order given."""
    return ", ".join(
        f"{table}.{connection.ops.quote_name(column_of(model, name))}" for name in field_names
    )


def model_from_row(
    model: type[ModelType], fields: Sequence[Field[Any, Any]], values: Sequence[Any]
) -> ModelType:
    """An instance as the ORM would build it from these columns (JSON decoded, and so on), for
    rows read by a hand-written statement in `model_columns` order."""
    database = connections[DEFAULT_DB_ALIAS]  # once, not through the proxy per field
    converted = []
    for field, value in zip(fields, values, strict=True):
        for converter in field.get_db_converters(database):
            value = converter(value, None, database)
        converted.append(value)
    return model.from_db(database.alias, [field.attname for field in fields], converted)


def valid_on(day_parameter: str, *, table: str = "") -> str:
    """The condition "valid on the day" for a row with `valid_from` and `valid_to` (empty = still
    valid), the day passed as the named parameter `day_parameter` (`%(<name>)s`)."""
    prefix = f"{table}." if table else ""
    day = f"%({day_parameter})s"
    return (
        f"{prefix}valid_from <= {day} AND ({prefix}valid_to IS NULL OR {prefix}valid_to >= {day})"
    )


def array_literal(items: Iterable[str | int | float | None]) -> str:
    """The input text of a PostgreSQL array of `items` (cast it in the statement: `%(x)s::text[]`),
    every element quoted (a backslash before `"` and `\\`), None as NULL. Passed as one parameter,
    it reaches PostgreSQL as one string literal: three arrays of 3,321 values parse in about a
    millisecond, where the same values as one JSON object took 8 ms."""
    elements = (
        "NULL" if item is None else '"' + str(item).replace("\\", "\\\\").replace('"', '\\"') + '"'
        for item in items
    )
    return "{" + ",".join(elements) + "}"


def feature(*, geometry: str, properties: str, feature_id: str = "") -> str:
    """A GeoJSON Feature as a json_build_object expression over the current row.

    `geometry` is a geometry expression (SRID 4326), written with 6 decimals (about 0.1 m);
    `properties` the key/value list inside json_build_object(…).
    """
    identity = f"'id', {feature_id}, " if feature_id else ""
    return (
        f"json_build_object('type', 'Feature', {identity}"
        f"'geometry', ST_AsGeoJSON({geometry}, 6)::json, "
        f"'properties', json_build_object({properties}))"
    )


def feature_collection(features: str, *, order_by: str = "", members: str = "") -> str:
    """A GeoJSON FeatureCollection aggregating the `features` expression over the rows of the
    statement (an empty list, not null, when there are none). `members` adds top-level members
    (`'key', value, …`)."""
    ordering = f" ORDER BY {order_by}" if order_by else ""
    extra = f", {members}" if members else ""
    return (
        "json_build_object('type', 'FeatureCollection', "
        f"'features', COALESCE(json_agg({features}{ordering}), '[]'::json){extra})"
    )


# Values that the ORM's preparation hands to the driver unchanged, skipped by InsertUnlessExists:
# the five calls per field that confirm it were a third of the Python of an INSERT of a report
# (docs/benchmarks.md, "Filing in one process, the CPU per report (issue 10)"). Only for fields
# whose class keeps Django's own preparation steps, and only for values that those steps return
# as they are: a str (choices included) for CharField and TextField (`to_python` returns any str
# as it is; a lazy translation is not a str and is prepared), a bool for BooleanField, an aware
# datetime for a DateTimeField that stamps nothing (PostgreSQL's adapt_datetimefield_value
# returns it as it is: checked when the statement is built). Any other value is prepared.
_AS_IS_NEVER, _AS_IS_TEXT, _AS_IS_BOOLEAN, _AS_IS_AWARE_MOMENT = range(4)
_AS_IS_BY_PREPARATION = {
    CharField.get_prep_value: _AS_IS_TEXT,
    TextField.get_prep_value: _AS_IS_TEXT,
    BooleanField.get_prep_value: _AS_IS_BOOLEAN,
}


def _passed_as_is(field: Field[Any, Any], database: BaseDatabaseWrapper) -> int:
    """Which values of `field` are their own database value (one of the _AS_IS_ kinds)."""
    kind = type(field)
    if hasattr(field, "get_placeholder") or kind.get_db_prep_save is not Field.get_db_prep_save:
        return _AS_IS_NEVER
    if (
        kind.pre_save is DateTimeField.pre_save
        and kind.get_prep_value is DateTimeField.get_prep_value
        and kind.get_db_prep_value is DateTimeField.get_db_prep_value
    ):
        assert isinstance(field, DateTimeField)
        probe = datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC)
        stamps = field.auto_now or field.auto_now_add
        passed = database.ops.adapt_datetimefield_value(probe) is probe
        return _AS_IS_AWARE_MOMENT if passed and not stamps else _AS_IS_NEVER
    if kind.pre_save is not Field.pre_save or kind.get_db_prep_value is not Field.get_db_prep_value:
        return _AS_IS_NEVER
    return _AS_IS_BY_PREPARATION.get(kind.get_prep_value, _AS_IS_NEVER)


class InsertUnlessExists:
    """Insert a model instance unless it collides with a unique key; True (with its id set) when
    it was written.

    Raw SQL because the ORM has no "insert unless the key exists, and tell me": get_or_create
    needs a SELECT and then the INSERT in a savepoint; ON CONFLICT DO NOTHING decides in the one
    INSERT, atomically, and leaves the transaction usable. A concurrent twin with the same key
    makes this INSERT wait for its commit, then insert nothing, as the unique index made the
    savepoint's INSERT do. Values and placeholders are prepared by the fields as the ORM prepares
    them (defaults and auto_now stamps, JSON, a point in another SRID transformed by the
    statement). The statement text is the same on every call, so a server-binding cursor
    prepares it once per connection. `also_returning`: more columns for the statement's
    RETURNING, after the id, for a statement that reads them (`InsertUnlessExistsWithChild`).
    """

    def __init__(
        self,
        model: type[Model],
        *,
        conflict_fields: Sequence[str] = (),
        also_returning: Sequence[str] = (),
    ) -> None:
        quote = connection.ops.quote_name
        meta = model._meta
        primary_key = next(field.name for field in meta.concrete_fields if field.primary_key)
        # Every column but the id and those PostgreSQL generates.
        self.model = model
        self.fields: list[Field[Any, Any]] = [
            field
            for field in meta.concrete_fields
            if not field.primary_key and not getattr(field, "generated", False)
        ]
        target = (
            "(" + ", ".join(quote(column_of(model, name)) for name in conflict_fields) + ")"
            if conflict_fields
            else ""
        )
        self.into = (
            f"INSERT INTO {quote(meta.db_table)} "
            f"({', '.join(quote(column_of(model, field.name)) for field in self.fields)})"
        )
        self.on_conflict = f"ON CONFLICT {target} DO NOTHING RETURNING " + ", ".join(
            quote(column_of(model, name)) for name in [primary_key, *also_returning]
        )
        self.statement = f"{self.into} VALUES ({{placeholders}}) {self.on_conflict}"
        # Fields with a placeholder of their own (a geometry in another SRID is transformed by
        # the statement); "%s" for every other field and, as a rule, for these too.
        self._placed = {
            position
            for position, field in enumerate(self.fields)
            if hasattr(field, "get_placeholder")
        }
        self._default_placeholders = ["%s"] * len(self.fields)
        self._default_statement = self.statement.format(
            placeholders=", ".join(self._default_placeholders)
        )
        database = connections[DEFAULT_DB_ALIAS]
        self._preparation = [(field, _passed_as_is(field, database)) for field in self.fields]

    def __call__(self, instance: Model) -> bool:
        statement, values = self.statement_and_values(instance)
        with server_binding_cursor() as cursor:
            cursor.execute(statement, values)
            row = cursor.fetchone()
        if row is None:
            return False
        instance.pk = row[0]
        instance._state.adding = False
        instance._state.db = DEFAULT_DB_ALIAS
        return True

    def statement_and_values(self, instance: Model) -> tuple[str, list[Any]]:
        """The statement for `instance` and its values, as `__call__` sends them."""
        placeholders, values = self.placeholders_and_values(instance)
        if placeholders is self._default_placeholders:
            return self._default_statement, values
        return self.statement.format(placeholders=", ".join(placeholders)), values

    def placeholders_and_values(self, instance: Model) -> tuple[list[str], list[Any]]:
        """Each field's placeholder and value for `instance`, in `fields` order (the same list
        as `_default_placeholders` when every placeholder is "%s")."""
        database = connections[DEFAULT_DB_ALIAS]  # once, rather than through the proxy per field
        placeholders = self._default_placeholders
        values = []
        for position, (field, as_is) in enumerate(self._preparation):
            if as_is:
                value = getattr(instance, field.attname)  # what Field.pre_save reads
                if (
                    (as_is == _AS_IS_TEXT and isinstance(value, str))
                    or (as_is == _AS_IS_BOOLEAN and type(value) is bool)
                    or (
                        as_is == _AS_IS_AWARE_MOMENT
                        and type(value) is datetime.datetime
                        and value.utcoffset() is not None
                    )
                ):
                    values.append(value)
                    continue
            else:
                value = field.pre_save(instance, add=True)
                if position in self._placed:
                    placeholder = field.get_placeholder(value, None, database)  # type: ignore[attr-defined]
                    if placeholder != placeholders[position]:
                        placeholders = placeholders.copy()
                        placeholders[position] = placeholder
            values.append(field.get_db_prep_save(value, connection=database))
        return placeholders, values


class InsertUnlessExistsWithChild:
    """A parent row inserted unless it collides with a unique key (as InsertUnlessExists) or a
    condition does not hold and, when it was written, one child row pointing at it, in one
    statement.

    For a row that always comes with a first child (a report and its first event): one round
    trip instead of two, and with `AlsoInStatement` more rows that depend on them, and values
    read in the same snapshot. Both rows' values are cast to their columns' types, since in
    `INSERT … SELECT` PostgreSQL cannot take a parameter's type from its column, as `VALUES`
    lets it; text goes in as `text`, so that a value too long for its column is refused as an
    INSERT refuses it, not cut by a cast.
    """

    def __init__(self, parent: InsertUnlessExists, child: type[Model], *, link: str) -> None:
        quote = connection.ops.quote_name
        database = connections[DEFAULT_DB_ALIAS]
        self.parent = parent
        self.child = InsertUnlessExists(child)
        if self.child._placed:
            raise ValueError(f"{child.__name__} has a field with a placeholder of its own")
        link_field = child._meta.get_field(link)
        self._link_position = self.child.fields.index(link_field)  # type: ignore[arg-type]
        self._parent_casts = [f"%s::{_parameter_type(field, database)}" for field in parent.fields]
        self._default_parent_selected = ", ".join(self._parent_casts)
        parent_key = quote(column_of(parent.model, parent.model._meta.pk.name))
        child_key = quote(column_of(child, child._meta.pk.name))
        selected = [
            f"parent.{parent_key}"
            if position == self._link_position
            else f"%s::{_parameter_type(field, database)}"
            for position, field in enumerate(self.child.fields)
        ]
        columns = ", ".join(quote(column_of(child, field.name)) for field in self.child.fields)
        self._ctes_after_parent = (
            f"), child AS (INSERT INTO {quote(child._meta.db_table)} ({columns}) "
            f"SELECT {', '.join(selected)} FROM parent RETURNING {child_key})"
        )
        self._selected = f"SELECT parent.{parent_key}, child.{child_key}"
        # One row whether or not the rows were written, for `also.selected`'s values.
        self._from = "FROM (SELECT) AS statement LEFT JOIN parent ON true LEFT JOIN child ON true"

    def __call__(
        self, parent: Model, child: Model, *, also: AlsoInStatement | None = None
    ) -> tuple[bool, tuple[Any, ...]]:
        """Write both unless a unique key collides or `also.condition` does not hold: whether
        they were written (then both ids are set), and the values of `also.selected`."""
        also = also or _NOTHING_ELSE
        placeholders, parent_values = self.parent.placeholders_and_values(parent)
        _child_placeholders, child_values = self.child.placeholders_and_values(child)
        del child_values[self._link_position]
        values = [*parent_values, *also.condition_values, *child_values, *also.values]
        _parsing_cached_up_to(len(values))
        with server_binding_cursor() as cursor:
            cursor.execute(
                f"WITH parent AS ({self.parent.into} SELECT {self._parent_selected(placeholders)} "
                f"WHERE {also.condition} {self.parent.on_conflict}{self._ctes_after_parent}"
                f"{also.ctes} {self._selected}{also.selected} {self._from}",
                values,
            )
            row = cursor.fetchone()
        written = row[0] is not None
        if written:
            for instance, key in zip((parent, child), row[:2], strict=True):
                instance.pk = key
                instance._state.adding = False
                instance._state.db = DEFAULT_DB_ALIAS
        return written, tuple(row[2:])

    def _parent_selected(self, placeholders: list[str]) -> str:
        if placeholders is self.parent._default_placeholders:
            return self._default_parent_selected
        # A placeholder of the field's own (a transforming function) has its type already.
        return ", ".join(
            cast if placeholder == "%s" else placeholder
            for cast, placeholder in zip(self._parent_casts, placeholders, strict=True)
        )


@dataclass(frozen=True)
class AlsoInStatement:
    """More work for the statement of `InsertUnlessExistsWithChild`: further common table
    expressions (each starting with a comma; they may read `parent` and `child`, whose key
    columns they return), their parameters' values, expressions selected after the two keys
    (each starting with a comma), whose values the call returns, and a condition for writing."""

    ctes: str = ""
    values: Sequence[Any] = ()
    selected: str = ""
    # What must hold for the parent to be written (read in the statement's snapshot), and its
    # parameters' values.
    condition: str = "true"
    condition_values: Sequence[Any] = ()

    def then(self, other: AlsoInStatement) -> AlsoInStatement:
        """This work, then `other`'s; both conditions must hold."""
        return AlsoInStatement(
            ctes=self.ctes + other.ctes,
            values=[*self.values, *other.values],
            selected=self.selected + other.selected,
            condition=f"({self.condition}) AND ({other.condition})",
            condition_values=[*self.condition_values, *other.condition_values],
        )


_NOTHING_ELSE = AlsoInStatement()


def _parsing_cached_up_to(parameter_count: int) -> None:
    """Let psycopg cache the parsing of statements of up to `parameter_count` parameters.

    psycopg turns a statement's `%s` into PostgreSQL's `$1…$n` on every execute, and caches the
    result only for statements of at most 50 parameters (psycopg._queries, to keep the long
    `INSERT … VALUES (…), (…)` of bulk writes out of its cache of 128 statements). A report, its
    first event and its messages are 55 to about 80 (bounded: the messages' rows of values are at
    most two, the followers' come from SQL): parsing them anew cost about 0.3 ms of CPU per
    filing, more than a round trip. Only raised, never lowered; if a psycopg release drops the
    setting, statements are parsed as before (slower, not different).
    """
    current = getattr(psycopg_queries, "MAX_CACHED_STATEMENT_PARAMS", None)
    if isinstance(current, int) and current < parameter_count:
        psycopg_queries.MAX_CACHED_STATEMENT_PARAMS = parameter_count


def _parameter_type(field: Field[Any, Any], database: BaseDatabaseWrapper) -> str:
    """The type a parameter for `field`'s column is cast to (text for text of any length)."""
    column_type = field.db_type(database)
    if column_type is None:
        raise ValueError(f"{field} has no column type")
    if column_type.startswith(("varchar", "char")):
        return "text"
    return column_type
