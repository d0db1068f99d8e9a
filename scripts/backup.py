"""Back up the database, and prove a backup restores: `pg_dump`, then restore into a fresh
database and compare it with the source.

    .venv/bin/python scripts/backup.py dump postgis://geoapp:…@host/geoapp var/backups/geoapp.dump
    .venv/bin/python scripts/backup.py verify postgis://geoapp:…@host/geoapp var/backups/geoapp.dump

`dump` writes a compressed custom-format archive (`pg_dump -Fc`: every table, PostGIS geometries
included, restorable table by table with `pg_restore`). `verify` restores the archive into a new
scratch database beside the source (its name ends in `_restore_check`), compares the row count of
every table and a checksum of the reports and their events (every column, in id order), prints
the comparison, drops the scratch database and exits non-zero on any difference. Run `verify` on a
fresh dump of a live database only while no one writes, or compare an archive with the database it
was taken from before any write. The role needs CREATEDB (the set-up gives it to `geoapp`).
docs/security.md, "Backups", has the whole procedure.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

# Tables whose every value is compared, not only the count: the records citizens depend on.
CHECKSUM_TABLES = ("incidents_incident", "incidents_incidentevent")


def _libpq_url(url: str, database: str | None = None) -> str:
    """A postgres:// URL for libpq and the client tools (Django's is postgis://)."""
    parts = urlsplit(url)
    path = f"/{database}" if database is not None else parts.path
    return urlunsplit(("postgresql", parts.netloc, path, parts.query, parts.fragment))


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def dump(url: str, archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        # No comments: the one comment is PostGIS's on its extension, which only its owner (the
        # superuser who installed it) may restore.
        [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-comments",
            # PostGIS's table of reference systems belongs to the extension, which brings it.
            "--exclude-table-data=public.spatial_ref_sys",
            f"--file={archive}",
            _libpq_url(url),
        ],
        check=True,
    )


def _table_facts(url: str) -> dict[str, tuple[int, str]]:
    """Per table of the public schema: its row count, and for CHECKSUM_TABLES an md5 of its rows."""
    facts: dict[str, tuple[int, str]] = {}
    with psycopg.connect(_libpq_url(url)) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        for table in tables:
            identifier = sql.Identifier(table)
            count = connection.execute(
                sql.SQL("SELECT count(*) FROM {}").format(identifier)
            ).fetchone()
            checksum = ""
            if table in CHECKSUM_TABLES:
                # Every column of every row, as text, in id order: any lost or altered value shows.
                row = connection.execute(
                    sql.SQL(
                        "SELECT coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t.id)), '') "
                        "FROM {} t"
                    ).format(identifier)
                ).fetchone()
                checksum = row[0] if row else ""
            facts[table] = (count[0] if count else 0, checksum)
    return facts


def verify(url: str, archive: Path) -> bool:
    scratch = f"{_database_name(url)}_restore_check"
    maintenance = _libpq_url(url, "postgres")
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
        # template1 has PostGIS already (the set-up installs it there), which a role without
        # superuser rights could not create; the archive's CREATE EXTENSION IF NOT EXISTS skips.
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE template1").format(sql.Identifier(scratch))
        )
    try:
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={_libpq_url(url, scratch)}",
                str(archive),
            ],
            check=True,
        )
        source, restored = _table_facts(url), _table_facts(_libpq_url(url, scratch))
    finally:
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch))
            )
    differences = [
        f"{table}: source {source.get(table)}, restored {restored.get(table)}"
        for table in sorted(set(source) | set(restored))
        if source.get(table) != restored.get(table)
    ]
    rows = sum(count for count, _checksum in source.values())
    print(f"{len(source)} tables, {rows} rows compared; reports checked value by value.")
    for line in differences:
        print(f"DIFFERENT {line}")
    print("restore verified: identical" if not differences else "restore differs")
    return not differences


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["dump", "verify"])
    parser.add_argument("database_url", help="postgis://user:password@host:port/name")
    parser.add_argument("archive", type=Path)
    arguments = parser.parse_args()
    if arguments.action == "dump":
        dump(arguments.database_url, arguments.archive)
        return
    sys.exit(0 if verify(arguments.database_url, arguments.archive) else 1)


if __name__ == "__main__":
    main()
