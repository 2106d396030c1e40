"""The versioned store of published workbooks (embedded: files + SQLite, no server).

Layout under the store folder (``ZHENGGAI_STORE``, default ``store/``, git-ignored)::

    files/<sha256>.xlsx     every published workbook, content-addressed, never deleted
    store.sqlite3           versions, the "current" pointer and an append-only audit log

Publishing is atomic: the file is written to a temporary name, flushed and renamed;
then, in one ``BEGIN IMMEDIATE`` transaction, the version row and the audit entry are
added and the current pointer moves — only if it still points where the publisher
started (two staff publishing at once: exactly one wins, the other gets
``StaleVersion``, which says who changed what meanwhile). A crash at any moment leaves
either the old or the new version current. Rolling back is a new audited event that
points "current" at an older version.
Every change needs a named actor: anonymous changes are refused here, in the store,
not only by hiding buttons. Every connection is closed after use (``with
sqlite3.connect()`` alone would only end the transaction).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from metrics.store.files import write_atomically
from metrics.store.sqlite_db import immediate

STORE_ENV = "ZHENGGAI_STORE"
SYSTEM_ACTOR = "系统"

_SCHEMA = """
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


class StoreError(Exception):
    """A store operation was refused; ``str(error)`` is a Chinese message."""


class NotAllowed(StoreError):
    """No signed-in actor: publishing and rolling back need a named staff member."""


class StaleVersion(StoreError):
    """Someone else published or rolled back first: review again against the new version.

    ``expected`` is the version the caller's review was made against, ``current`` the
    version that is current now, and ``meanwhile`` what happened in between (audit
    entries, oldest first), so the refused person can be told who published what."""

    def __init__(
        self, expected: int | None, current: int | None, meanwhile: tuple[AuditEntry, ...]
    ) -> None:
        self.expected = expected
        self.current = current
        self.meanwhile = meanwhile
        events = "；".join(event_text(e) for e in meanwhile)
        super().__init__(
            f"在您审阅期间，当前版本已由 {_label(expected)} 变为 {_label(current)}"
            + (f"（{events}）" if events else "（其他人刚刚发布或回退）")
            + "：请基于最新版本重新核对后再发布"
        )


@dataclass(frozen=True, slots=True)
class Version:
    id: int
    sha256: str
    file_name: str
    created_at: str  # ISO timestamp, UTC
    actor: str
    note: str
    counts: dict[str, int]  # e.g. {"total": 35, "completed": 30}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: str
    actor: str
    action: str  # "初始化" / "发布" / "回退"
    version_id: int
    previous_id: int | None
    note: str
    counts: dict[str, int]


BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def beijing_time(iso: str) -> str:
    """A stored UTC timestamp as Beijing time, e.g. "2026-11-28 23:25"."""
    try:
        moment = datetime.datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


_DOING = {"发布": "发布了", "回退": "回退到", "初始化": "初始化为"}


def event_text(entry: AuditEntry) -> str:
    """One audit entry in words (plain text), e.g.
    "李四 于 2026-05-01 10:00（北京时间）发布了 v2，说明：五月数据"."""
    did = _DOING.get(entry.action, entry.action)
    note = f"，说明：{entry.note}" if entry.note else "，未写说明"
    return f"{entry.actor} 于 {beijing_time(entry.at)}（北京时间）{did} v{entry.version_id}{note}"


def default_root() -> Path:
    return Path(os.environ.get(STORE_ENV) or Path(__file__).resolve().parents[2] / "store")


class Store:
    """One store folder. Safe to use from several threads and processes at once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.files = self.root / "files"
        self.files.mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "store.sqlite3"
        with self._reading() as db:
            db.executescript(_SCHEMA)

    # -- reading ---------------------------------------------------------------------------

    def current(self) -> Version | None:
        with self._reading() as db:
            row = db.execute(
                "SELECT v.* FROM pointer p JOIN versions v ON v.id = p.version_id"
            ).fetchone()
        return _version(row) if row else None

    def versions(self) -> list[Version]:
        """All versions, newest first."""
        with self._reading() as db:
            rows = db.execute("SELECT * FROM versions ORDER BY id DESC").fetchall()
        return [_version(row) for row in rows]

    def version(self, version_id: int) -> Version | None:
        with self._reading() as db:
            row = db.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()
        return _version(row) if row else None

    def audit(self) -> list[AuditEntry]:
        """The audit log, newest first."""
        with self._reading() as db:
            rows = db.execute("SELECT * FROM audit ORDER BY id DESC").fetchall()
        return [_audit_entry(row) for row in rows]

    def since(self, version_id: int | None) -> list[AuditEntry]:
        """What happened after ``version_id`` last became current, oldest first
        (empty while it is still current and nothing was done since)."""
        with self._reading() as db:
            return _since(db, version_id)

    def previous_of(self, version_id: int) -> Version | None:
        """The version that was current just before ``version_id`` last became current."""
        with self._reading() as db:
            row = db.execute(
                "SELECT v.* FROM audit a JOIN versions v ON v.id = a.previous_id"
                " WHERE a.version_id = ? ORDER BY a.id DESC LIMIT 1",
                (version_id,),
            ).fetchone()
        return _version(row) if row else None

    def read(self, version: Version) -> bytes:
        data = (self.files / f"{version.sha256}.xlsx").read_bytes()
        if hashlib.sha256(data).hexdigest() != version.sha256:
            raise StoreError(f"版本 {version.id} 的文件已损坏（校验值不符），请联系技术人员")
        return data

    # -- changing --------------------------------------------------------------------------

    def bootstrap(self, bundled: Path, counts: dict[str, int]) -> Version:
        """Make ``bundled`` version 1 if the store is empty; the file itself is only read."""
        current = self.current()
        if current is not None:
            return current
        data = bundled.read_bytes()
        return self._record(
            data, bundled.name, SYSTEM_ACTOR, "初始化", "自带数据", counts, expected=None
        )

    def publish(
        self,
        data: bytes,
        *,
        actor: str,
        file_name: str,
        note: str,
        counts: dict[str, int],
        expected_current: int | None,
    ) -> Version:
        """Publish ``data`` (already validated) as the new current version."""
        _require(actor)
        return self._record(data, file_name, actor.strip(), "发布", note, counts, expected_current)

    def rollback(
        self, version_id: int, *, actor: str, note: str, expected_current: int | None
    ) -> Version:
        """Point "current" at an older version (a new audited event; nothing is deleted)."""
        _require(actor)
        target = self.version(version_id)
        if target is None:
            raise StoreError(f"版本 {version_id} 不存在")
        with self._transaction() as db:
            previous = _current_id(db)
            _check_expected(db, previous, expected_current)
            db.execute("INSERT OR REPLACE INTO pointer VALUES (1, ?)", (target.id,))
            _log(db, actor.strip(), "回退", target.id, previous, note, target.counts)
        return target

    # -- internals ---------------------------------------------------------------------------

    def _record(
        self,
        data: bytes,
        file_name: str,
        actor: str,
        action: str,
        note: str,
        counts: dict[str, int],
        expected: int | None,
    ) -> Version:
        sha = hashlib.sha256(data).hexdigest()
        self._write_file(sha, data)  # before the transaction: the pointer never dangles
        now = _now()
        with self._transaction() as db:
            previous = _current_id(db)
            if action != "初始化":
                _check_expected(db, previous, expected)
            elif previous is not None:
                row = db.execute("SELECT * FROM versions WHERE id = ?", (previous,)).fetchone()
                return _version(row)
            cursor = db.execute(
                "INSERT INTO versions (sha256, file_name, created_at, actor, note, counts)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (sha, file_name, now, actor, note, json.dumps(counts, sort_keys=True)),
            )
            version_id = int(cursor.lastrowid or 0)
            db.execute("INSERT OR REPLACE INTO pointer VALUES (1, ?)", (version_id,))
            _log(db, actor, action, version_id, previous, note, counts)
        return Version(version_id, sha, file_name, now, actor, note, counts)

    def _write_file(self, sha: str, data: bytes) -> None:
        target = self.files / f"{sha}.xlsx"
        if target.exists():
            return  # content-addressed: the same bytes are already there
        write_atomically(target, data, mode=None, prefix=".incoming-")

    def _connect(self) -> sqlite3.Connection:
        """A new connection; the caller closes it (``_reading``, ``_transaction``)."""
        db = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA foreign_keys=ON")
        except BaseException:
            db.close()
            raise
        return db

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode, closed on the way out."""
        with contextlib.closing(self._connect()) as db:
            yield db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with contextlib.closing(self._connect()) as db, immediate(db):
            yield db


def _require(actor: str) -> None:
    if not actor or not actor.strip():
        raise NotAllowed("需要以工作人员身份登录后才能发布或回退")


def _check_expected(db: sqlite3.Connection, current: int | None, expected: int | None) -> None:
    if current != expected:
        raise StaleVersion(expected, current, tuple(_since(db, expected)))


def _since(db: sqlite3.Connection, version_id: int | None) -> list[AuditEntry]:
    start = 0
    if version_id is not None:
        row = db.execute("SELECT MAX(id) FROM audit WHERE version_id = ?", (version_id,)).fetchone()
        start = int(row[0] or 0)
    rows = db.execute("SELECT * FROM audit WHERE id > ? ORDER BY id", (start,)).fetchall()
    return [_audit_entry(row) for row in rows]


def _audit_entry(row: sqlite3.Row) -> AuditEntry:
    return AuditEntry(
        row["id"],
        row["at"],
        row["actor"],
        row["action"],
        row["version_id"],
        row["previous_id"],
        row["note"],
        json.loads(row["counts"]),
    )


def _label(version_id: int | None) -> str:
    return f"v{version_id}" if version_id is not None else "（无版本）"


def _current_id(db: sqlite3.Connection) -> int | None:
    row = db.execute("SELECT version_id FROM pointer WHERE only_row = 1").fetchone()
    return int(row[0]) if row else None


def _log(
    db: sqlite3.Connection,
    actor: str,
    action: str,
    version_id: int,
    previous: int | None,
    note: str,
    counts: dict[str, int],
) -> None:
    db.execute(
        "INSERT INTO audit (at, actor, action, version_id, previous_id, note, counts)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (_now(), actor, action, version_id, previous, note, json.dumps(counts, sort_keys=True)),
    )


def _version(row: sqlite3.Row) -> Version:
    return Version(
        row["id"],
        row["sha256"],
        row["file_name"],
        row["created_at"],
        row["actor"],
        row["note"],
        json.loads(row["counts"]),
    )


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
