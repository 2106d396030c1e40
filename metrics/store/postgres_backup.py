"""Backups of a PostgreSQL store, in the same archive format as the embedded store.

The snapshot is read in one ``REPEATABLE READ READ ONLY`` transaction (the database's
own consistent snapshot, taken while others publish) and written as the embedded
store's two SQLite files (``store.sqlite3``, ``accounts.sqlite3``) plus every stored
workbook from the same snapshot. So an archive of either backend restores into either:
a restore into PostgreSQL is the migration of that snapshot (``migrate.migrate``: one
transaction into an empty database, every file's SHA-256 checked before and after).
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from metrics.store.backup import BackupError, snapshot_version_hashes
from metrics.store.migrate import MigrationError, migrate
from metrics.store.postgres_backend import PostgresBackend, check_reachable, pool_for
from metrics.store.rounds_schema import ROUND_TABLES
from metrics.store.sqlite_backend import ACCOUNTS_SCHEMA, VERSIONS_SCHEMA

_COPIED: dict[str, tuple[str, tuple[str, ...]]] = {
    # table: (archive member, columns in order)
    "versions": (
        "store.sqlite3",
        ("id", "sha256", "file_name", "created_at", "actor", "note", "counts"),
    ),
    "pointer": ("store.sqlite3", ("only_row", "version_id")),
    "audit": (
        "store.sqlite3",
        ("id", "at", "actor", "action", "version_id", "previous_id", "note", "counts"),
    ),
    "users": (
        "accounts.sqlite3",
        ("name", "salt", "hash", "n", "r", "p", "created_at", "role", "units", "display_name"),
    ),
    "failures": ("accounts.sqlite3", ("name", "count", "last_at")),
} | {table: ("store.sqlite3", columns) for table, columns in ROUND_TABLES.items()}
_SCHEMAS = {"store.sqlite3": VERSIONS_SCHEMA, "accounts.sqlite3": ACCOUNTS_SCHEMA}


class PostgresSource:
    """``backup.BackupSource`` for the database at ``url``."""

    def __init__(self, url: str) -> None:
        self.url = url
        check_reachable(url)
        self.backend = PostgresBackend(url)  # the tables, if the database is new
        self._files: dict[str, Path] = {}

    @property
    def names(self) -> tuple[str, ...]:
        return ("store.sqlite3", "accounts.sqlite3")

    @property
    def where(self) -> str:
        return self.backend.describe()

    def snapshot(self, folder: Path) -> dict[str, Path]:
        taken = {name: folder / name for name in self.names}
        files = folder / "files"
        files.mkdir()
        self._files = {}
        with (
            pool_for(self.url).connection() as conn,
            conn.transaction(),
            _sqlite_files(taken) as targets,
        ):
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            for table, (member, columns) in _COPIED.items():
                rows = conn.execute(
                    f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1".encode()
                ).fetchall()
                targets[member].executemany(
                    f"INSERT INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('?' for _ in columns)})",
                    [tuple(_plain(row[column]) for column in columns) for row in rows],
                )
            # The files of the same snapshot, one row at a time (server-side cursor).
            with conn.cursor(name="zhenggai_backup_files") as cursor:
                cursor.execute("SELECT sha256, data FROM files ORDER BY sha256")
                for row in cursor:
                    sha = str(row["sha256"])
                    path = files / f"{sha}.xlsx"
                    path.write_bytes(bytes(row["data"]))
                    self._files[sha] = path
        if not _has_versions(taken["store.sqlite3"]):
            raise BackupError(f"数据库 {self.where} 中没有版本：没有可备份的内容")
        return taken

    def version_hashes(self, snapshot: dict[str, Path]) -> list[str]:
        return snapshot_version_hashes(snapshot)

    def stored_files(self) -> list[str]:
        return sorted(self._files)

    def file_path(self, sha256: str) -> Path:
        return self._files[sha256]

    def is_empty(self) -> bool:
        with pool_for(self.url).connection() as conn:
            for table in ("versions", "users", "files"):
                row = conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table}) AS any".encode())
                found = row.fetchone()
                if found is not None and found["any"]:
                    return False
        return True

    def load(self, snapshot: dict[str, Path], files: list[Path]) -> None:
        with tempfile.TemporaryDirectory(prefix="zhenggai-restore-") as scratch:
            folder = Path(scratch)
            (folder / "files").mkdir()
            for path in files:
                shutil.copyfile(path, folder / "files" / path.name)
            for name, path in snapshot.items():
                shutil.copyfile(path, folder / name)
            try:
                migrate(folder, self.url)
            except MigrationError as exc:
                raise BackupError(str(exc)) from None


@contextlib.contextmanager
def _sqlite_files(paths: dict[str, Path]) -> Iterator[dict[str, sqlite3.Connection]]:
    """New SQLite files with the embedded store's schemas, committed on success."""
    opened: dict[str, sqlite3.Connection] = {}
    try:
        for name, path in paths.items():
            db = sqlite3.connect(path)
            opened[name] = db
            db.executescript(_SCHEMAS[name])
        yield opened
        for db in opened.values():
            db.commit()
    finally:
        for db in opened.values():
            db.close()


def _plain(value: Any) -> Any:
    return bytes(value) if isinstance(value, memoryview) else value


def _has_versions(path: Path) -> bool:
    with contextlib.closing(sqlite3.connect(path)) as db:
        (count,) = db.execute("SELECT COUNT(*) FROM versions").fetchone()
    return bool(count)
