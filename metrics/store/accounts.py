"""Local staff accounts for offices without an identity provider.

Passwords are kept only as salted scrypt hashes (``hashlib.scrypt``, n=2**14, r=8,
p=1) in ``accounts.sqlite3`` inside the store folder. There is no default account
and no default password: accounts are created with ``python -m metrics users add``.
Repeated failed sign-ins slow down: after three failures in a row, each further
attempt for that name must wait 2, 4, 8 … seconds (at most 5 minutes). The wait is
checked and the attempt counted in one ``BEGIN IMMEDIATE`` transaction, before the
password is checked, so attempts made in parallel cannot all slip through before any
of them is counted; a correct password then clears the count.

Every connection is closed after use (``with sqlite3.connect()`` alone would only end
the transaction).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import hmac
import secrets
import sqlite3
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from metrics.store.sqlite_db import immediate

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 300
MIN_PASSWORD_LENGTH = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name        TEXT PRIMARY KEY,
    salt        BLOB NOT NULL,
    hash        BLOB NOT NULL,
    n           INTEGER NOT NULL,
    r           INTEGER NOT NULL,
    p           INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS failures (
    name        TEXT PRIMARY KEY,
    count       INTEGER NOT NULL,
    last_at     REAL NOT NULL
);
"""


class AccountError(ValueError):
    """A refused account operation; ``str(error)`` is a Chinese message."""


@dataclass(frozen=True, slots=True)
class SignIn:
    ok: bool
    name: str
    retry_after: float = 0.0  # seconds to wait before the next attempt for this name
    message: str = ""


class Accounts:
    def __init__(self, store_root: Path) -> None:
        store_root.mkdir(parents=True, exist_ok=True)
        self.path = store_root / "accounts.sqlite3"
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def add(self, name: str, password: str) -> None:
        name = _clean_name(name)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")
        salt = secrets.token_bytes(16)
        digest = _hash(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        with self._transaction() as db:
            try:
                db.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (name, salt, digest, SCRYPT_N, SCRYPT_R, SCRYPT_P, now),
                )
            except sqlite3.IntegrityError:
                raise AccountError(f"账号“{name}”已存在") from None

    def remove(self, name: str) -> None:
        with self._transaction() as db:
            gone = db.execute("DELETE FROM users WHERE name = ?", (_clean_name(name),)).rowcount
        if not gone:
            raise AccountError(f"账号“{name}”不存在")

    def names(self) -> list[str]:
        with self._connect() as db:
            return [row[0] for row in db.execute("SELECT name FROM users ORDER BY name")]

    def sign_in(self, name: str, password: str, *, now: float | None = None) -> SignIn:
        """Check a password; failures are counted per name and slow the next attempts."""
        moment = time.time() if now is None else now
        try:
            name = _clean_name(name)
        except AccountError as exc:
            return SignIn(False, name, 0.0, str(exc))
        # The gate and the count together, under the write lock: of many attempts made
        # at once, only as many get past as the slow-down allows.
        with self._transaction() as db:
            wait = _waiting(db, name, moment)
            if wait > 0:
                return SignIn(False, name, wait, f"尝试次数过多，请 {wait:.0f} 秒后再试")
            db.execute(
                "INSERT INTO failures VALUES (?, 1, ?) ON CONFLICT(name) DO UPDATE"
                " SET count = count + 1, last_at = excluded.last_at",
                (name, moment),
            )
            wait = _waiting(db, name, moment)
            row = db.execute(
                "SELECT salt, hash, n, r, p FROM users WHERE name = ?", (name,)
            ).fetchone()
        # The slow part runs outside the lock; the attempt is already counted.
        if row is None:
            # Same work as a real check, so timing does not reveal which names exist.
            _hash(password, b"\0" * 16, SCRYPT_N, SCRYPT_R, SCRYPT_P)
            ok = False
        else:
            ok = hmac.compare_digest(_hash(password, row[0], row[2], row[3], row[4]), row[1])
        if ok:
            with self._transaction() as db:
                db.execute("DELETE FROM failures WHERE name = ?", (name,))
            return SignIn(True, name)
        return SignIn(False, name, wait, "账号或密码不正确")

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode, closed on the way out."""
        with contextlib.closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            yield db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE`` transaction (the write lock from its first statement),
        committed on success, rolled back on any exception, and the connection closed."""
        with self._connect() as db, immediate(db):
            yield db


def _waiting(db: sqlite3.Connection, name: str, now: float) -> float:
    row = db.execute("SELECT count, last_at FROM failures WHERE name = ?", (name,)).fetchone()
    if row is None or row[0] < FREE_FAILURES:
        return 0.0
    failures: int = row[0]
    last_at: float = row[1]
    delay = min(2.0 ** (failures - FREE_FAILURES + 1), float(MAX_DELAY_SECONDS))
    return max(0.0, last_at + delay - now)


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        unicodedata.normalize("NFC", password).encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        dklen=32,
        maxmem=64 * 1024 * 1024,
    )


def _clean_name(name: str) -> str:
    cleaned = unicodedata.normalize("NFKC", name).strip()
    if not cleaned or len(cleaned) > 64 or any(ch.isspace() or ord(ch) < 32 for ch in cleaned):
        raise AccountError("账号名不能为空、不能含空格，最长 64 个字符")
    return cleaned
