"""Files written inside a transaction go away when it, or the savepoint they were written in,
rolls back; a commit keeps them (geoapp/file_transactions.py, hooks in geoapp/database/base.py).

The real storage, in a temporary MEDIA_ROOT; the listings are of the whole folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from pytest_django import Settings

from geoapp.file_transactions import file_save


class Refused(Exception):
    """What a service raises when a later check fails, after the files were written."""


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    return root


def stored(root: Path) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def write(name: str) -> str:
    return file_save(storage=default_storage, name=name, content=ContentFile(name.encode()))


def test_a_rolled_back_block_deletes_the_files_it_wrote(db: None, media: Path) -> None:
    write("kept/before.txt")

    with pytest.raises(Refused), transaction.atomic():
        write("photos/a.jpg")
        write("photos/b.jpg")
        assert stored(media) == ["kept/before.txt", "photos/a.jpg", "photos/b.jpg"]
        raise Refused

    assert stored(media) == ["kept/before.txt"]


def test_a_nested_savepoint_rollback_removes_only_its_own_files(db: None, media: Path) -> None:
    with transaction.atomic():
        write("outer/first.txt")
        with pytest.raises(Refused), transaction.atomic():
            write("inner/doomed.txt")
            with transaction.atomic():
                # Released into the failing block: goes with it.
                write("inner/deeper.txt")
            raise Refused
        write("outer/second.txt")
        assert stored(media) == ["outer/first.txt", "outer/second.txt"]

    assert stored(media) == ["outer/first.txt", "outer/second.txt"]


def test_a_block_marked_for_rollback_deletes_its_files_on_leaving(db: None, media: Path) -> None:
    with transaction.atomic():
        write("kept.txt")
        with transaction.atomic():
            write("marked.txt")
            transaction.set_rollback(True)
        assert stored(media) == ["kept.txt"]


def test_a_block_without_savepoint_leaves_its_files_to_the_enclosing_rollback(
    db: None, media: Path
) -> None:
    with pytest.raises(Refused), transaction.atomic():
        write("outer.txt")
        try:
            with transaction.atomic(savepoint=False):
                write("no-savepoint.txt")
                raise Refused
        except Refused:
            # No savepoint to go back to: nothing is deleted until the enclosing block rolls
            # back, as Django then must.
            assert stored(media) == ["no-savepoint.txt", "outer.txt"]
            raise

    assert stored(media) == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_keeps_its_files_and_forgets_them(media: Path) -> None:
    with transaction.atomic():
        write("committed.txt")

    assert stored(media) == ["committed.txt"]
    assert connection.files_written == []  # type: ignore[attr-defined]

    # A later rollback on the same connection does not reach back into the committed work.
    with pytest.raises(Refused), transaction.atomic():
        write("later.txt")
        raise Refused
    assert stored(media) == ["committed.txt"]


@pytest.mark.django_db(transaction=True)
def test_the_outermost_rollback_deletes_every_file_of_the_transaction(media: Path) -> None:
    with pytest.raises(Refused), transaction.atomic():
        write("a.txt")
        with transaction.atomic():
            write("nested/b.txt")
        raise Refused

    assert stored(media) == []
    assert connection.files_written == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
def test_a_connection_closed_inside_a_transaction_deletes_its_files(media: Path) -> None:
    with transaction.atomic():
        write("lost.txt")
        # The server rolls back a transaction whose connection goes away.
        connection.close()
        assert stored(media) == []


@pytest.mark.django_db(transaction=True)
def test_outside_any_transaction_a_file_is_kept_at_once(media: Path) -> None:
    write("autocommit.txt")

    assert connection.files_written == []  # type: ignore[attr-defined]
    with pytest.raises(Refused), transaction.atomic():
        raise Refused
    assert stored(media) == ["autocommit.txt"]


def test_a_file_gone_before_the_rollback_does_not_stop_the_others(db: None, media: Path) -> None:
    with pytest.raises(Refused), transaction.atomic():
        write("first.txt")
        write("second.txt")
        (media / "first.txt").unlink()
        raise Refused

    assert stored(media) == []


def test_the_file_is_deleted_where_it_was_written_even_if_media_root_changes(
    db: None, settings: Settings, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    settings.MEDIA_ROOT = str(first)
    (second / "photo.jpg").parent.mkdir(parents=True)
    (second / "photo.jpg").write_bytes(b"another folder's file of the same name")

    with pytest.raises(Refused), transaction.atomic():
        write("photo.jpg")
        settings.MEDIA_ROOT = str(second)
        raise Refused

    assert stored(first) == []
    assert stored(second) == ["photo.jpg"]
