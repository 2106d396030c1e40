"""Local staff accounts for offices without an identity provider.

Passwords are kept only as salted scrypt hashes (``hashlib.scrypt``, n=2**14, r=8,
p=1): in ``accounts.sqlite3`` inside the store folder, or in the ``users`` table of the
PostgreSQL database (``ZHENGGAI_DATABASE_URL``; see ``metrics.store.backend``). There
is no default account and no default password: accounts are created with
``python -m metrics users add``.

Failed sign-ins slow down per (name, client), not per name: after three failures in a
row from one client, each further attempt for that name from that client must wait
2, 4, 8 … seconds (at most 5 minutes), while the owner signing in from elsewhere is not
held up. Password checks are also limited per client and overall
(``metrics.store.signin_throttle``; the client is worked out by
``metrics.store.signin_client``). The limits are checked and the attempt counted in one
write transaction (``BEGIN IMMEDIATE``, or an advisory lock in PostgreSQL), before the
password is checked, so attempts made in parallel cannot all slip through before any
of them is counted; a correct password then clears the count.

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
from metrics.store.backend import DATABASE_URL_ENV, Database, is_database_url
from metrics.store.signin_client import LOCAL_CLIENT
from metrics.store.signin_throttle import Limits, Throttle
from metrics.store.sqlite_backend import accounts_database
from metrics.store.versions import default_root

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
FREE_FAILURES = Limits().free_failures
MAX_DELAY_SECONDS = Limits().max_delay
MIN_PASSWORD_LENGTH = 10
MAX_NAME_LENGTH = 64


class AccountError(ValueError):
    """A refused account operation; ``str(error)`` is a Chinese message."""


@dataclass(frozen=True, slots=True)
class SignIn:
    ok: bool
    name: str
    retry_after: float = 0.0  # seconds to wait before this client's next attempt
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

    def __init__(self, where: Path | Database, *, limits: Limits | None = None) -> None:
        if isinstance(where, Path):
            where.mkdir(parents=True, exist_ok=True)
            self.path = where / "accounts.sqlite3"
            where = accounts_database(self.path)
        self._db: Database = where
        self._throttle = Throttle(limits)

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
        name = clean_name(name)
        display_name = clean_display_name(display_name)
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
                    display_name,
                ),
            )

    def account(self, name: str) -> Account | None:
        try:
            name = clean_name(name)
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
                (role.value, json.dumps(list(units), ensure_ascii=False), clean_name(name)),
            ).rowcount
        if not changed:
            raise AccountError(f"账号“{name}”不存在")

    def remove(self, name: str) -> None:
        with self._db.transaction() as db:
            gone = db.execute("DELETE FROM users WHERE name = ?", (clean_name(name),)).rowcount
        if not gone:
            raise AccountError(f"账号“{name}”不存在")

    def names(self) -> list[str]:
        with self._db.reading() as db:
            rows = db.execute("SELECT name FROM users ORDER BY name").fetchall()
        return [str(row["name"]) for row in rows]

    def set_display_name(self, name: str, display_name: str) -> None:
        """What visitors see instead of the account name (empty: the role)."""
        shown = clean_display_name(display_name)
        with self._db.transaction() as db:
            changed = db.execute(
                "UPDATE users SET display_name = ? WHERE name = ?", (shown, clean_name(name))
            ).rowcount
        if not changed:
            raise AccountError(f"账号“{name}”不存在")

    def sign_in(
        self, name: str, password: str, *, client: str = LOCAL_CLIENT, now: float | None = None
    ) -> SignIn:
        """Check a password. ``client``: where the attempt comes from
        (``metrics.store.signin_client.client_key``); failures slow down the next
        attempts for this name from this client only."""
        moment = time.time() if now is None else now
        try:
            name = clean_name(name)
        except AccountError as exc:
            return SignIn(False, name, 0.0, str(exc))
        # The limits and the count together, under the write lock: of many attempts made
        # at once, only as many get past as the limits allow.
        with self._db.transaction() as db:
            row = db.execute(
                "SELECT salt, hash, n, r, p FROM users WHERE name = ?", (name,)
            ).fetchone()
            gate = self._throttle.admit(db, name, client, exists=row is not None, now=moment)
        if gate.wait > 0:
            return SignIn(False, name, gate.wait, gate.message)
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
                self._throttle.succeeded(db, name, client, now=moment)
            return SignIn(True, name)
        return SignIn(False, name, gate.after_failure, "账号或密码不正确")


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


def clean_name(name: str, what: str = "账号名") -> str:
    """An account name as stored: NFKC, trimmed; refused (``AccountError``, saying
    ``what`` it is) when empty, longer than 64 characters, or holding whitespace or
    control, format or unassigned characters (newlines, bidi overrides …)."""
    cleaned = unicodedata.normalize("NFKC", name).strip()
    if (
        not cleaned
        or len(cleaned) > MAX_NAME_LENGTH
        or any(ch.isspace() or unicodedata.category(ch).startswith("C") for ch in cleaned)
    ):
        raise AccountError(
            f"{what}不能为空，不能含空格、换行或控制字符，最长 {MAX_NAME_LENGTH} 个字符"
        )
    return cleaned


def clean_display_name(text: str) -> str:
    """A display name as stored: NFKC, trimmed, runs of spaces as one; refused when it
    holds newlines or other control characters or is longer than 64 characters."""
    normal = unicodedata.normalize("NFKC", text)
    cleaned = " ".join(normal.split())
    if len(cleaned) > MAX_NAME_LENGTH or any(
        unicodedata.category(ch).startswith("C") or (ch.isspace() and ch != " ")
        for ch in normal.strip()
    ):
        raise AccountError(f"显示名称不能含换行或控制字符，最长 {MAX_NAME_LENGTH} 个字符")
    return cleaned
