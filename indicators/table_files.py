"""Reading the rows of an import file, CSV (UTF-8, with or without BOM) or XLSX, the same way
for the catalogue and the values: a header that must hold the expected columns, then rows
numbered as a spreadsheet numbers them (the header is row 1), so errors name the row a person
sees."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput

TableRow = tuple[int, dict[str, str]]


def table_rows(*, path: Path, columns: Sequence[str]) -> list[TableRow]:
    """The rows of the CSV or XLSX file at `path`, each cell as text, keyed by the header."""
    header, records = _header_and_records(path=path, columns=columns)
    rows = []
    for number, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue  # blank lines at the end of a spreadsheet are not rows
        padded = list(record) + [""] * (len(header) - len(record))
        rows.append((number, {name: padded[index].strip() for index, name in enumerate(header)}))
    return rows


def table_cells(*, path: Path, columns: Sequence[str]) -> list[tuple[object, ...]]:
    """The rows of the file as tuples: the row number, then the cells of `columns` in that order
    (stripped text, "" when missing). The same rows as `table_rows`, without a dictionary per
    row, for the imports that hand whole files to PostgreSQL (COPY)."""
    header, records = _header_and_records(path=path, columns=columns)
    # The last column of a name the header repeats, as table_rows' dictionary keeps it.
    positions = [len(header) - 1 - header[::-1].index(column) for column in columns]
    width = max(positions) + 1
    rows: list[tuple[object, ...]] = []
    for number, record in enumerate(records, start=2):
        if len(record) < width:
            record = list(record) + [""] * (width - len(record))
        cells = [record[position].strip() for position in positions]
        if not any(cells) and not any(cell.strip() for cell in record):
            continue  # blank lines at the end of a spreadsheet are not rows
        rows.append((number, *cells))
    return rows


def _header_and_records(*, path: Path, columns: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """The file's header (checked to hold `columns`) and its records after it."""
    if not path.exists():
        raise InvalidInput(_("Không tìm thấy tệp %(path)s.") % {"path": path}, code="missing_file")
    if path.suffix.lower() == ".xlsx":
        records = list(_xlsx_records(path))
    else:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(
                _("Tệp %(path)s không phải văn bản UTF-8; hãy lưu lại dưới dạng CSV UTF-8.")
                % {"path": path.name},
                code="invalid_encoding",
            ) from None
        records = list(csv.reader(io.StringIO(text)))
    if not records:
        raise InvalidInput(_("Tệp %(path)s trống.") % {"path": path.name}, code="empty_file")
    header = [cell.strip() for cell in records[0]]
    missing = [column for column in columns if column not in header]
    if missing:
        raise InvalidInput(
            _("Tệp thiếu cột: %(columns)s. Dòng tiêu đề phải là: %(header)s.")
            % {"columns": ", ".join(missing), "header": ",".join(columns)},
            code="missing_columns",
        )
    return header, records[1:]


def _xlsx_records(path: Path) -> Iterator[list[str]]:
    # openpyxl is imported here: only XLSX imports and templates pay for loading it.
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several unrelated types for a file that is not XLSX
        raise InvalidInput(
            _("Tệp %(path)s không phải tệp XLSX hợp lệ.") % {"path": path.name},
            code="invalid_xlsx",
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell_text(cell) for cell in row]
    finally:
        workbook.close()


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # Excel stores 2024 as 2024.0
    if isinstance(cell, datetime.datetime):
        return cell.strftime("%Y-%m")  # a period typed as a date in Excel: its month
    if isinstance(cell, Decimal | int | float):
        return str(cell)
    return str(cell)
