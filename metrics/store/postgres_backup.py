"""Backups of a PostgreSQL store, in the same archive format as the embedded store.

The snapshot is read in one ``REPEATABLE READ READ ONLY`` transaction (the database's
own consistent snapshot, taken while others publish) and written as the embedded
store's two SQLite files (``store.sqlite3``, ``accounts.sqlite3``) plus every stored
file from the same snapshot. So an archive of either backend restores into either.

A restore into PostgreSQL reads the rows of the rebuilt, checked databases
(``restore_rows.rebuild``) and the checked files, and writes them all in ONE transaction
(under the store's write locks, into a database found empty inside it), then reads the
files' SHA-256 back from the database before committing: any failure, ours or the
server's, rolls back and leaves the database empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg

from metrics.store.backup_archive import BackupError
from metrics.store.postgres_backend import (
    ACCOUNTS_LOCK,
    VERSIONS_LOCK,
    PostgresBackend,
    check_reachable,
    pool_for,
)
from metrics.store.restore_rows import SCHEMAS, STORE_DB, TABLES


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

    @property
    def staging(self) -> Path | None:
        return None

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
            for table, (member, columns) in TABLES.items():
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
        if not _has_versions(taken[STORE_DB]):
            raise BackupError(f"数据库 {self.where} 中没有版本：没有可备份的内容")
        return taken

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

    def load(self, databases: dict[str, Path], files: Path) -> None:
        try:
            self._load(databases, sorted(files.glob("*.xlsx")))
        except psycopg.Error as exc:
            # The primary message only: the detail may quote a row (a password hash).
            said = exc.diag.message_primary or ""
            raise BackupError(
                f"写入数据库 {self.where} 时出错（{type(exc).__name__}：{said}），"
                "已全部撤销，数据库仍是空的，未恢复"
            ) from None

    def _load(self, databases: dict[str, Path], files: list[Path]) -> None:
        with pool_for(self.url).connection() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (VERSIONS_LOCK,))
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (ACCOUNTS_LOCK,))
            for table in ("files", *TABLES):
                found = conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table}) AS any".encode())
                row = found.fetchone()
                if row is not None and row["any"]:
                    raise BackupError(
                        f"数据库 {self.where} 不是空的（{table} 表已有内容），不能恢复到这里"
                    )
            with conn.cursor() as cursor:
                for path in files:  # one at a time: files may be large
                    data = path.read_bytes()
                    if hashlib.sha256(data).hexdigest() != path.stem:
                        raise BackupError(f"文件 {path.name} 在恢复过程中被改动，未恢复")
                    cursor.execute(
                        "INSERT INTO files (sha256, data) VALUES (%s, %s)", (path.stem, data)
                    )
                for table, (member, columns) in TABLES.items():
                    with _rows(databases[member], table, columns) as rows:
                        cursor.executemany(
                            f"INSERT INTO {table} ({', '.join(columns)})"
                            f" VALUES ({', '.join('%s' for _ in columns)})".encode(),
                            rows,
                        )
            conn.execute(
                "SELECT setval(pg_get_serial_sequence('audit', 'id'),"
                " (SELECT COALESCE(MAX(id), 0) + 1 FROM audit), false)"
            )
            # Read back before committing: every file's SHA-256, computed by the server.
            check = conn.execute(
                "SELECT count(*) AS n, count(*) FILTER"
                " (WHERE encode(sha256(data), 'hex') <> sha256) AS bad FROM files"
            ).fetchone()
            if check is None or check["n"] != len(files) or check["bad"]:
                raise BackupError(f"写入数据库 {self.where} 后文件校验值不符，已全部撤销")


@contextlib.contextmanager
def _rows(path: Path, table: str, columns: tuple[str, ...]) -> Iterator[Iterator[tuple[Any, ...]]]:
    """The rows of ``table`` in a rebuilt database (our schema), streamed."""
    with contextlib.closing(
        sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    ) as db:
        yield iter(db.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY 1"))


@contextlib.contextmanager
def _sqlite_files(paths: dict[str, Path]) -> Iterator[dict[str, sqlite3.Connection]]:
    """New SQLite files with the embedded store's schemas, committed on success."""
    opened: dict[str, sqlite3.Connection] = {}
    try:
        for name, path in paths.items():
            db = sqlite3.connect(path)
            opened[name] = db
            db.executescript(SCHEMAS[name])
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
