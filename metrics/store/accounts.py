"""Local staff accounts for offices without an identity provider.

Passwords are kept only as salted scrypt hashes (``hashlib.scrypt``, n=2**14, r=8,
p=1): in ``accounts.sqlite3`` inside the store folder, or in the ``users`` table of the
PostgreSQL database (``ZHENGGAI_DATABASE_URL``; see ``metrics.store.backend``). There
is no default account and no default password: accounts are created with
``python -m metrics users add``. Repeated failed sign-ins slow down: after three
failures in a row, each further attempt for that name must wait 2, 4, 8 … seconds (at
most 5 minutes). The wait is checked and the attempt counted in one write transaction
(``BEGIN IMMEDIATE``, or an advisory lock in PostgreSQL), before the password is
checked, so attempts made in parallel cannot all slip through before any of them is
counted; a correct password then clears the count.

Every connection is closed (or given back to the pool) after use.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import os
import secrets
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metrics.rounds.roles import Principal, Role
from metrics.store.backend import DATABASE_URL_ENV, Connection, Database, is_database_url
from metrics.store.sqlite_backend import accounts_database
from metrics.store.versions import default_root

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
FREE_FAILURES = 3
MAX_DELAY_SECONDS = 300
MIN_PASSWORD_LENGTH = 10


class AccountError(ValueError):
    """A refused account operation; ``str(error)`` is a Chinese message."""


@dataclass(frozen=True, slots=True)
class SignIn:
    ok: bool
    name: str
    retry_after: float = 0.0  # seconds to wait before the next attempt for this name
    message: str = ""


@dataclass(frozen=True, slots=True)
class Account:
    """An account without its secrets: who it is and what it may do."""

    name: str
    role: Role
    units: tuple[str, ...] = ()
    display_name: str = ""

    def principal(self, channel: str = "网页") -> Principal:
        return Principal(self.name, self.role, frozenset(self.units), channel)


def open_accounts(where: str | Path) -> Accounts:
    """The accounts at ``where``: a ``postgresql://`` URL or a store folder."""
    if isinstance(where, str) and is_database_url(where):
        from metrics.store.postgres_backend import PostgresBackend

        return Accounts(PostgresBackend(where).accounts)
    return Accounts(Path(where))


def open_accounts_from_env() -> Accounts:
    """``ZHENGGAI_DATABASE_URL`` if set, else the store folder (``ZHENGGAI_STORE``)."""
    return open_accounts(os.environ.get(DATABASE_URL_ENV) or default_root())


class Accounts:
    """``Accounts(store_folder)``: ``accounts.sqlite3`` there; ``Accounts(database)``: any
    backend's accounts database."""

    def __init__(self, where: Path | Database) -> None:
        if isinstance(where, Path):
            where.mkdir(parents=True, exist_ok=True)
            self.path = where / "accounts.sqlite3"
            where = accounts_database(self.path)
        self._db: Database = where

    def add(
        self,
        name: str,
        password: str,
        *,
        role: Role = Role.OFFICE,
        units: tuple[str, ...] = (),
        display_name: str = "",
    ) -> None:
        """A new account. Unit roles need at least one unit (checked against the data by
        the caller, ``metrics.rounds.accounts_admin``); other roles take none."""
        name = _clean_name(name)
        units = _checked_units(role, units)
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 个字符")
        salt = secrets.token_bytes(16)
        digest = _hash(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        with self._db.transaction() as db:
            if db.execute("SELECT 1 AS found FROM users WHERE name = ?", (name,)).fetchone():
                raise AccountError(f"账号“{name}”已存在")
            db.execute(
                "INSERT INTO users (name, salt, hash, n, r, p, created_at, role, units,"
                " display_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    salt,
                    digest,
                    SCRYPT_N,
                    SCRYPT_R,
                    SCRYPT_P,
                    now,
                    role.value,
                    json.dumps(list(units), ensure_ascii=False),
                    display_name.strip(),
                ),
            )

    def account(self, name: str) -> Account | None:
        try:
            name = _clean_name(name)
        except AccountError:
            return None
        with self._db.reading() as db:
            row = db.execute(
                "SELECT name, role, units, display_name FROM users WHERE name = ?", (name,)
            ).fetchone()
        return _account(row) if row is not None else None

    def accounts(self) -> list[Account]:
        with self._db.reading() as db:
            rows = db.execute(
                "SELECT name, role, units, display_name FROM users ORDER BY name"
            ).fetchall()
        return [_account(row) for row in rows]

    def set_role(self, name: str, role: Role, units: tuple[str, ...] = ()) -> None:
        units = _checked_units(role, units)
        with self._db.transaction() as db:
            changed = db.execute(
                "UPDATE users SET role = ?, units = ? WHERE name = ?",
                (role.value, json.dumps(list(units), ensure_ascii=False), _clean_name(name)),
            ).rowcount
        if not changed:
            raise AccountError(f"账号“{name}”不存在")

    def remove(self, name: str) -> None:
        with self._db.transaction() as db:
            gone = db.execute("DELETE FROM users WHERE name = ?", (_clean_name(name),)).rowcount
        if not gone:
            raise AccountError(f"账号“{name}”不存在")

    def names(self) -> list[str]:
        with self._db.reading() as db:
            rows = db.execute("SELECT name FROM users ORDER BY name").fetchall()
        return [str(row["name"]) for row in rows]

    def sign_in(self, name: str, password: str, *, now: float | None = None) -> SignIn:
        """Check a password; failures are counted per name and slow the next attempts."""
        moment = time.time() if now is None else now
        try:
            name = _clean_name(name)
        except AccountError as exc:
            return SignIn(False, name, 0.0, str(exc))
        # The gate and the count together, under the write lock: of many attempts made
        # at once, only as many get past as the slow-down allows.
        with self._db.transaction() as db:
            wait = _waiting(db, name, moment)
            if wait > 0:
                return SignIn(False, name, wait, f"尝试次数过多，请 {wait:.0f} 秒后再试")
            db.execute(
                "INSERT INTO failures (name, count, last_at) VALUES (?, 1, ?) ON CONFLICT (name)"
                " DO UPDATE SET count = failures.count + 1, last_at = excluded.last_at",
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
            digest = _hash(password, bytes(row["salt"]), row["n"], row["r"], row["p"])
            ok = hmac.compare_digest(digest, bytes(row["hash"]))
        if ok:
            with self._db.transaction() as db:
                db.execute("DELETE FROM failures WHERE name = ?", (name,))
            return SignIn(True, name)
        return SignIn(False, name, wait, "账号或密码不正确")


def _checked_units(role: Role, units: tuple[str, ...]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(u.strip() for u in units if u.strip()))
    if role in (Role.UNIT, Role.UNIT_HEAD) and not cleaned:
        raise AccountError(f"{role.label}账号必须指定所属单位（--unit 单位名称）")
    if role not in (Role.UNIT, Role.UNIT_HEAD) and cleaned:
        raise AccountError(f"{role.label}账号不属于某个单位：请去掉 --unit")
    return cleaned


def _account(row: Any) -> Account:
    units = json.loads(str(row["units"] or "[]"))
    return Account(
        str(row["name"]),
        Role(str(row["role"])),
        tuple(str(u) for u in units),
        str(row["display_name"] or ""),
    )


def _waiting(db: Connection, name: str, now: float) -> float:
    row = db.execute("SELECT count, last_at FROM failures WHERE name = ?", (name,)).fetchone()
    if row is None or row["count"] < FREE_FAILURES:
        return 0.0
    failures = int(row["count"])
    last_at = float(row["last_at"])
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
