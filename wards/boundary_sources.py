"""What a boundary file may be before GDAL opens it (issue 8, finding 5: hostile boundary files).

GDAL opens far more than the three formats the import is for, choosing the driver from the
content: a VRT file (whatever its name) reads any local path or URL it names, and a zip is
inflated by GDAL as far as its members claim. So a file reaches GDAL only when its name and its
first bytes say it is GeoJSON, a GeoPackage or a Shapefile, and under BOUNDARY_FILE_MAX_BYTES; a
zip is unpacked here, member by member, refusing unsafe names, anything but a Shapefile's parts,
and more than BOUNDARY_FILE_MAX_BYTES inflated, and GDAL reads the Shapefile unpacked on disk.
"""

from __future__ import annotations

import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput

GEOJSON_SUFFIXES = (".geojson", ".json")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
# Documentation that official archives carry beside the layer: skipped, never unpacked.
SKIPPED_IN_ZIP = (".txt", ".pdf", ".xml", ".qix", ".sbn", ".sbx")
ZIP_MAX_MEMBERS = 50
_SIGNATURES = {
    ".gpkg": b"SQLite format 3\x00",
    ".shp": b"\x00\x00\x27\x0a",
    ".zip": b"PK\x03\x04",
}


class BoundarySourceRefused(InvalidInput):
    code = "boundary_file_unreadable"


class BoundaryFileTooLarge(BoundarySourceRefused):
    code = "boundary_file_too_large"


class BoundaryFileUnsafe(BoundarySourceRefused):
    code = "boundary_file_unsafe"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f}".removesuffix(".0")


def _unreadable(path: Path, reason: str) -> BoundarySourceRefused:
    return BoundarySourceRefused(
        _(
            "Không đọc được %(file)s như một tệp dữ liệu địa lý (%(reason)s). Hãy dùng "
            "GeoJSON (.geojson), Shapefile (.shp, hoặc nén .zip kèm .shx, .dbf, .prj) "
            "hoặc GeoPackage (.gpkg)."
        )
        % {"file": path.name, "reason": reason}
    )


def _check_signature(path: Path) -> None:
    suffix = path.suffix.lower()
    with path.open("rb") as file:
        head = file.read(1024)
    if suffix in GEOJSON_SUFFIXES:
        if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            raise _unreadable(path, _("nội dung không phải GeoJSON"))
    elif suffix in _SIGNATURES:
        if not head.startswith(_SIGNATURES[suffix]):
            raise _unreadable(
                path, _("nội dung không đúng định dạng %(suffix)s") % {"suffix": suffix}
            )
    else:
        raise _unreadable(
            path, _("định dạng %(suffix)s không được nhận") % {"suffix": suffix or "?"}
        )


def refuse_virtual_path(path: Path) -> None:
    if str(path).startswith("/vsi"):
        raise BoundaryFileUnsafe(
            _("Không nhận đường dẫn ảo của GDAL (/vsi…): hãy chỉ đến một tệp trên đĩa.")
        )


@contextmanager
def boundary_source(path: Path) -> Iterator[Path]:
    """The path GDAL may open for `path`, checked (and for a zip, unpacked); raises
    BoundarySourceRefused with a clear sentence otherwise."""
    refuse_virtual_path(path)
    limit = settings.BOUNDARY_FILE_MAX_BYTES
    size = path.stat().st_size
    if size > limit:
        raise BoundaryFileTooLarge(
            _("Tệp %(file)s quá lớn (%(size)s MB): tối đa %(limit)s MB.")
            % {"file": path.name, "size": _megabytes(size), "limit": _megabytes(limit)}
        )
    _check_signature(path)
    if path.suffix.lower() != ".zip":
        yield path
        return
    directory = Path(tempfile.mkdtemp(prefix="boundary-zip-"))
    try:
        yield _unpacked(path, directory, limit=limit)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _unpacked(path: Path, directory: Path, *, limit: int) -> Path:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _unreadable(path, _("tệp nén bị hỏng")) from None
    with archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise BoundaryFileUnsafe(
                _("Tệp nén %(file)s có quá nhiều tệp: tối đa %(limit)d.")
                % {"file": path.name, "limit": ZIP_MAX_MEMBERS}
            )
        wanted = [member for member in members if _wanted(path, member)]
        shapefiles = [member for member in wanted if member.filename.lower().endswith(".shp")]
        if len(shapefiles) != 1:
            raise _unreadable(
                path,
                _("tệp nén phải chứa đúng một Shapefile .shp, có %(count)d")
                % {"count": len(shapefiles)},
            )
        written = 0
        too_large = BoundaryFileTooLarge(
            _("Tệp nén %(file)s giải nén ra quá lớn: tối đa %(limit)s MB.")
            % {"file": path.name, "limit": _megabytes(limit)}
        )
        for member in wanted:
            # Declared sizes may lie; the bytes actually inflated are counted as they come.
            if written + member.file_size > limit:
                raise too_large
            target = directory / PurePosixPath(member.filename).name
            try:
                with archive.open(member) as source, target.open("wb") as copy:
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        if written > limit:
                            raise too_large
                        copy.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                raise _unreadable(path, _("tệp nén bị hỏng")) from None
        shapefile = directory / PurePosixPath(shapefiles[0].filename).name
    _check_signature(shapefile)
    return shapefile


def _wanted(path: Path, member: zipfile.ZipInfo) -> bool:
    """Whether `member` is a Shapefile part to unpack; refuses what no boundary zip holds."""
    name = member.filename
    parts = PurePosixPath(name.replace("\\", "/")).parts
    is_link = stat.S_ISLNK(member.external_attr >> 16)
    if name.startswith(("/", "\\")) or ".." in parts or ":" in name or is_link:
        raise BoundaryFileUnsafe(
            _("Tệp nén %(file)s chứa đường dẫn không an toàn “%(name)s”.")
            % {"file": path.name, "name": name}
        )
    if member.is_dir():
        return False
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in SKIPPED_IN_ZIP:
        return False
    if suffix not in SHAPEFILE_PARTS:
        raise BoundaryFileUnsafe(
            _(
                "Tệp nén %(file)s chứa %(name)s: trong tệp nén chỉ nhận các phần của một "
                "Shapefile (.shp, .shx, .dbf, .prj, .cpg)."
            )
            % {"file": path.name, "name": name}
        )
    return True
