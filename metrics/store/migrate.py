"""Copying an embedded store (folder) into an empty PostgreSQL database.

``python -m metrics store migrate --to postgresql://…`` copies the store of
``ZHENGGAI_STORE``: every version with its number, the current pointer, every audit
entry with its number, the staff accounts (and their failed sign-ins) and every stored
file. Every file's SHA-256 is checked before it is copied and again after, read back
from the database. A database that already holds anything is refused; the copy is one
transaction, so a failure leaves the database as empty as it was.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metrics.store.postgres_backend import ACCOUNTS_LOCK, VERSIONS_LOCK, PostgresBackend, pool_for
from metrics.store.rounds_schema import ROUND_TABLES
from metrics.store.sqlite_backend import SqliteBackend

_TABLES = ("versions", "pointer", "audit", "files", "users", "failures", *ROUND_TABLES)
# Accounts made before roles existed were staff (整改办).
_USER_DEFAULTS = {"role": "office", "units": "[]", "display_name": ""}


class MigrationError(Exception):
    """The copy was refused or failed; ``str(error)`` is a Chinese message."""


@dataclass(frozen=True, slots=True)
class Migrated:
    versions: int
    audit_entries: int
    accounts: int
    files: int
    current: int | None


def migrate(source: Path, url: str) -> Migrated:
    """Copy the embedded store in ``source`` into the empty database at ``url``."""
    if not (source / "store.sqlite3").is_file():
        raise MigrationError(f"存储目录“{source}”中没有 store.sqlite3：没有可迁移的版本")
    versions = _rows(source / "store.sqlite3", "SELECT * FROM versions ORDER BY id")
    pointer = _rows(source / "store.sqlite3", "SELECT * FROM pointer")
    audit = _rows(source / "store.sqlite3", "SELECT * FROM audit ORDER BY id")
    users = [
        _USER_DEFAULTS | row
        for row in _rows(source / "accounts.sqlite3", "SELECT * FROM users ORDER BY name")
    ]
    round_rows = {
        table: _table_rows(source / "store.sqlite3", table, columns)
        for table, columns in ROUND_TABLES.items()
    }
    failures = _rows(source / "accounts.sqlite3", "SELECT * FROM failures ORDER BY name")
    files = SqliteBackend(source).files
    wanted = sorted(set(files.names()) | {str(v["sha256"]) for v in versions})
    contents: dict[str, bytes] = {}
    for sha in wanted:
        try:
            data = files.get(sha)
        except OSError:
            raise MigrationError(f"文件 {sha}.xlsx 缺失，未迁移任何内容") from None
        if hashlib.sha256(data).hexdigest() != sha:
            raise MigrationError(f"文件 {sha}.xlsx 已损坏（校验值不符），未迁移任何内容")
        contents[sha] = data

    PostgresBackend(url)  # the tables, if this is a new database
    with pool_for(url).connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (VERSIONS_LOCK,))
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ACCOUNTS_LOCK,))
        for table in _TABLES:
            found = conn.execute(f"SELECT count(*) AS n FROM {table}".encode()).fetchone()
            if found is not None and found["n"]:
                raise MigrationError(
                    "目标数据库不是空的（已有版本、账号或文件）：迁移只写入空数据库"
                )
        with conn.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO files (sha256, data) VALUES (%s, %s)", list(contents.items())
            )
            cursor.executemany(
                "INSERT INTO versions (id, sha256, file_name, created_at, actor, note, counts)"
                " VALUES (%(id)s, %(sha256)s, %(file_name)s, %(created_at)s, %(actor)s,"
                " %(note)s, %(counts)s)",
                versions,
            )
            cursor.executemany(
                "INSERT INTO pointer (only_row, version_id) VALUES (%(only_row)s, %(version_id)s)",
                pointer,
            )
            cursor.executemany(
                "INSERT INTO audit (id, at, actor, action, version_id, previous_id, note, counts)"
                " VALUES (%(id)s, %(at)s, %(actor)s, %(action)s, %(version_id)s,"
                " %(previous_id)s, %(note)s, %(counts)s)",
                audit,
            )
            cursor.executemany(
                "INSERT INTO users (name, salt, hash, n, r, p, created_at, role, units,"
                " display_name) VALUES (%(name)s, %(salt)s, %(hash)s, %(n)s, %(r)s, %(p)s,"
                " %(created_at)s, %(role)s, %(units)s, %(display_name)s)",
                users,
            )
            for table, columns in ROUND_TABLES.items():
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)})"
                    f" VALUES ({', '.join('%s' for _ in columns)})".encode(),
                    round_rows[table],
                )
            cursor.executemany(
                "INSERT INTO failures (name, count, last_at)"
                " VALUES (%(name)s, %(count)s, %(last_at)s)",
                failures,
            )
        conn.execute(
            "SELECT setval(pg_get_serial_sequence('audit', 'id'),"
            " (SELECT COALESCE(MAX(id), 0) + 1 FROM audit), false)"
        )
    _verify(url, contents, len(versions), len(audit), len(users))
    current = int(pointer[0]["version_id"]) if pointer else None
    return Migrated(len(versions), len(audit), len(users), len(contents), current)


def _verify(url: str, contents: dict[str, bytes], versions: int, audit: int, users: int) -> None:
    """Read everything back: every file's SHA-256, and the number of rows."""
    copied = PostgresBackend(url).files
    for sha in contents:
        if hashlib.sha256(copied.get(sha)).hexdigest() != sha:
            raise MigrationError(f"迁移后文件 {sha}.xlsx 的校验值不符：请检查数据库后重新迁移")
    with pool_for(url).connection() as conn:
        for table, expected in (("versions", versions), ("audit", audit), ("users", users)):
            row = conn.execute(f"SELECT count(*) AS n FROM {table}".encode()).fetchone()
            if row is None or row["n"] != expected:
                raise MigrationError(f"迁移后 {table} 的行数不符：请检查数据库后重新迁移")


def _table_rows(path: Path, table: str, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The rows of ``table`` (absent in a store made before it existed: none)."""
    if not path.is_file():
        return []
    with _connection(path) as db:
        found = db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        if found is None:
            return []
        rows = db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1").fetchall()
    return [tuple(row) for row in rows]


def _rows(path: Path, sql: str) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    with _connection(path) as db:
        return [dict(row) for row in db.execute(sql).fetchall()]


@contextlib.contextmanager
def _connection(path: Path) -> Iterator[sqlite3.Connection]:
    """Read-only: the source store is never changed."""
    with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        yield db
