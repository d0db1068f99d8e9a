"""The statements of the values import (indicators/services/value_import.py), which checks and
writes a whole file in PostgreSQL: the file's cells are copied into a temporary table, then each
check is one statement over every row.

Raw SQL because the checks are joins and window functions over the file (the area valid on a
period's last day, else its first; the first of duplicate rows; the previous period's value in
the file or the table) and the write is one INSERT … ON CONFLICT with its audit events: the ORM
would build a model object per row, which is what made 100,000 rows take 40 seconds.

The temporary tables live until the import's transaction ends (ON COMMIT DROP) and are dropped
at its end too, since tests run imports inside one outer transaction.
"""

from __future__ import annotations

# The cells as the file has them (stripped text), numbered as a spreadsheet numbers rows.
CREATE_ROWS = """
CREATE TEMPORARY TABLE value_import_row (
    row_number integer PRIMARY KEY,
    indicator text NOT NULL,
    area_code text NOT NULL,
    period text NOT NULL,
    value text NOT NULL,
    numerator text NOT NULL,
    denominator text NOT NULL,
    comment text NOT NULL
) ON COMMIT DROP
"""

COPY_ROWS = (
    "COPY value_import_row (row_number, indicator, area_code, period, value, numerator, "
    "denominator, comment) FROM STDIN"
)

# A number cell as Python's Decimal reads it after decimal_or_none's cleaning (spaces removed, a
# comma as the decimal point; Decimal also drops underscores): the cleaned text must be a plain
# or exponent decimal. The exponent has at most three digits so that the cast cannot overflow
# PostgreSQL's numeric (1e999999 is refused as text; no such value fits the column anyway).
# Digits other than 0-9 (Arabic-Indic, full-width), which Decimal also reads, are refused.
_NUMBER_PATTERN = r"^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?$"


def _number(column: str) -> str:
    cleaned = f"translate(row.{column}, ', _', '.')"
    return (
        f"CASE WHEN {cleaned} ~ '{_NUMBER_PATTERN}' THEN {cleaned}::numeric END AS {column}_number"
    )


def _valid_on(day: str) -> str:
    return (
        f"(candidate.valid_from <= {day} "
        f"AND (candidate.valid_to IS NULL OR candidate.valid_to >= {day}))"
    )


# Every check that needs no other row, in the order the messages are given (the first failing
# one names the row), then the duplicates among the rows that passed them.
#
# - the area: the area with the code valid on the period's last day, else on its first day,
#   oldest first (wards.selectors.areas_with_codes' order); it must be a commune;
# - a ratio's value when its cell is empty: numerator / denominator × factor rounded half to
#   even at 6 decimals, as Decimal.quantize does, computed exactly with integer division;
# - "value": one of value_checked's refusals (a ratio without numerator or denominator, a
#   denominator ≤ 0, a negative numerator, a numerator above its denominator, no value, a
#   negative value, below the minimum, above the maximum); the import asks value_checked which.
CREATE_CHECKED = f"""
CREATE TEMPORARY TABLE value_import_checked ON COMMIT DROP AS
WITH period AS (
    SELECT * FROM unnest(
        %(period_texts)s::text[], %(period_types)s::text[], %(period_starts)s::date[],
        %(period_ends)s::date[], %(period_befores)s::text[]
    ) AS period(text, period_type, first_day, last_day, before)
),
-- MATERIALIZED: each cell is parsed once; an inlined CTE would parse a cell again at every
-- reference to its number in the checks below (3.6 s of 4.9 s for 100,000 rows).
parsed AS MATERIALIZED (
    SELECT row.row_number, row.comment, row.value <> '' AS value_given,
           row.numerator <> '' AS numerator_given, row.denominator <> '' AS denominator_given,
           {_number("value")}, {_number("numerator")}, {_number("denominator")},
           indicator.id AS indicator_id, indicator.kind, indicator.computed_from,
           indicator.period_type AS indicator_period_type, indicator.allows_negative,
           indicator.minimum, indicator.maximum, indicator.factor,
           period.text AS period, period.period_type, period.first_day, period.last_day,
           period.before, area.id AS area_id, area.level AS area_level,
           area.id IS NULL AND EXISTS (
               SELECT FROM wards_area known WHERE known.code = row.area_code
           ) AS area_code_known
    FROM value_import_row row
    LEFT JOIN indicators_indicator indicator ON indicator.code = row.indicator
    LEFT JOIN period ON period.text = row.period
    LEFT JOIN LATERAL (
        SELECT candidate.id, candidate.level FROM wards_area candidate
        WHERE candidate.code = row.area_code
          AND ({_valid_on("period.last_day")} OR {_valid_on("period.first_day")})
        ORDER BY {_valid_on("period.last_day")} DESC, candidate.valid_from, candidate.id
        LIMIT 1
    ) area ON true
),
valued AS MATERIALIZED (
    SELECT parsed.*,
           CASE
               WHEN value_number IS NOT NULL OR kind <> 'ratio' THEN value_number
               WHEN numerator_number >= 0 AND denominator_number > 0 THEN (
                   SELECT (quotient + CASE WHEN 2 * remainder > denominator_number
                                             OR (2 * remainder = denominator_number
                                                 AND mod(quotient, 2) = 1)
                                           THEN 1 ELSE 0 END) / 1000000.0
                   FROM (SELECT div(scaled, denominator_number) AS quotient,
                                mod(scaled, denominator_number) AS remainder
                         FROM (SELECT numerator_number * factor * 1000000 AS scaled) s) q
               )
           END AS checked_value
    FROM parsed
),
checked AS (
    SELECT valued.*,
           CASE
               WHEN indicator_id IS NULL THEN 'indicator_unknown'
               WHEN computed_from <> '' OR kind = 'formula' THEN 'indicator_computed'
               WHEN period IS NULL THEN 'period_invalid'
               WHEN period_type <> indicator_period_type THEN 'period_type'
               WHEN area_id IS NULL AND area_code_known THEN 'area_not_in_period'
               WHEN area_id IS NULL THEN 'area_unknown'
               WHEN area_level <> 'commune' THEN 'area_not_commune'
               WHEN numerator_given AND numerator_number IS NULL THEN 'numerator_not_number'
               WHEN denominator_given AND denominator_number IS NULL
                   THEN 'denominator_not_number'
               WHEN value_given AND value_number IS NULL THEN 'value_not_number'
               WHEN kind = 'ratio' AND (
                   numerator_number IS NULL OR denominator_number IS NULL
                   OR denominator_number <= 0 OR numerator_number < 0
                   OR numerator_number > denominator_number
               ) THEN 'value'
               WHEN checked_value IS NULL THEN 'value'
               WHEN checked_value < 0 AND NOT allows_negative THEN 'value'
               WHEN checked_value < minimum OR checked_value > maximum THEN 'value'
           END AS error
    FROM valued
)
SELECT row_number, indicator_id, area_id, period, first_day, last_day, before, comment,
       checked_value AS value, numerator_number AS numerator,
       denominator_number AS denominator,
       CASE WHEN error IS NULL AND first_row < row_number THEN 'duplicate' ELSE error END
           AS error,
       first_row, NULL::bigint AS rule_id, NULL::numeric AS previous
FROM (
    SELECT checked.*,
           min(row_number) FILTER (WHERE error IS NULL)
               OVER (PARTITION BY indicator_id, area_id, period) AS first_row
    FROM checked
) deduplicated
"""

# The indicators' validation rules (indicators/services/validation.py), on the rows that passed
# every check above: the first active rule each row breaks, by rule id. Growth compares with the
# previous period's row of the file when there is one (even a row that breaks a rule), else the
# stored value; without a previous value, or after 0, it is not judged. Growth is compared as
# (value − previous) × 100 against bound × |previous|, which is the percentage compared exactly.
MARK_BROKEN_RULES = """
UPDATE value_import_checked checked
SET error = 'rule', rule_id = broken.rule_id, previous = broken.previous
FROM (
    SELECT row.row_number, rule.id AS rule_id, previous.value AS previous
    FROM value_import_checked row
    LEFT JOIN value_import_checked in_file
      ON in_file.error IS NULL AND in_file.indicator_id = row.indicator_id
     AND in_file.area_id = row.area_id AND in_file.period = row.before
    LEFT JOIN indicators_indicatorvalue stored
      ON in_file.row_number IS NULL AND stored.indicator_id = row.indicator_id
     AND stored.area_id = row.area_id AND stored.period = row.before
    CROSS JOIN LATERAL (SELECT coalesce(in_file.value, stored.value) AS value) previous
    JOIN LATERAL (
        SELECT rule.id FROM indicators_validationrule rule
        WHERE rule.indicator_id = row.indicator_id AND rule.is_active AND (
            (rule.kind = 'range' AND (row.value < rule.lower OR row.value > rule.upper))
            OR (rule.kind = 'ratio_at_most_one' AND row.numerator > row.denominator)
            OR (rule.kind = 'growth' AND previous.value <> 0 AND (
                (row.value - previous.value) * 100 < rule.lower * abs(previous.value)
                OR (row.value - previous.value) * 100 > rule.upper * abs(previous.value)
            ))
        )
        ORDER BY rule.id
        LIMIT 1
    ) rule ON true
    WHERE row.error IS NULL AND row.indicator_id = ANY(%(ruled)s)
) broken
WHERE checked.row_number = broken.row_number
"""

# The stored values the rows that passed collide with, locked until the import ends (FOR
# UPDATE), so a reviewer cannot approve one between the check for locked values and the write.
# "same": the row would store exactly what is stored (the numbers as the column keeps them).
CREATE_STORED = """
CREATE TEMPORARY TABLE value_import_stored ON COMMIT DROP AS
SELECT checked.row_number, stored.id, stored.status, stored.value, stored.numerator,
       stored.denominator, stored.comment,
       (stored.value, stored.numerator, stored.denominator, stored.comment)
           IS NOT DISTINCT FROM
       (checked.value::numeric(24, 6), checked.numerator::numeric(24, 6),
        checked.denominator::numeric(24, 6), checked.comment) AS same
FROM value_import_checked checked
JOIN indicators_indicatorvalue stored
  ON stored.indicator_id = checked.indicator_id AND stored.area_id = checked.area_id
 AND stored.period = checked.period
WHERE checked.error IS NULL
FOR UPDATE OF stored
"""

# Every refused row with what its message needs, in row order; a row that passed every check
# but changes an approved (locked) value is refused last.
ERRORS = """
SELECT checked.row_number, coalesce(checked.error, 'locked'), row.indicator, row.area_code,
       row.period, row.value, row.numerator, row.denominator, checked.first_row,
       checked.rule_id, checked.previous, area.name
FROM value_import_checked checked
JOIN value_import_row row USING (row_number)
LEFT JOIN value_import_stored stored USING (row_number)
LEFT JOIN wards_area area ON area.id = checked.area_id
WHERE checked.error IS NOT NULL OR (stored.status = 'approved' AND NOT stored.same)
ORDER BY checked.row_number
"""


def _snapshot(table: str) -> str:
    """indicators.services.values.value_snapshot in SQL: numbers without trailing zeros."""
    return (
        f"jsonb_build_object('value', trim_scale({table}.value)::text, "
        f"'numerator', trim_scale({table}.numerator)::text, "
        f"'denominator', trim_scale({table}.denominator)::text, "
        f"'status', {table}.status, 'comment', {table}.comment)"
    )


# The write, once every row passed: new values inserted, changed ones updated (never an approved
# one: the condition stays as a guard although such rows were refused above), identical ones
# left alone, and an `imported` audit event for each value written, its "before" read from the
# locked rows. The sub-statements share one snapshot, so the events are built from RETURNING.
WRITE = f"""
WITH written AS (
    INSERT INTO indicators_indicatorvalue AS stored
        (indicator_id, area_id, period, period_start, period_end, value, numerator,
         denominator, status, comment, updated_at)
    SELECT indicator_id, area_id, period, first_day, last_day, value, numerator, denominator,
           'submitted', comment, %(now)s
    FROM value_import_checked
    ORDER BY row_number
    ON CONFLICT (indicator_id, area_id, period) DO UPDATE
    SET value = excluded.value, numerator = excluded.numerator,
        denominator = excluded.denominator, comment = excluded.comment,
        status = excluded.status, updated_at = excluded.updated_at
    WHERE stored.status <> 'approved'
      AND (stored.value, stored.numerator, stored.denominator, stored.comment)
          IS DISTINCT FROM
          (excluded.value, excluded.numerator, excluded.denominator, excluded.comment)
    RETURNING stored.id, stored.value, stored.numerator, stored.denominator, stored.comment,
              stored.status
),
events AS (
    INSERT INTO indicators_indicatorvalueevent
        (value_id, action, actor_id, at, from_status, to_status, before, after, note)
    SELECT written.id, 'imported', NULL, %(now)s, coalesce(before.status, ''), written.status,
           CASE WHEN before.id IS NOT NULL THEN {_snapshot("before")} END,
           {_snapshot("written")}, ''
    FROM written
    LEFT JOIN value_import_stored before ON before.id = written.id
    RETURNING before IS NULL AS created
)
SELECT count(*) FILTER (WHERE created), count(*) FILTER (WHERE NOT created),
       (SELECT count(*) FROM value_import_stored WHERE same)
FROM events
"""

DROP = "DROP TABLE value_import_stored, value_import_checked, value_import_row"
