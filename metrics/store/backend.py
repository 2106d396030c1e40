"""What a store backend provides: SQL connections and the published files.

Two implementations: ``sqlite_backend`` (embedded, the default: a folder with SQLite
files and ``files/<sha256>.xlsx``) and ``postgres_backend`` (``ZHENGGAI_DATABASE_URL``:
tables, files as ``bytea``). The SQL in ``versions`` and ``accounts`` is plain and runs
on both; placeholders are written ``?`` and rows are read by column name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

DATABASE_URL_ENV = "ZHENGGAI_DATABASE_URL"


class Rows(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Sequence[object] = ()) -> Rows: ...


class Database(Protocol):
    """Connections: ``reading()`` autocommits; ``transaction()`` holds the write lock of
    this database (writers queue, readers are never blocked), commits on success and
    rolls back on any exception."""

    def reading(self) -> contextlib.AbstractContextManager[Connection]: ...

    def transaction(self) -> contextlib.AbstractContextManager[Connection]: ...


class Files(Protocol):
    """Published workbooks, content-addressed by SHA-256, never deleted."""

    def put(self, sha256: str, data: bytes) -> None: ...

    def get(self, sha256: str) -> bytes: ...  # OSError when missing

    def names(self) -> list[str]: ...  # every stored SHA-256

    def path(self, sha256: str) -> Path: ...  # where it is, for messages and cache keys

    def stamp(self, sha256: str) -> tuple[int, int]: ...  # changes when the file changes


class Backend(Protocol):
    @property
    def versions(self) -> Database: ...

    @property
    def accounts(self) -> Database: ...

    @property
    def files(self) -> Files: ...

    def describe(self) -> str: ...


def is_database_url(where: str) -> bool:
    return where.startswith(("postgresql://", "postgres://"))
