"""The facts of the demo territory (fixtures/geo/): units, agencies and routing rules read from
their CSV files, and the real boundaries of 2025 read from GeoJSON, checked before any use.

`wards/demo_boundaries.py` plans the boundaries from them and `wards/demo_territory.py` loads them.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from django.conf import settings
from django.utils.translation import gettext as _
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from geoapp.exceptions import InvalidInput
from wards.models import AgencyKind, AreaLevel, AreaType

FIXTURES_DIRECTORY: Path = settings.BASE_DIR / "fixtures" / "geo"
DEFAULT_UNITS_CSV = FIXTURES_DIRECTORY / "units.csv"
DEFAULT_COMMUNE_BOUNDARIES = FIXTURES_DIRECTORY / "qn2025_wards_province_96.geojson"
DEFAULT_AGENCIES_CSV = FIXTURES_DIRECTORY / "agencies.csv"
DEFAULT_ROUTING_RULES_CSV = FIXTURES_DIRECTORY / "routing_rules.csv"

REFORM_DAY = datetime.date(2025, 7, 1)

UNIT_COLUMNS = (
    "code",
    "name",
    "type",
    "level",
    "parent_code",
    "valid_from",
    "valid_to",
    "successor_code",
    "centre_lat",
    "centre_lon",
)
AGENCY_COLUMNS = (
    "code",
    "name",
    "name_en",
    "kind",
    "parent_code",
    "jurisdiction",
    "email",
    "phone",
    "address",
)
ROUTING_RULE_COLUMNS = ("category_code", "area_code", "area_valid_from", "agency_code", "note")

AreaKey = tuple[str, datetime.date]  # (code, valid_from): what identifies an area


@dataclass(frozen=True)
class UnitFact:
    """One row of units.csv: an administrative unit during one validity period."""

    code: str
    name: str
    area_type: str
    level: str
    parent_code: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    successor_code: str
    centre: tuple[float, float] | None  # (longitude, latitude) in WGS 84

    @property
    def key(self) -> AreaKey:
        return (self.code, self.valid_from)

    @property
    def succession_day(self) -> datetime.date | None:
        """The day the successor takes over: the day after this unit's last day."""
        if not self.successor_code or self.valid_to is None:
            return None
        return self.valid_to + datetime.timedelta(days=1)

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class AgencyFact:
    """One row of agencies.csv; jurisdiction lists areas as (code, valid_from)."""

    code: str
    name: str
    name_en: str
    kind: str
    parent_code: str
    jurisdiction: tuple[AreaKey, ...]
    email: str
    phone: str
    address: str


@dataclass(frozen=True)
class RoutingRuleFact:
    category_code: str
    area: AreaKey
    agency_code: str
    note: str


# --- reading the fixtures -----------------------------------------------------------------------


def _csv_rows(*, path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """The rows of a UTF-8 CSV with their line numbers, after checking its header."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            reader = csv.DictReader(file)
            missing = [column for column in columns if column not in (reader.fieldnames or [])]
            if missing:
                raise InvalidInput(
                    _("Tệp %(path)s thiếu cột: %(columns)s.")
                    % {"path": path, "columns": ", ".join(missing)}
                )
            return [
                (reader.line_num, {key: (value or "").strip() for key, value in row.items()})
                for row in reader
            ]
    except FileNotFoundError:
        raise InvalidInput(_("Không tìm thấy tệp %(path)s.") % {"path": path}) from None


def _parse_day(text: str, *, path: Path, line: int) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("Tệp %(path)s, dòng %(line)s: ngày “%(text)s” không đúng dạng YYYY-MM-DD.")
            % {"path": path, "line": line, "text": text}
        ) from None


def _parse_area_key(text: str, *, path: Path, line: int) -> AreaKey:
    """`51@2025-07-01`: an area named by its code and the first day of its validity."""
    code, separator, day = text.partition("@")
    if not separator or not code:
        raise InvalidInput(
            _("Tệp %(path)s, dòng %(line)s: “%(text)s” phải có dạng mã@YYYY-MM-DD.")
            % {"path": path, "line": line, "text": text}
        )
    return (code, _parse_day(day, path=path, line=line))


def unit_facts_read(*, path: Path) -> list[UnitFact]:
    facts = []
    for line, row in _csv_rows(path=path, columns=UNIT_COLUMNS):
        if row["level"] not in AreaLevel.values:
            raise InvalidInput(
                _("Tệp %(path)s, dòng %(line)s: cấp “%(level)s” không hợp lệ.")
                % {"path": path, "line": line, "level": row["level"]}
            )
        if row["type"] not in AreaType.values:
            raise InvalidInput(
                _("Tệp %(path)s, dòng %(line)s: loại đơn vị “%(type)s” không hợp lệ.")
                % {"path": path, "line": line, "type": row["type"]}
            )
        centre = None
        if row["centre_lat"] and row["centre_lon"]:
            try:
                centre = (float(row["centre_lon"]), float(row["centre_lat"]))
            except ValueError:
                raise InvalidInput(
                    _("Tệp %(path)s, dòng %(line)s: tọa độ trung tâm không phải là số.")
                    % {"path": path, "line": line}
                ) from None
        facts.append(
            UnitFact(
                code=row["code"],
                name=row["name"],
                area_type=row["type"],
                level=row["level"],
                parent_code=row["parent_code"],
                valid_from=_parse_day(row["valid_from"], path=path, line=line),
                valid_to=(
                    _parse_day(row["valid_to"], path=path, line=line) if row["valid_to"] else None
                ),
                successor_code=row["successor_code"],
                centre=centre,
            )
        )
    return facts


def agency_facts_read(*, path: Path) -> list[AgencyFact]:
    facts = []
    for line, row in _csv_rows(path=path, columns=AGENCY_COLUMNS):
        if row["kind"] not in AgencyKind.values:
            raise InvalidInput(
                _("Tệp %(path)s, dòng %(line)s: loại đơn vị “%(kind)s” không hợp lệ.")
                % {"path": path, "line": line, "kind": row["kind"]}
            )
        facts.append(
            AgencyFact(
                code=row["code"],
                name=row["name"],
                name_en=row["name_en"],
                kind=row["kind"],
                parent_code=row["parent_code"],
                jurisdiction=tuple(
                    _parse_area_key(token, path=path, line=line)
                    for token in row["jurisdiction"].split()
                ),
                email=row["email"],
                phone=row["phone"],
                address=row["address"],
            )
        )
    return facts


def routing_rule_facts_read(*, path: Path) -> list[RoutingRuleFact]:
    return [
        RoutingRuleFact(
            category_code=row["category_code"],
            area=(row["area_code"], _parse_day(row["area_valid_from"], path=path, line=line)),
            agency_code=row["agency_code"],
            note=row["note"],
        )
        for line, row in _csv_rows(path=path, columns=ROUTING_RULE_COLUMNS)
    ]


def geojson_features(path: Path) -> list[dict[str, Any]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(_("Không tìm thấy tệp %(path)s.") % {"path": path}) from None
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput(
            _("Tệp %(path)s không phải là GeoJSON hợp lệ.") % {"path": path}
        ) from None
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list):
        raise InvalidInput(_("Tệp %(path)s không phải là GeoJSON hợp lệ.") % {"path": path})
    return features


def commune_boundaries_read(*, path: Path) -> dict[str, BaseGeometry]:
    """The boundary of each feature of a GeoJSON file in WGS 84, by its `code` property.

    Only what the plan needs; the file is checked in full, and stored, by the import core.
    """
    boundaries = {}
    for feature in geojson_features(path):
        code = str((feature.get("properties") or {}).get("code") or "").strip()
        geometry = shape(feature["geometry"]) if feature.get("geometry") else None
        if not code or geometry is None or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            raise InvalidInput(_("Tệp %(path)s không phải là GeoJSON hợp lệ.") % {"path": path})
        boundaries[code] = geometry if geometry.is_valid else shapely.make_valid(geometry)
    return boundaries


# --- following the facts ----------------------------------------------------------------------


def fact_valid_on(facts: Iterable[UnitFact], *, code: str, day: datetime.date) -> UnitFact:
    for fact in facts:
        if fact.code == code and fact.is_valid_on(day):
            return fact
    raise InvalidInput(
        _("Không có đơn vị mã %(code)s còn hiệu lực vào ngày %(date)s trong danh sách đơn vị.")
        % {"code": code, "date": day.strftime("%d/%m/%Y")}
    )


def successor_fact(facts: list[UnitFact], fact: UnitFact) -> UnitFact | None:
    day = fact.succession_day
    if day is None:
        return None
    return fact_valid_on(facts, code=fact.successor_code, day=day)


def parent_fact(facts: list[UnitFact], fact: UnitFact) -> UnitFact | None:
    if not fact.parent_code:
        return None
    return fact_valid_on(facts, code=fact.parent_code, day=fact.valid_from)


def current_successor(facts: list[UnitFact], fact: UnitFact) -> UnitFact:
    """The unit valid from the reform that `fact` ended up in, following its successions."""
    unit = fact
    for _step in range(len(facts)):
        if unit.valid_from >= REFORM_DAY:
            return unit
        successor = successor_fact(facts, unit)
        if successor is None:
            break
        unit = successor
    raise InvalidInput(
        _("%(name)s (%(code)s) không có đơn vị kế thừa từ ngày 01/07/2025.")
        % {"name": fact.name, "code": fact.code}
    )
