"""Rebuilding the embedded store's databases from their rows, into a fresh schema.

The databases in an archive (``store.sqlite3``, ``accounts.sqlite3``) are never used as
they come. Their rows are copied, table by table and column by column, into new files
created with our own schema (``VERSIONS_SCHEMA``, ``ACCOUNTS_SCHEMA``), so the triggers,
indexes and constraints of a restored store are always ours: an archive whose
append-only triggers were replaced by no-ops, or that carries a trigger rewriting rows,
restores with the real triggers and none of its own. Each archive database is opened
read-only and immutable, with ``trusted_schema`` off, and checked (``quick_check``,
every table a plain table, every column present and not computed, every value of the
storage class our schema declares); the copy then meets our constraints (NOT NULL,
keys, foreign keys). A database that fails is refused, naming the member and the table.

Both sides use this: a backup archives the rebuilt files (so what it writes is what a
restore will accept), and a restore rebuilds again before anything reaches the store.
Stores made before rounds or roles existed lack their tables or columns: those tables
are empty, those columns take the defaults of ``ACCOUNT_COLUMNS_ADDED``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from metrics.store.backup_archive import DATABASES, SHA256, BackupError
from metrics.store.files import fsync_dir
from metrics.store.rounds_schema import ROUND_TABLES
from metrics.store.sqlite_backend import ACCOUNTS_SCHEMA, VERSIONS_SCHEMA

STORE_DB: Final = "store.sqlite3"
ACCOUNTS_DB: Final = "accounts.sqlite3"

# table -> (database, columns), in an order where every reference points backwards.
TABLES: Final[MappingProxyType[str, tuple[str, tuple[str, ...]]]] = MappingProxyType(
    {
        "versions": (
            STORE_DB,
            ("id", "sha256", "file_name", "created_at", "actor", "note", "counts"),
        ),
        "pointer": (STORE_DB, ("only_row", "version_id")),
        "audit": (
            STORE_DB,
            ("id", "at", "actor", "action", "version_id", "previous_id", "note", "counts"),
        ),
        **{table: (STORE_DB, columns) for table, columns in ROUND_TABLES.items()},
        "users": (
            ACCOUNTS_DB,
            ("name", "salt", "hash", "n", "r", "p", "created_at", "role", "units", "display_name"),
        ),
        "failures": (ACCOUNTS_DB, ("name", "count", "last_at")),
    }
)
SCHEMAS: Final = MappingProxyType({STORE_DB: VERSIONS_SCHEMA, ACCOUNTS_DB: ACCOUNTS_SCHEMA})
# Absent in stores made before they existed.
_OPTIONAL_TABLES = frozenset(ROUND_TABLES) | {"failures"}
_COLUMN_DEFAULTS: Mapping[tuple[str, str], str] = {
    ("users", "role"): "office",
    ("users", "units"): "[]",
    ("users", "display_name"): "",
}
_SQLITE_MAGIC = b"SQLite format 3\x00"
assert set(SCHEMAS) == set(DATABASES)


@dataclass(frozen=True, slots=True)
class Rebuilt:
    """The rebuilt databases (name → file) and what they say."""

    databases: dict[str, Path]
    version_hashes: tuple[str, ...]  # in version order
    referenced: frozenset[str]  # every stored file the rows refer to (versions, evidence)
    rows: dict[str, int]  # table → rows copied


def rebuild(snapshot: Mapping[str, Path], folder: Path) -> Rebuilt:
    """New ``store.sqlite3`` and ``accounts.sqlite3`` in ``folder`` (our schema, fsynced)
    holding the rows of the databases in ``snapshot`` (name → file; accounts optional)."""
    if STORE_DB not in snapshot:
        raise BackupError("备份中没有 store.sqlite3（版本库），未恢复")
    if unknown := sorted(set(snapshot) - set(SCHEMAS)):
        raise BackupError(f"备份中有本系统不认识的数据库“{unknown[0]}”，未恢复")
    folder.mkdir(parents=True, exist_ok=True)
    databases: dict[str, Path] = {}
    rows: dict[str, int] = {}
    for name, schema in SCHEMAS.items():
        out = folder / name
        with _fresh(out, schema) as db:
            if name in snapshot:
                rows |= _copy_database(db, name, snapshot[name])
            db.execute("PRAGMA journal_mode=WAL")  # as the store opens it
        _fsync(out)
        databases[name] = out
    fsync_dir(folder)
    version_hashes, referenced = _facts(databases[STORE_DB])
    return Rebuilt(databases, version_hashes, referenced, rows)


@contextlib.contextmanager
def _fresh(path: Path, schema: str) -> Iterator[sqlite3.Connection]:
    if path.exists():
        raise BackupError(f"“{path}”已存在，未覆盖")
    with contextlib.closing(sqlite3.connect(path, isolation_level=None, uri=True)) as db:
        db.execute("PRAGMA trusted_schema=OFF")
        db.execute("PRAGMA cell_size_check=ON")
        db.execute("PRAGMA foreign_keys=ON")
        db.executescript(schema)
        yield db


def _copy_database(db: sqlite3.Connection, name: str, path: Path) -> dict[str, int]:
    """Copy the rows of ``name``'s tables from the file ``path`` into ``db``."""
    with open(path, "rb") as head:
        if head.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise BackupError(f"备份中的 {name} 不是 SQLite 数据库文件，未恢复")
    rows: dict[str, int] = {}
    try:
        db.execute("ATTACH DATABASE ? AS src", (f"{path.resolve().as_uri()}?mode=ro&immutable=1",))
        checked = db.execute("PRAGMA src.quick_check").fetchall()
        if [tuple(row) for row in checked] != [("ok",)]:
            raise BackupError(f"备份中的 {name} 已损坏（SQLite 完整性检查未通过），未恢复")
        db.execute("BEGIN")
        for table, (owner, columns) in TABLES.items():
            if owner == name:
                rows[table] = _copy_table(db, name, table, columns)
        db.execute("COMMIT")
        if broken := db.execute("PRAGMA main.foreign_key_check").fetchall():
            raise BackupError(
                f"备份中的 {name} 的 {broken[0][0]} 表有 {len(broken)} 行引用了不存在的记录，未恢复"
            )
        db.execute("DETACH DATABASE src")
    except sqlite3.IntegrityError as exc:
        raise BackupError(f"备份中的 {name} 的数据不符合本系统的约束（{exc}），未恢复") from None
    except sqlite3.Error as exc:
        raise BackupError(
            f"备份中的 {name} 无法读取，不是有效的数据库（{type(exc).__name__}：{exc}），未恢复"
        ) from None
    return rows


def _copy_table(db: sqlite3.Connection, name: str, table: str, columns: tuple[str, ...]) -> int:
    where = f"备份中的 {name} 的 {table} 表"
    found = db.execute(
        "SELECT type, sql FROM src.sqlite_master WHERE name = ? COLLATE NOCASE", (table,)
    ).fetchall()
    if not found:
        if table in _OPTIONAL_TABLES:
            return 0
        raise BackupError(f"备份中的 {name} 没有 {table} 表，未恢复")
    kind, sql = found[0]
    if len(found) != 1 or kind != "table" or str(sql).upper().startswith("CREATE VIRTUAL"):
        raise BackupError(f"{where}不是普通的表，未恢复")
    present = {
        str(row[1]).lower(): int(row[6])  # name → hidden (0: an ordinary column)
        for row in db.execute(f"PRAGMA src.table_xinfo({table})").fetchall()
    }
    selected: list[str] = []
    defaults: list[str] = []
    for column in columns:
        if present.get(column) == 0:
            selected.append(f'"{column}"')
        elif column not in present and (table, column) in _COLUMN_DEFAULTS:
            selected.append("?")
            defaults.append(_COLUMN_DEFAULTS[table, column])
        else:
            raise BackupError(f"{where}缺少列 {column}（或它是计算列），未恢复")
    declared = {
        str(row[1]): str(row[2]).upper() for row in db.execute(f"PRAGMA table_info({table})")
    }
    wrong = [
        f'typeof("{column}") NOT IN ({_storage_classes(declared[column])})'
        for column in columns
        if present.get(column) == 0
    ]
    (bad,) = db.execute(f"SELECT count(*) FROM src.{table} WHERE {' OR '.join(wrong)}").fetchone()
    if bad:
        raise BackupError(f"{where}有 {bad} 行的数据类型与本系统不符，未恢复")
    copied = db.execute(
        f"INSERT INTO main.{table} ({', '.join(columns)})"
        f" SELECT {', '.join(selected)} FROM src.{table} ORDER BY 1",
        defaults,
    )
    return int(copied.rowcount)


def _storage_classes(declared: str) -> str:
    """The SQLite storage classes a column of our schema may hold (NULL: NOT NULL is our
    schema's own check)."""
    if "INT" in declared:
        return "'integer', 'null'"
    if "REAL" in declared:
        return "'real', 'integer', 'null'"
    if "BLOB" in declared:
        return "'blob', 'null'"
    return "'text', 'null'"


def _facts(path: Path) -> tuple[tuple[str, ...], frozenset[str]]:
    """The versions' file hashes and every file referred to, checked for form; a store
    with versions has a current version."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        versions = [str(row[0]) for row in db.execute("SELECT sha256 FROM versions ORDER BY id")]
        evidence = [str(row[0]) for row in db.execute("SELECT sha256 FROM round_evidence")]
        (pointers,) = db.execute("SELECT count(*) FROM pointer").fetchone()
    if bad := [sha for sha in versions + evidence if not SHA256.match(sha)]:
        raise BackupError(f"备份中有无效的文件校验值“{bad[0][:70]}”，未恢复")
    if versions and not pointers:
        raise BackupError("备份中有版本，但没有“当前版本”的记录，未恢复")
    return tuple(versions), frozenset(versions) | frozenset(evidence)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
