"""Importing successions (old unit → new unit, with the share passed) from a CSV file.

Two layouts are accepted, told apart by their header row, and both become the same list of
edges before anything is checked:

- the succession table itself, one edge per row: ``predecessor_code, predecessor_valid_from,
  successor_code, successor_valid_from, effective_on[, share]``; each unit is named by its code
  and the first day of its validity, exactly as stored;
- the units table the project keeps (``code, name, type, level, parent_code, valid_from,
  valid_to, successor_code, …``, as in quang_ngai_units.csv): each row with a successor_code is
  an edge from the unit (code, valid_from) to the unit with successor_code valid on the day
  after valid_to, which is also the day the succession takes effect; an optional ``share``
  column is honoured there too.

A missing or empty share means the whole unit (1). As with boundaries, a dry run unless
committed, and all or nothing.
"""

from __future__ import annotations

import csv
import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput
from wards import services
from wards.models import Area, AreaSuccession

SUCCESSION_COLUMNS = (
    "predecessor_code",
    "predecessor_valid_from",
    "successor_code",
    "successor_valid_from",
    "effective_on",
)
UNITS_COLUMNS = ("code", "valid_from", "valid_to", "successor_code")

# AreaSuccession.share holds four decimal places.
SHARE_DECIMAL_PLACES = 4

LISTED_PROBLEMS = 20


class SuccessionImportError(InvalidInput):
    code = "succession_import_invalid"


class SuccessionFileUnreadable(SuccessionImportError):
    code = "succession_file_unreadable"


class SuccessionRowInvalid(SuccessionImportError):
    code = "succession_row_invalid"


class SuccessionAreaUnknown(SuccessionImportError):
    code = "succession_area_unknown"


class SuccessionShareOutOfRange(SuccessionImportError):
    code = "succession_share_out_of_range"


class SuccessionSharesExceedWhole(SuccessionImportError):
    code = "succession_shares_exceed_whole"


class SuccessionConflict(SuccessionImportError):
    code = "succession_conflict"


@dataclass(frozen=True)
class SuccessionEdge:
    """One row of either layout, before its units are looked up."""

    line: int  # line number in the file, the header being line 1
    predecessor_code: str
    predecessor_valid_from: datetime.date
    successor_code: str
    # The successor is the unit starting on `successor_valid_from` (succession layout) or the
    # one valid on `effective_on` (units layout).
    successor_valid_from: datetime.date | None
    effective_on: datetime.date
    share: Decimal


@dataclass(frozen=True)
class ImportedSuccession:
    predecessor: str
    successor: str
    effective_on: datetime.date
    share: Decimal

    def __str__(self) -> str:
        return _("%(predecessor)s → %(successor)s, từ %(day)s, tỷ lệ %(share)s") % {
            "predecessor": self.predecessor,
            "successor": self.successor,
            "day": self.effective_on.strftime("%d/%m/%Y"),
            "share": _format_share(self.share),
        }


@dataclass
class SuccessionImportReport:
    file_name: str
    layout: str  # "successions" or "units"
    row_count: int
    committed: bool
    added: list[ImportedSuccession] = field(default_factory=list)
    unchanged: list[ImportedSuccession] = field(default_factory=list)

    def lines(self) -> list[str]:
        layout = _("bảng kế thừa") if self.layout == "successions" else _("bảng đơn vị hành chính")
        lines = [
            _("Tệp %(file)s (%(layout)s): %(count)d dòng dữ liệu.")
            % {"file": self.file_name, "layout": layout, "count": self.row_count}
        ]
        for title, marker, successions in (
            (_("Thêm mới"), "+", self.added),
            (_("Không đổi"), "=", self.unchanged),
        ):
            lines.append(f"{title} ({len(successions)}):")
            lines.extend(f"  {marker} {succession}" for succession in successions)
        lines.append(
            _("Tổng cộng: thêm %(added)d, không đổi %(unchanged)d.")
            % {"added": len(self.added), "unchanged": len(self.unchanged)}
        )
        if not self.committed:
            lines.append(_("Chạy thử: chưa ghi gì vào cơ sở dữ liệu."))
        elif self.added:
            lines.append(_("Đã ghi vào cơ sở dữ liệu."))
        else:
            lines.append(_("Không có gì cần ghi: dữ liệu đã khớp với tệp."))
        return lines

    def render(self) -> str:
        return "\n".join(self.lines())


def successions_import(*, path: Path, commit: bool) -> SuccessionImportReport:
    """Record the successions listed in the CSV at `path`; nothing is written unless `commit`."""
    layout, row_count, edges = _read_edges(path)

    with transaction.atomic():
        resolved = _resolve(edges)
        _refuse_duplicates(resolved)
        existing = {
            (succession.predecessor_id, succession.successor_id): succession
            for succession in AreaSuccession.objects.filter(
                predecessor__in=[predecessor for _edge, predecessor, _successor in resolved]
            )
        }
        report = SuccessionImportReport(
            file_name=path.name, layout=layout, row_count=row_count, committed=commit
        )
        to_add: list[tuple[SuccessionEdge, Area, Area]] = []
        conflicts: list[str] = []
        for edge, predecessor, successor in resolved:
            imported = ImportedSuccession(
                predecessor=str(predecessor),
                successor=str(successor),
                effective_on=edge.effective_on,
                share=edge.share,
            )
            stored = existing.get((predecessor.id, successor.id))
            if stored is None:
                to_add.append((edge, predecessor, successor))
                report.added.append(imported)
            elif stored.effective_on == edge.effective_on and stored.share == edge.share:
                report.unchanged.append(imported)
            else:
                conflicts.append(
                    _(
                        "dòng %(line)d: %(predecessor)s → %(successor)s đã được ghi từ %(day)s "
                        "với tỷ lệ %(share)s"
                    )
                    % {
                        "line": edge.line,
                        "predecessor": predecessor,
                        "successor": successor,
                        "day": stored.effective_on.strftime("%d/%m/%Y"),
                        "share": _format_share(stored.share),
                    }
                )
        if conflicts:
            raise SuccessionConflict(
                _("Khác với kế thừa đã ghi: %(rows)s. Hãy sửa hoặc xoá bản ghi cũ trước.")
                % {"rows": _listed(conflicts)}
            )
        _refuse_shares_above_whole(to_add)

        if commit:
            for edge, predecessor, successor in to_add:
                services.area_succession_create(
                    predecessor=predecessor,
                    successor=successor,
                    effective_on=edge.effective_on,
                    share=edge.share,
                )
    return report


def _read_edges(path: Path) -> tuple[str, int, list[SuccessionEdge]]:
    if not path.is_file():
        raise SuccessionFileUnreadable(_("Không tìm thấy tệp %(file)s.") % {"file": path})
    try:
        # utf-8-sig: spreadsheets saved as "CSV UTF-8" start with a byte-order mark.
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [column.strip() for column in reader.fieldnames or []]
            reader.fieldnames = header
            rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as error:
        raise SuccessionFileUnreadable(
            _("Không đọc được %(file)s như một tệp CSV UTF-8 (%(reason)s).")
            % {"file": path.name, "reason": error}
        ) from None

    # A unit row without a successor yields no edge, hence the optional result.
    parse: Callable[[int, dict[str, str]], SuccessionEdge | None]
    if all(column in header for column in SUCCESSION_COLUMNS):
        layout, parse = "successions", _edge_of_succession_row
    elif all(column in header for column in UNITS_COLUMNS):
        layout, parse = "units", _edge_of_unit_row
    else:
        raise SuccessionFileUnreadable(
            _(
                "Tệp %(file)s không có đủ cột. Cần các cột %(succession)s (share tuỳ chọn), hoặc "
                "bảng đơn vị hành chính với các cột %(units)s. Các cột có trong tệp: %(found)s."
            )
            % {
                "file": path.name,
                "succession": ", ".join(SUCCESSION_COLUMNS),
                "units": ", ".join(UNITS_COLUMNS),
                "found": ", ".join(header) or _("(không có)"),
            }
        )

    edges: list[SuccessionEdge] = []
    problems: list[str] = []
    for line, row in enumerate(rows, start=2):
        cells = {key: (value or "").strip() for key, value in row.items() if key is not None}
        if not any(cells.values()):
            continue
        try:
            edge = parse(line, cells)
        except ValueError as problem:
            problems.append(_("dòng %(line)d: %(problem)s") % {"line": line, "problem": problem})
            continue
        if edge is not None:
            edges.append(edge)
    if problems:
        raise SuccessionRowInvalid(
            _("Dữ liệu không hợp lệ: %(rows)s.") % {"rows": _listed(problems)}
        )

    out_of_range = [
        _("dòng %(line)d: %(share)s") % {"line": edge.line, "share": _format_share(edge.share)}
        for edge in edges
        if not Decimal(0) < edge.share <= Decimal(1)
    ]
    if out_of_range:
        raise SuccessionShareOutOfRange(
            _("Tỷ lệ (share) phải lớn hơn 0 và không quá 1: %(rows)s.")
            % {"rows": _listed(out_of_range)}
        )
    return layout, len(rows), edges


def _edge_of_succession_row(line: int, cells: dict[str, str]) -> SuccessionEdge:
    return SuccessionEdge(
        line=line,
        predecessor_code=_required(cells, "predecessor_code"),
        predecessor_valid_from=_date(cells, "predecessor_valid_from"),
        successor_code=_required(cells, "successor_code"),
        successor_valid_from=_date(cells, "successor_valid_from"),
        effective_on=_date(cells, "effective_on"),
        share=_share(cells),
    )


def _edge_of_unit_row(line: int, cells: dict[str, str]) -> SuccessionEdge | None:
    if not cells.get("successor_code"):
        return None  # a unit that still exists, or ended without a successor
    valid_to = _date(cells, "valid_to")
    return SuccessionEdge(
        line=line,
        predecessor_code=_required(cells, "code"),
        predecessor_valid_from=_date(cells, "valid_from"),
        successor_code=cells["successor_code"],
        successor_valid_from=None,
        effective_on=valid_to + datetime.timedelta(days=1),
        share=_share(cells),
    )


def _required(cells: dict[str, str], column: str) -> str:
    value = cells.get(column, "")
    if not value:
        raise ValueError(_("thiếu %(column)s") % {"column": column})
    return value


def _date(cells: dict[str, str], column: str) -> datetime.date:
    value = _required(cells, column)
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(
            _("%(column)s “%(value)s” không phải ngày dạng YYYY-MM-DD")
            % {"column": column, "value": value}
        ) from None


def _share(cells: dict[str, str]) -> Decimal:
    text = cells.get("share", "")
    if not text:
        return Decimal(1)
    try:
        share = Decimal(text.replace(",", "."))  # a Vietnamese spreadsheet writes 0,5
    except InvalidOperation:
        raise ValueError(_("share “%(value)s” không phải là số") % {"value": text}) from None
    if not share.is_finite():
        raise ValueError(_("share “%(value)s” không phải là số") % {"value": text})
    if share != share.quantize(Decimal(1).scaleb(-SHARE_DECIMAL_PLACES)):
        raise ValueError(
            _("share “%(value)s” có quá %(places)d chữ số thập phân")
            % {"value": text, "places": SHARE_DECIMAL_PLACES}
        )
    return share


def _resolve(edges: list[SuccessionEdge]) -> list[tuple[SuccessionEdge, Area, Area]]:
    """Each edge with its stored units, refusing every edge whose units are unknown."""
    codes = {edge.predecessor_code for edge in edges} | {edge.successor_code for edge in edges}
    periods: dict[str, list[Area]] = defaultdict(list)
    for area in Area.objects.filter(code__in=codes).defer("boundary", "label_point"):
        periods[area.code].append(area)

    resolved: list[tuple[SuccessionEdge, Area, Area]] = []
    problems: list[str] = []
    for edge in edges:
        predecessor = next(
            (
                area
                for area in periods[edge.predecessor_code]
                if area.valid_from == edge.predecessor_valid_from
            ),
            None,
        )
        if edge.successor_valid_from is not None:
            successor = next(
                (
                    area
                    for area in periods[edge.successor_code]
                    if area.valid_from == edge.successor_valid_from
                ),
                None,
            )
            successor_wanted = _("mã %(code)s có hiệu lực từ %(day)s") % {
                "code": edge.successor_code,
                "day": edge.successor_valid_from.strftime("%d/%m/%Y"),
            }
        else:
            successor = next(
                (
                    area
                    for area in periods[edge.successor_code]
                    if area.is_valid_on(edge.effective_on)
                ),
                None,
            )
            successor_wanted = _("mã %(code)s còn hiệu lực ngày %(day)s") % {
                "code": edge.successor_code,
                "day": edge.effective_on.strftime("%d/%m/%Y"),
            }
        if predecessor is None:
            problems.append(
                _("dòng %(line)d: không có đơn vị cũ mã %(code)s có hiệu lực từ %(day)s")
                % {
                    "line": edge.line,
                    "code": edge.predecessor_code,
                    "day": edge.predecessor_valid_from.strftime("%d/%m/%Y"),
                }
            )
        if successor is None:
            problems.append(
                _("dòng %(line)d: không có đơn vị mới %(wanted)s")
                % {"line": edge.line, "wanted": successor_wanted}
            )
        elif not successor.is_valid_on(edge.effective_on):
            problems.append(
                _(
                    "dòng %(line)d: đơn vị mới %(successor)s chưa hoặc không còn hiệu lực ngày %(day)s"
                )
                % {
                    "line": edge.line,
                    "successor": successor,
                    "day": edge.effective_on.strftime("%d/%m/%Y"),
                }
            )
        elif predecessor is not None and predecessor.id == successor.id:
            problems.append(
                _("dòng %(line)d: %(area)s không thể kế thừa chính nó")
                % {"line": edge.line, "area": predecessor}
            )
        if predecessor is not None and successor is not None:
            resolved.append((edge, predecessor, successor))
    if problems:
        raise SuccessionAreaUnknown(
            _(
                "Không xác định được đơn vị: %(rows)s. Hãy nhập ranh giới của các đơn vị này "
                "trước, hoặc sửa mã và ngày trong tệp."
            )
            % {"rows": _listed(problems)}
        )
    return resolved


def _refuse_duplicates(resolved: list[tuple[SuccessionEdge, Area, Area]]) -> None:
    first_line: dict[tuple[int, int], int] = {}
    duplicates: list[str] = []
    for edge, predecessor, successor in resolved:
        pair = (predecessor.id, successor.id)
        if pair in first_line:
            duplicates.append(
                _("dòng %(line)d lặp lại dòng %(first)d")
                % {"line": edge.line, "first": first_line[pair]}
            )
        else:
            first_line[pair] = edge.line
    if duplicates:
        raise SuccessionConflict(
            _("Một cặp đơn vị cũ → mới chỉ được ghi một lần: %(rows)s.")
            % {"rows": _listed(duplicates)}
        )


def _refuse_shares_above_whole(to_add: list[tuple[SuccessionEdge, Area, Area]]) -> None:
    """The parts of one unit passed to its successors, already stored or new, add up to at most 1."""
    new_shares: dict[int, Decimal] = defaultdict(Decimal)
    lines: dict[int, list[int]] = defaultdict(list)
    predecessors: dict[int, Area] = {}
    for edge, predecessor, _successor in to_add:
        new_shares[predecessor.id] += edge.share
        lines[predecessor.id].append(edge.line)
        predecessors[predecessor.id] = predecessor
    stored_shares = dict(
        AreaSuccession.objects.filter(predecessor_id__in=new_shares)
        .values("predecessor_id")
        .annotate(total=Sum("share"))
        .values_list("predecessor_id", "total")
    )
    excesses = [
        _("%(area)s: tổng %(total)s (dòng %(lines)s%(stored)s)")
        % {
            "area": predecessors[predecessor_id],
            "total": _format_share(new_share + stored_shares.get(predecessor_id, Decimal(0))),
            "lines": ", ".join(str(line) for line in lines[predecessor_id]),
            "stored": _(", cộng %(share)s đã ghi")
            % {"share": _format_share(stored_shares[predecessor_id])}
            if predecessor_id in stored_shares
            else "",
        }
        for predecessor_id, new_share in new_shares.items()
        if new_share + stored_shares.get(predecessor_id, Decimal(0)) > 1
    ]
    if excesses:
        raise SuccessionSharesExceedWhole(
            _("Tổng tỷ lệ chuyển đi của một đơn vị cũ vượt quá 1: %(areas)s.")
            % {"areas": _listed(excesses)}
        )


def _format_share(share: Decimal) -> str:
    normalized = share.normalize()
    return f"{normalized:f}"


def _listed(items: list[str]) -> str:
    shown = "; ".join(items[:LISTED_PROBLEMS])
    if len(items) > LISTED_PROBLEMS:
        shown += _(" và %(count)d dòng khác") % {"count": len(items) - LISTED_PROBLEMS}
    return shown
