"""PostGIS's DatabaseWrapper, told when a transaction or a savepoint ends.

Every rollback and commit Django performs goes through these methods (atomic blocks, the test
runner's transactions, manual transaction management), which is why the on-rollback hooks of
geoapp/file_transactions.py live here and not in a wrapper around `transaction.atomic`, which the
services and Django's own code would bypass.
"""

from __future__ import annotations

from django.contrib.gis.db.backends.postgis.base import (
    DatabaseWrapper as PostGISDatabaseWrapper,
)

from geoapp.file_transactions import FileTransactionsMixin


class DatabaseWrapper(FileTransactionsMixin, PostGISDatabaseWrapper):
    def commit(self) -> None:
        super().commit()
        # Committed: the rows point to the files, which stay.
        self.files_written_forget()

    def rollback(self) -> None:
        # Deleted only once rolled back: when the rollback itself fails, Django closes the
        # connection next (the server rolls the transaction back) and close() deletes them.
        super().rollback()
        self.files_written_delete()

    def savepoint_rollback(self, sid: str) -> None:
        super().savepoint_rollback(sid)
        self.files_written_delete(savepoint_id=sid)

    def close(self) -> None:
        # A connection closed with a transaction open is rolled back by the server; a connection
        # closed outside one has nothing recorded (a commit or rollback emptied the list).
        super().close()
        self.files_written_delete()
