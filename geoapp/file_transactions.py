"""Files written inside a database transaction that go away when the transaction rolls back.

A photo is written to storage before the row that points to it is inserted: the row needs the
file's name. When the transaction then rolls back (a later check refuses the report, the database
fails, a test ends), the row is gone but the file stays, unreachable, holding a citizen's photo.
Writing the file after the commit instead would leave, after a crash between the two, a committed
row pointing to no file; so the file is written first and recorded with the transaction.

Django has `transaction.on_commit` but nothing runs on rollback. The hooks live in the project's
database backend (`geoapp.database`), the one place that sees every rollback: a savepoint rolled
back by an inner `atomic` block, the whole transaction rolled back by the outermost one, and the
connection closed while a transaction was open (the server rolls it back). A file is recorded with
the savepoints open when it was written, exactly as Django records its on-commit callbacks: rolling
back a savepoint deletes the files written since that savepoint and only those; a commit forgets
the records and keeps the files. The test runner's transactions are atomic blocks like any other,
so the files of a test's committed-looking filing go away with the test's rollback.

Outside any transaction (autocommit) a file is kept at once: there is nothing to roll back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import File
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields.files import FieldFile

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WrittenFile:
    """A file written inside a transaction, with the savepoints that were open at the time."""

    storage: Storage
    name: str
    # The file's absolute path when the storage is the local filesystem, taken at once: the
    # storage's location follows MEDIA_ROOT, which a test may have changed back by the time the
    # transaction rolls back.
    path: Path | None
    savepoint_ids: frozenset[str | None]

    def delete(self) -> None:
        # A rollback must go on whatever one file does: a file already gone is what was wanted,
        # and any other failure is logged and left to the nightly sweep (geoapp/file_sweep.py).
        try:
            if self.path is not None:
                self.path.unlink(missing_ok=True)
            else:
                self.storage.delete(self.name)
        except Exception:
            logger.exception("A file written in a rolled-back transaction stays: %s", self.name)


class FileTransactionsMixin:
    """The database wrapper's side: what was written, and what each end of a transaction does.

    Mixed into the PostGIS DatabaseWrapper by `geoapp.database.base`; the attribute names are
    prefixed so that nothing of Django's own is shadowed.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.files_written: list[WrittenFile] = []

    def files_written_record(self, written: WrittenFile) -> None:
        self.files_written.append(written)

    def files_written_forget(self) -> None:
        self.files_written = []

    def files_written_delete(self, *, savepoint_id: str | None = None) -> None:
        """Delete the files written since `savepoint_id` (all of them with None)."""
        written = self.files_written
        if savepoint_id is None:
            doomed, kept = written, []
        else:
            doomed = [item for item in written if savepoint_id in item.savepoint_ids]
            kept = [item for item in written if savepoint_id not in item.savepoint_ids]
        self.files_written = kept
        for item in doomed:
            item.delete()


def _connection(using: str) -> BaseDatabaseWrapper:
    connection = connections[using]
    if not isinstance(connection, FileTransactionsMixin):
        # Without the hooks a rolled-back file would silently stay: refuse instead.
        raise ImproperlyConfigured(
            f"Database '{using}' must use the ENGINE 'geoapp.database' to write files "
            "that go away on rollback (geoapp/file_transactions.py)."
        )
    return connection


def file_delete_on_rollback(*, storage: Storage, name: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Record that `name` was just written to `storage`: a rollback of the current transaction,
    or of a savepoint open now, deletes it. Outside a transaction this does nothing."""
    connection = _connection(using)
    if not connection.in_atomic_block and connection.get_autocommit():
        return
    try:
        path: Path | None = Path(storage.path(name))
    except NotImplementedError:
        # An object store has no local path: the file is deleted through the storage.
        path = None
    written = WrittenFile(
        storage=storage,
        name=name,
        path=path,
        savepoint_ids=frozenset(connection.savepoint_ids),
    )
    connection.files_written_record(written)  # type: ignore[attr-defined]


def file_save(*, storage: Storage, name: str, content: File, using: str = DEFAULT_DB_ALIAS) -> str:
    """Write `content` under `name` (or the free name the storage picks) and have a rollback of
    the current transaction delete it; the name written is returned."""
    saved = storage.save(name, content)
    file_delete_on_rollback(storage=storage, name=saved, using=using)
    return saved


def field_file_save(
    *, field_file: FieldFile, name: str, content: File, using: str = DEFAULT_DB_ALIAS
) -> None:
    """`FieldFile.save` without saving the row, with the written file deleted on rollback."""
    field_file.save(name, content, save=False)
    file_delete_on_rollback(storage=field_file.storage, name=field_file.name or name, using=using)
