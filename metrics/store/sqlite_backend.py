"""The embedded backend: SQLite databases and files in one folder (no server).

    files/<sha256>.xlsx     every published workbook, content-addressed
    store.sqlite3           versions, the "current" pointer, the append-only audit log
    accounts.sqlite3        staff accounts and failed sign-ins

Every connection is closed after use (``with sqlite3.connect()`` alone would only end
the transaction); write transactions are ``BEGIN IMMEDIATE`` (``sqlite_db.immediate``).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from metrics.store.backend import Connection, Rows
from metrics.store.files import write_atomically
from metrics.store.rounds_schema import SQLITE_ROUNDS_SCHEMA
from metrics.store.sqlite_db import immediate

VERSIONS_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS versions (
    id          INTEGER PRIMARY KEY,
    sha256      TEXT NOT NULL,
    file_name   TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    actor       TEXT NOT NULL,
    note        TEXT NOT NULL,
    counts      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS pointer (
    only_row    INTEGER PRIMARY KEY CHECK (only_row = 1),
    version_id  INTEGER NOT NULL REFERENCES versions(id)
);
CREATE TABLE IF NOT EXISTS audit (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    version_id  INTEGER NOT NULL REFERENCES versions(id),
    previous_id INTEGER REFERENCES versions(id),
    note        TEXT NOT NULL,
    counts      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_version ON audit(version_id, id);
CREATE TRIGGER IF NOT EXISTS audit_is_append_only_u BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_is_append_only_d BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS versions_are_kept BEFORE DELETE ON versions
BEGIN SELECT RAISE(ABORT, 'versions are never deleted'); END;
"""
    + SQLITE_ROUNDS_SCHEMA
)

ACCOUNTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name        TEXT PRIMARY KEY,
    salt        BLOB NOT NULL,
    hash        BLOB NOT NULL,
    n           INTEGER NOT NULL,
    r           INTEGER NOT NULL,
    p           INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    role        TEXT NOT NULL DEFAULT 'office',
    units       TEXT NOT NULL DEFAULT '[]',
    display_name TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS failures (
    name        TEXT PRIMARY KEY,
    count       INTEGER NOT NULL,
    last_at     REAL NOT NULL
);
"""


# Columns added to ``users`` after the first release (an older accounts.sqlite3 gains
# them on first use; accounts made before roles existed were staff: 整改办).
ACCOUNT_COLUMNS_ADDED = (
    ("role", "TEXT NOT NULL DEFAULT 'office'"),
    ("units", "TEXT NOT NULL DEFAULT '[]'"),
    ("display_name", "TEXT NOT NULL DEFAULT ''"),
)


def accounts_database(path: Path) -> SqliteDatabase:
    """``accounts.sqlite3``: created with the accounts schema, or brought up to it."""
    return SqliteDatabase(path, ACCOUNTS_SCHEMA, upgrade=upgrade_accounts)


def upgrade_accounts(db: sqlite3.Connection) -> None:
    present = {str(row[1]) for row in db.execute("PRAGMA table_info(users)").fetchall()}
    for column, declaration in ACCOUNT_COLUMNS_ADDED:
        if column not in present:
            db.execute(f"ALTER TABLE users ADD COLUMN {column} {declaration}")


class _SqliteConnection:
    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def execute(self, sql: str, params: Sequence[object] = ()) -> Rows:
        return self.db.execute(sql, tuple(params))


class SqliteDatabase:
    """One SQLite file; created with ``schema`` on first use."""

    def __init__(
        self,
        path: Path,
        schema: str,
        *,
        strict: bool = False,
        upgrade: Callable[[sqlite3.Connection], None] | None = None,
    ) -> None:
        """``upgrade`` brings an older file's tables up to ``schema`` (columns added)."""
        self.path = path
        self.strict = strict  # synchronous=FULL and foreign keys (the versions database)
        with contextlib.closing(self._connect()) as db:
            db.executescript(schema)
            if upgrade is not None:
                upgrade(db)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            if self.strict:
                db.execute("PRAGMA synchronous=FULL")
                db.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            db.close()
            raise
        return db

    @contextlib.contextmanager
    def reading(self) -> Iterator[Connection]:
        with contextlib.closing(self._connect()) as db:
            yield _SqliteConnection(db)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        with contextlib.closing(self._connect()) as db, immediate(db):
            yield _SqliteConnection(db)


class FolderFiles:
    """``files/<sha256>.xlsx``, each written atomically before it is referenced."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def path(self, sha256: str) -> Path:
        return self.folder / f"{sha256}.xlsx"

    def put(self, sha256: str, data: bytes) -> None:
        target = self.path(sha256)
        if target.exists():
            return  # content-addressed: the same bytes are already there
        write_atomically(target, data, mode=None, prefix=".incoming-")

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.folder.glob("*.xlsx"))

    def stamp(self, sha256: str) -> tuple[int, int]:
        try:
            stat = os.stat(self.path(sha256))
        except OSError:
            return (-1, -1)
        return (stat.st_size, stat.st_mtime_ns)


class SqliteBackend:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.files = FolderFiles(self.root / "files")
        self.db_path = self.root / "store.sqlite3"
        self.versions = SqliteDatabase(self.db_path, VERSIONS_SCHEMA, strict=True)
        self.accounts_path = self.root / "accounts.sqlite3"
        self._accounts: SqliteDatabase | None = None

    @property
    def accounts(self) -> SqliteDatabase:
        if self._accounts is None:  # only created when accounts are used
            self._accounts = accounts_database(self.accounts_path)
        return self._accounts

    def describe(self) -> str:
        return str(self.root)
