"""The nightly sweep of stored files that no row points to any more.

A rollback deletes the files its transaction wrote (geoapp/file_transactions.py), but some are
left all the same: a process killed between writing a photo and committing its report, a row
deleted without its files, a boundary file uploaded for a preview that the administrator never
confirmed. Once older than FILES_SWEEP_GRACE_HOURS, such files are removed here.

Each app declares what it stores (a FileSweeper: its directories under the storage, and which of
a list of names its rows point to) and names the declaration in the FILES_SWEEPERS setting, so
geoapp, at the bottom of the layers, finds the apps' declarations by dotted path and imports none
of them. Only the declared directories are ever looked at: a file elsewhere under MEDIA_ROOT is
never touched.

The grace period is what makes the sweep safe while the site is in use: a file written a moment
ago by a transaction that has not committed yet has no row pointing to it either.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput

logger = logging.getLogger(__name__)

# Names asked about in one query: a list of this many file names is a few hundred kilobytes of
# parameters, well within what PostgreSQL takes at once.
REFERENCE_QUERY_CHUNK: Final = 1000
# A week is the longest sensible grace; beyond a year is a typing mistake.
GRACE_HOURS_MAX: Final = 24 * 366


@dataclass(frozen=True)
class FileSweeper:
    """What one app stores, and how to tell which of it is still wanted.

    `referenced` receives names as the storage spells them ("incidents/photos/2026/12/a.jpg") and
    returns those that a row points to; a sweeper whose files no row ever points to (previews
    kept between two requests) returns nothing, so all its files older than the grace go.
    `prune_empty_directories` removes, on the local filesystem, the directories left empty under
    `directories` once older than the grace (a preview is stored in a folder of its own).
    """

    name: str
    directories: tuple[str, ...]
    referenced: Callable[[Sequence[str]], AbstractSet[str]]
    prune_empty_directories: bool = False


@dataclass(frozen=True)
class SweptFile:
    sweeper: str
    name: str
    size: int
    modified_at: datetime


@dataclass(frozen=True)
class SweepReport:
    files: tuple[SweptFile, ...]
    dry_run: bool
    grace_hours: int
    directories_removed: int = 0

    @property
    def count(self) -> int:
        return len(self.files)

    @property
    def bytes(self) -> int:
        return sum(swept.size for swept in self.files)

    def lines(self) -> list[str]:
        """What was removed (or would be), one line per file, then the totals per sweeper."""
        lines = [f"{swept.name}\t{swept.size}" for swept in self.files]
        by_sweeper: dict[str, list[SweptFile]] = {}
        for swept in self.files:
            by_sweeper.setdefault(swept.sweeper, []).append(swept)
        for sweeper, files in sorted(by_sweeper.items()):
            lines.append(
                _("%(sweeper)s: %(count)d tệp, %(bytes)d byte.")
                % {"sweeper": sweeper, "count": len(files), "bytes": sum(f.size for f in files)}
            )
        total = {"count": self.count, "bytes": self.bytes, "hours": self.grace_hours}
        if self.dry_run:
            lines.append(
                _(
                    "Chạy thử: sẽ xoá %(count)d tệp (%(bytes)d byte) không còn dòng dữ liệu nào trỏ "
                    "tới, cũ hơn %(hours)d giờ. Chưa xoá gì."
                )
                % total
            )
        else:
            lines.append(
                _(
                    "Đã xoá %(count)d tệp (%(bytes)d byte) không còn dòng dữ liệu nào trỏ tới, cũ "
                    "hơn %(hours)d giờ."
                )
                % total
            )
        return lines


def file_sweepers() -> list[FileSweeper]:
    """The apps' declarations named in FILES_SWEEPERS."""
    return [import_string(path) for path in settings.FILES_SWEEPERS]


def grace_hours_default() -> int:
    return int(settings.FILES_SWEEP_GRACE_HOURS)


def _grace_hours_check(grace_hours: object) -> int:
    if (
        isinstance(grace_hours, bool)
        or not isinstance(grace_hours, int)
        or not 0 <= grace_hours <= GRACE_HOURS_MAX
    ):
        raise InvalidInput(
            _("Thời gian chờ phải là số giờ nguyên từ 0 đến %(limit)d.")
            % {"limit": GRACE_HOURS_MAX},
            code="invalid_grace_hours",
        )
    return grace_hours


def _stored_names(storage: Storage, directory: str) -> Iterator[str]:
    """Every file under `directory`, by the name the storage gives it, depth first."""
    if not storage.exists(directory):
        return
    subdirectories, files = storage.listdir(directory)
    for file_name in sorted(files):
        yield f"{directory}/{file_name}"
    for subdirectory in sorted(subdirectories):
        yield from _stored_names(storage, f"{directory}/{subdirectory}")


def _chunks(names: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(names), REFERENCE_QUERY_CHUNK):
        yield names[start : start + REFERENCE_QUERY_CHUNK]


def _referenced(sweeper: FileSweeper, names: Sequence[str]) -> set[str]:
    referenced: set[str] = set()
    for chunk in _chunks(names):
        referenced |= set(sweeper.referenced(chunk))
    return referenced


def files_unreferenced_find(
    *, now: datetime, grace_hours: int | None = None, storage: Storage | None = None
) -> list[SweptFile]:
    """The files of every declared sweeper that no row points to and that were last modified
    more than `grace_hours` before `now`, in the order of the sweepers then of the names."""
    storage = storage or default_storage
    hours = _grace_hours_check(grace_hours_default() if grace_hours is None else grace_hours)
    cutoff = now - timedelta(hours=hours)
    found: list[SweptFile] = []
    for sweeper in file_sweepers():
        old: list[tuple[str, datetime]] = []
        for directory in sweeper.directories:
            for name in _stored_names(storage, directory):
                modified_at = storage.get_modified_time(name)
                if modified_at < cutoff:
                    old.append((name, modified_at))
        referenced = _referenced(sweeper, [name for name, _modified in old])
        found.extend(
            SweptFile(
                sweeper=sweeper.name, name=name, size=storage.size(name), modified_at=modified_at
            )
            for name, modified_at in old
            if name not in referenced
        )
    return found


def files_sweep(
    *,
    now: datetime,
    grace_hours: int | None = None,
    dry_run: bool = False,
    storage: Storage | None = None,
) -> SweepReport:
    """Remove the files `files_unreferenced_find` finds (nothing with `dry_run`)."""
    storage = storage or default_storage
    hours = _grace_hours_check(grace_hours_default() if grace_hours is None else grace_hours)
    found = files_unreferenced_find(now=now, grace_hours=hours, storage=storage)
    if dry_run:
        return SweepReport(files=tuple(found), dry_run=True, grace_hours=hours)
    sweepers = {sweeper.name: sweeper for sweeper in file_sweepers()}
    removed: list[SweptFile] = []
    for sweeper_name, sweeper in sweepers.items():
        candidates = [swept for swept in found if swept.sweeper == sweeper_name]
        # Asked again just before deleting: a row committed since the search (an import
        # confirmed at this minute) keeps its file.
        still_referenced = _referenced(sweeper, [swept.name for swept in candidates])
        for swept in candidates:
            if swept.name in still_referenced:
                continue
            storage.delete(swept.name)
            removed.append(swept)
    cutoff = now - timedelta(hours=hours)
    emptied = {str(Path(swept.name).parent) for swept in removed}
    directories_removed = sum(
        _empty_directories_prune(storage, directory, cutoff=cutoff, emptied=emptied)
        for sweeper in sweepers.values()
        if sweeper.prune_empty_directories
        for directory in sweeper.directories
    )
    report = SweepReport(
        files=tuple(removed),
        dry_run=False,
        grace_hours=hours,
        directories_removed=directories_removed,
    )
    if removed:
        logger.info("files_sweep removed %d files, %d bytes", report.count, report.bytes)
    return report


def _empty_directories_prune(
    storage: Storage, directory: str, *, cutoff: datetime, emptied: AbstractSet[str]
) -> int:
    """Remove the empty directories under `directory` (not itself) that this sweep emptied or
    that were last changed before `cutoff`; only on the local filesystem, where directories exist
    apart from the files in them.

    A young empty directory that the sweep did not empty is kept: it may be one a save has just
    created, about to receive its file."""
    try:
        root = Path(storage.path(directory))
        emptied_paths = {Path(storage.path(name)) for name in emptied}
    except NotImplementedError:
        return 0
    if not root.is_dir():
        return 0
    removed = 0
    # Bottom up, so that a directory emptied of empty directories goes too.
    for current, subdirectories, files in os.walk(root, topdown=False):
        path = Path(current)
        if path == root or files or any((path / name).exists() for name in subdirectories):
            continue
        young = datetime.fromtimestamp(path.stat().st_mtime, tz=cutoff.tzinfo) >= cutoff
        if young and path not in emptied_paths:
            continue
        try:
            path.rmdir()
        except OSError:
            # Written into since it was listed: it is in use again.
            continue
        removed += 1
    return removed
