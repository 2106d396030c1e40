"""Slowing down sign-in attempts without letting anyone lock an account for others.

Three limits, all checked and counted in the accounts database's write transaction
before a password is checked (``Accounts.sign_in``), so that attempts made in parallel
cannot all slip through before any of them is counted:

- per (account name, client): after ``free_failures`` wrong passwords in a row, each
  further attempt for that name *from that client* waits 2, 4, 8 … seconds (at most
  ``max_delay``). Other clients are not slowed down, so someone failing from one address
  never keeps the owner out. A correct password clears the count; a pair without a
  failure for ``forget_after`` seconds is forgotten.
- per client: a token bucket on password checks, whatever the names tried
  (``client_burst`` at once, then ``client_rate`` per second).
- overall: a token bucket on all password checks (``global_burst``, then
  ``global_rate`` per second), so that the server never spends more than about
  ``global_rate`` × 45 ms of CPU a second on scrypt, however many clients ask.

A successful sign-in gives its tokens back: staff signing in do not use up the buckets
(an office behind one NAT address shares one client bucket).

Names that do not exist add no rows. Their failures are kept inside the client's own
row, for the ``remembered_unknown`` names that client tried last (by a hash of the
name), and slow down exactly as an existing name's do; the password is still checked
(against a dummy hash, within the same limits), so neither the answers nor their timing
tell which names exist. The table is bounded: every attempt deletes the rows untouched
for ``forget_after`` seconds, and at most ``max_rows`` rows are kept (the oldest go).

``signin_throttle`` is transient state, created on first use with the same SQL on both
backends. It is not part of backups of the PostgreSQL backend nor of ``store migrate``;
the SQLite backend's backup copies ``accounts.sqlite3`` whole, with it (harmless: it
expires). The older per-name ``failures`` table is no longer used.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from metrics.store.backend import Connection

TABLE_SQL = (
    """
CREATE TABLE IF NOT EXISTS signin_throttle (
    kind      TEXT NOT NULL,                        -- 'pair', 'client' or 'all'
    name      TEXT NOT NULL,                        -- pair: the account name; else ''
    client    TEXT NOT NULL,                        -- pair, client: the client; else ''
    failures  INTEGER NOT NULL DEFAULT 0,           -- pair: wrong passwords in a row
    tokens    DOUBLE PRECISION NOT NULL DEFAULT 0,  -- client, all: the bucket's level
    last_at   DOUBLE PRECISION NOT NULL,            -- seconds since the epoch
    unknown   TEXT NOT NULL DEFAULT '{}',           -- client: names that do not exist
    PRIMARY KEY (kind, name, client)
)""",
    "CREATE INDEX IF NOT EXISTS signin_throttle_by_time ON signin_throttle (last_at)",
)
PAIR, CLIENT, ALL = "pair", "client", "all"


@dataclass(frozen=True, slots=True)
class Limits:
    free_failures: int = 3
    max_delay: float = 300.0
    forget_after: float = 3600.0
    client_burst: float = 30.0
    client_rate: float = 0.5  # 30 checks a minute per client, after the burst
    global_burst: float = 60.0
    global_rate: float = 5.0  # scrypt takes ~45 ms: about a quarter of one core at most
    max_rows: int = 10_000
    remembered_unknown: int = 32


@dataclass(frozen=True, slots=True)
class Gate:
    """The throttle's answer before a password is checked: ``wait`` > 0 refuses (with
    ``message``); otherwise the attempt is counted as failed, and ``after_failure`` is
    the wait that follows if the password is indeed wrong."""

    wait: float = 0.0
    message: str = ""
    after_failure: float = 0.0


class Throttle:
    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()

    def admit(self, db: Connection, name: str, client: str, *, exists: bool, now: float) -> Gate:
        """In the caller's write transaction: refuse, or take a token from the client's
        and the global bucket and count the attempt as a failure of ``name`` from
        ``client`` (``exists``: whether there is an account of that name)."""
        limits = self.limits
        _prepare(db, now - limits.forget_after)
        pair = _row(db, PAIR, name, client)
        mine = _row(db, CLIENT, "", client)
        unknown = _unknown(mine, now - limits.forget_after)
        key = _digest(name)
        if exists:
            failures, last = (int(pair["failures"]), float(pair["last_at"])) if pair else (0, 0.0)
        else:
            failures, last = unknown.get(key, (0, 0.0))
        wait = self._delay(failures, last, now)
        if wait > 0:
            return Gate(wait, f"尝试次数过多，请 {_seconds(wait)} 秒后再试")
        everyone = _row(db, ALL, "", "")
        own = _level(mine, limits.client_burst, limits.client_rate, now)
        overall = _level(everyone, limits.global_burst, limits.global_rate, now)
        if own < 1:
            wait = (1 - own) / limits.client_rate
            return Gate(wait, f"登录尝试过于频繁，请 {_seconds(wait)} 秒后再试")
        if overall < 1:
            wait = (1 - overall) / limits.global_rate
            return Gate(wait, f"当前登录请求过多，请 {_seconds(wait)} 秒后再试")
        # Counted before the password is checked (outside the lock); a success clears it.
        failures += 1
        if exists:
            _put(db, PAIR, name, client, failures=failures, now=now)
        else:
            unknown[key] = (failures, now)
            recent = sorted(unknown.items(), key=lambda item: item[1][1], reverse=True)
            unknown = dict(recent[: limits.remembered_unknown])
        _put(db, CLIENT, "", client, tokens=own - 1, now=now, unknown=unknown)
        _put(db, ALL, "", "", tokens=overall - 1, now=now)
        if mine is None or (exists and pair is None):
            _bound(db, limits.max_rows)
        return Gate(0.0, "", self._delay(failures, now, now))

    def succeeded(self, db: Connection, name: str, client: str, *, now: float) -> None:
        """A correct password: the pair's failures are cleared and the tokens given back."""
        limits = self.limits
        db.execute(
            "DELETE FROM signin_throttle WHERE kind = ? AND name = ? AND client = ?",
            (PAIR, name, client),
        )
        for kind, who, burst, rate in (
            (CLIENT, client, limits.client_burst, limits.client_rate),
            (ALL, "", limits.global_burst, limits.global_rate),
        ):
            row = _row(db, kind, "", who)
            if row is not None:
                level = min(burst, _level(row, burst, rate, now) + 1)
                db.execute(
                    "UPDATE signin_throttle SET tokens = ?, last_at = ?"
                    " WHERE kind = ? AND name = '' AND client = ?",
                    (level, now, kind, who),
                )

    def _delay(self, failures: int, last_at: float, now: float) -> float:
        free = self.limits.free_failures
        if failures < free:
            return 0.0
        delay = min(2.0 ** (failures - free + 1), self.limits.max_delay)
        return max(0.0, last_at + delay - now)


def _create(db: Connection) -> None:
    for statement in TABLE_SQL:
        db.execute(statement)


def _prepare(db: Connection, forget_before: float) -> None:
    _create(db)
    db.execute("DELETE FROM signin_throttle WHERE kind <> ? AND last_at < ?", (ALL, forget_before))


def _row(db: Connection, kind: str, name: str, client: str) -> Any:
    return db.execute(
        "SELECT failures, tokens, last_at, unknown FROM signin_throttle"
        " WHERE kind = ? AND name = ? AND client = ?",
        (kind, name, client),
    ).fetchone()


def _put(
    db: Connection,
    kind: str,
    name: str,
    client: str,
    *,
    now: float,
    failures: int = 0,
    tokens: float = 0.0,
    unknown: dict[str, tuple[int, float]] | None = None,
) -> None:
    db.execute(
        "INSERT INTO signin_throttle (kind, name, client, failures, tokens, last_at, unknown)"
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, name, client) DO UPDATE SET"
        " failures = excluded.failures, tokens = excluded.tokens,"
        " last_at = excluded.last_at, unknown = excluded.unknown",
        (
            kind,
            name,
            client,
            failures,
            tokens,
            now,
            json.dumps({k: list(v) for k, v in (unknown or {}).items()}),
        ),
    )


def _level(row: Any, burst: float, rate: float, now: float) -> float:
    """A token bucket's level now: refilled at ``rate`` per second, up to ``burst``."""
    if row is None:
        return burst
    elapsed = max(0.0, now - float(row["last_at"]))
    return min(burst, float(row["tokens"]) + elapsed * rate)


def _unknown(row: Any, forget_before: float) -> dict[str, tuple[int, float]]:
    """A client's recent failures for names that do not exist, by name hash."""
    if row is None:
        return {}
    try:
        stored = json.loads(str(row["unknown"] or "{}"))
        entries = {str(k): (int(v[0]), float(v[1])) for k, v in dict(stored).items()}
    except (ValueError, TypeError, IndexError, KeyError):
        return {}
    return {k: v for k, v in entries.items() if v[1] >= forget_before}


def _bound(db: Connection, max_rows: int) -> None:
    """At most ``max_rows`` rows: the least recently touched go first."""
    found = db.execute("SELECT COUNT(*) AS n FROM signin_throttle").fetchone()
    excess = int(found["n"]) - max_rows
    if excess > 0:
        db.execute(
            "DELETE FROM signin_throttle WHERE kind <> ? AND (kind, name, client) IN"
            " (SELECT kind, name, client FROM signin_throttle WHERE kind <> ?"
            " ORDER BY last_at LIMIT ?)",
            (ALL, ALL, excess),
        )


def _digest(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
