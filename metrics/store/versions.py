"""The versioned store of published workbooks.

Where it lives is a backend (``metrics.store.backend``): by default the embedded one, a
folder (``ZHENGGAI_STORE``, default ``store/``, git-ignored; ``sqlite_backend``); with
``ZHENGGAI_DATABASE_URL=postgresql://…`` a PostgreSQL database (``postgres_backend``).
``open_store`` / ``open_store_from_env`` choose. On both:

Publishing is atomic: the file is stored content-addressed first (a file written to a
temporary name, flushed and renamed; or a ``bytea`` row); then, in one write
transaction (``BEGIN IMMEDIATE``, or an advisory lock in PostgreSQL), the version row
and the audit entry are added and the current pointer moves — only if it still points
where the publisher started (two staff publishing at once: exactly one wins, the other
gets ``StaleVersion``, which says who changed what meanwhile). A crash at any moment
leaves either the old or the new version current. Rolling back is a new audited event that
points "current" at an older version.
Every change needs a named actor: anonymous changes are refused here, in the store,
not only by hiding buttons. The database itself refuses changes to the audit log and
the deletion of versions (triggers).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metrics.store.backend import DATABASE_URL_ENV, Backend, Connection, is_database_url
from metrics.store.sqlite_backend import SqliteBackend

STORE_ENV = "ZHENGGAI_STORE"
SYSTEM_ACTOR = "系统"


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


def backend_from(where: str | Path) -> Backend:
    """A PostgreSQL URL, or a store folder (the embedded backend)."""
    if isinstance(where, str) and is_database_url(where):
        from metrics.store.postgres_backend import PostgresBackend

        return PostgresBackend(where)
    return SqliteBackend(Path(where))


def open_store(where: str | Path) -> Store:
    """The store at ``where``: a ``postgresql://`` URL or a store folder."""
    return Store(backend_from(where))


def backend_from_env() -> Backend:
    return backend_from(os.environ.get(DATABASE_URL_ENV) or default_root())


def open_store_from_env() -> Store:
    """``ZHENGGAI_DATABASE_URL`` if set, else the folder ``ZHENGGAI_STORE`` (or ``store/``)."""
    return Store(backend_from_env())


class Store:
    """One store. Safe to use from several threads and processes at once.

    ``Store(folder)`` is the embedded store in that folder; ``Store(backend)`` any backend."""

    def __init__(self, where: Path | Backend) -> None:
        self.backend: Backend = SqliteBackend(where) if isinstance(where, Path) else where
        self._db = self.backend.versions

    @property
    def root(self) -> Path:
        """The folder of the embedded store (not there for other backends)."""
        assert isinstance(self.backend, SqliteBackend), "only the embedded store has a folder"
        return self.backend.root

    @property
    def files(self) -> Path:
        assert isinstance(self.backend, SqliteBackend), "only the embedded store has a folder"
        return self.backend.files.folder

    @property
    def db_path(self) -> Path:
        assert isinstance(self.backend, SqliteBackend), "only the embedded store has a folder"
        return self.backend.db_path

    def file_path(self, sha256: str) -> Path:
        """Where a version's file is (for messages)."""
        return self.backend.files.path(sha256)

    def file_stamp(self, sha256: str) -> tuple[int, int]:
        """Changes when the stored file goes missing, is damaged or is restored."""
        return self.backend.files.stamp(sha256)

    # -- reading ---------------------------------------------------------------------------

    def current(self) -> Version | None:
        with self._db.reading() as db:
            row = db.execute(
                "SELECT v.* FROM pointer p JOIN versions v ON v.id = p.version_id"
            ).fetchone()
        return _version(row) if row else None

    def versions(self) -> list[Version]:
        """All versions, newest first."""
        with self._db.reading() as db:
            rows = db.execute("SELECT * FROM versions ORDER BY id DESC").fetchall()
        return [_version(row) for row in rows]

    def version(self, version_id: int) -> Version | None:
        with self._db.reading() as db:
            row = db.execute("SELECT * FROM versions WHERE id = ?", (version_id,)).fetchone()
        return _version(row) if row else None

    def audit(self) -> list[AuditEntry]:
        """The audit log, newest first."""
        with self._db.reading() as db:
            rows = db.execute("SELECT * FROM audit ORDER BY id DESC").fetchall()
        return [_audit_entry(row) for row in rows]

    def since(self, version_id: int | None) -> list[AuditEntry]:
        """What happened after ``version_id`` last became current, oldest first
        (empty while it is still current and nothing was done since)."""
        with self._db.reading() as db:
            return _since(db, version_id)

    def previous_of(self, version_id: int) -> Version | None:
        """The version that was current just before ``version_id`` last became current."""
        with self._db.reading() as db:
            row = db.execute(
                "SELECT v.* FROM audit a JOIN versions v ON v.id = a.previous_id"
                " WHERE a.version_id = ? ORDER BY a.id DESC LIMIT 1",
                (version_id,),
            ).fetchone()
        return _version(row) if row else None

    def read(self, version: Version) -> bytes:
        data = self.backend.files.get(version.sha256)
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
        within: Callable[[Connection, int], None] | None = None,
    ) -> Version:
        """Publish ``data`` (already validated) as the new current version. ``within``
        runs inside the same write transaction with the new version's number (a round
        records what it merged, atomically with the version)."""
        _require(actor)
        return self._record(
            data, file_name, actor.strip(), "发布", note, counts, expected_current, within
        )

    def rollback(
        self, version_id: int, *, actor: str, note: str, expected_current: int | None
    ) -> Version:
        """Point "current" at an older version (a new audited event; nothing is deleted)."""
        _require(actor)
        target = self.version(version_id)
        if target is None:
            raise StoreError(f"版本 {version_id} 不存在")
        with self._db.transaction() as db:
            previous = _current_id(db)
            _check_expected(db, previous, expected_current)
            _point_at(db, target.id)
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
        within: Callable[[Connection, int], None] | None = None,
    ) -> Version:
        sha = hashlib.sha256(data).hexdigest()
        self.backend.files.put(sha, data)  # before the transaction: the pointer never dangles
        now = _now()
        with self._db.transaction() as db:
            previous = _current_id(db)
            if action != "初始化":
                _check_expected(db, previous, expected)
            elif previous is not None:
                row = db.execute("SELECT * FROM versions WHERE id = ?", (previous,)).fetchone()
                return _version(row)
            # The next number under the write lock (a PostgreSQL sequence would leave a
            # gap after a rolled-back publish; version numbers are shown to people).
            row = db.execute(
                "INSERT INTO versions (id, sha256, file_name, created_at, actor, note, counts)"
                " SELECT COALESCE(MAX(id), 0) + 1, ?, ?, ?, ?, ?, ? FROM versions RETURNING id",
                (sha, file_name, now, actor, note, json.dumps(counts, sort_keys=True)),
            ).fetchone()
            version_id = int(row["id"])
            _point_at(db, version_id)
            _log(db, actor, action, version_id, previous, note, counts)
            if within is not None:
                within(db, version_id)
        return Version(version_id, sha, file_name, now, actor, note, counts)


def _point_at(db: Connection, version_id: int) -> None:
    db.execute(
        "INSERT INTO pointer (only_row, version_id) VALUES (1, ?)"
        " ON CONFLICT (only_row) DO UPDATE SET version_id = excluded.version_id",
        (version_id,),
    )


def _require(actor: str) -> None:
    if not actor or not actor.strip():
        raise NotAllowed("需要以工作人员身份登录后才能发布或回退")


def _check_expected(db: Connection, current: int | None, expected: int | None) -> None:
    if current != expected:
        raise StaleVersion(expected, current, tuple(_since(db, expected)))


def _since(db: Connection, version_id: int | None) -> list[AuditEntry]:
    start = 0
    if version_id is not None:
        row = db.execute(
            "SELECT MAX(id) AS last FROM audit WHERE version_id = ?", (version_id,)
        ).fetchone()
        start = int(row["last"] or 0)
    rows = db.execute("SELECT * FROM audit WHERE id > ? ORDER BY id", (start,)).fetchall()
    return [_audit_entry(row) for row in rows]


def _audit_entry(row: Any) -> AuditEntry:
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


def _current_id(db: Connection) -> int | None:
    row = db.execute("SELECT version_id FROM pointer WHERE only_row = 1").fetchone()
    return int(row["version_id"]) if row else None


def _log(
    db: Connection,
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


def _version(row: Any) -> Version:
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
