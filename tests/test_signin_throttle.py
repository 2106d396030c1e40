"""Sign-in that nobody else can lock (issue #19): failures slow down per (name, client),
password checks are limited per client and overall, names that do not exist leave no
rows and are answered like names that do, the throttle's rows expire and are bounded,
and the client address is taken from proxy headers only when the peer is trusted."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import metrics.store.accounts
from metrics.store.accounts import Accounts, SignIn, open_accounts
from metrics.store.signin_client import client_key, trusted_proxies
from metrics.store.signin_throttle import Limits
from metrics.store.versions import backend_from
from tests.postgres import psql_rows

PASSWORD = "correct horse battery"
ATTACKER = "203.0.113.7"
OWNER = "198.51.100.20"
T0 = 1_000_000.0


def accounts_at(where: Path | str, limits: Limits | None = None) -> Accounts:
    accounts = Accounts(backend_from(where).accounts, limits=limits)
    if "zhangsan" not in accounts.names():
        accounts.add("zhangsan", PASSWORD, display_name="张三")
    return accounts


def rows(where: Path | str, sql: str = "SELECT * FROM signin_throttle") -> list[Any]:
    if isinstance(where, str):
        return psql_rows(where, sql)
    with contextlib.closing(sqlite3.connect(where / "accounts.sqlite3")) as db:
        return db.execute(sql).fetchall()


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """The password checks made (salts), with scrypt itself replaced by something fast
    (for tests that count checks rather than time them)."""
    made: list[bytes] = []
    real = metrics.store.accounts._hash

    def counted(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
        made.append(salt)
        return real(password, salt, 2, 1, 1)

    monkeypatch.setattr(metrics.store.accounts, "_hash", counted)
    real_add = Accounts.add

    def add(self: Accounts, *args: Any, **kwargs: Any) -> None:
        real_add(self, *args, **kwargs)
        made.clear()  # creating the account is not a check

    monkeypatch.setattr(Accounts, "add", add)
    yield made


def outcome(result: SignIn) -> tuple[bool, str, float]:
    return result.ok, result.message, result.retry_after


def test_an_attacker_failing_every_few_minutes_does_not_lock_the_owner_out(
    store_location: Path | str,
) -> None:
    """Measured on main before the fix (/tmp script, the same scenario): the owner was
    refused 30 times out of 30 with "尝试次数过多，请 240 秒后再试". Now the owner, from
    another address, signs in at once every time; only the attacker's address waits."""
    accounts = accounts_at(store_location)
    t = T0
    for _ in range(12):  # a first burst, each attempt as soon as it is allowed
        t += max(accounts.sign_in("zhangsan", "guess", client=ATTACKER, now=t).retry_after, 1)
    for every in (300, 240, 240, 300, 180):  # then one wrong password every few minutes
        t += every
        accounts.sign_in("zhangsan", "guess", client=ATTACKER, now=t)
        owner = accounts.sign_in("zhangsan", PASSWORD, client=OWNER, now=t + 60)
        assert owner.ok, owner.message
    held = accounts.sign_in("zhangsan", PASSWORD, client=ATTACKER, now=t + 61)
    assert not held.ok and held.message.startswith("尝试次数过多，请 ")
    t += 1000
    for n in range(50):  # hammering: fifty attempts within a second
        accounts.sign_in("zhangsan", f"guess{n}", client=ATTACKER, now=t + n / 50)
    assert accounts.sign_in("zhangsan", PASSWORD, client=OWNER, now=t + 1).ok
    # The owner's own typos slow down only the owner's address, and a success clears them.
    for _ in range(3):
        accounts.sign_in("zhangsan", "typo", client=OWNER, now=t + 100)
    assert accounts.sign_in("zhangsan", PASSWORD, client=OWNER, now=t + 100).retry_after > 0
    assert accounts.sign_in("zhangsan", PASSWORD, client=OWNER, now=t + 200).ok
    assert accounts.sign_in("zhangsan", "typo", client=OWNER, now=t + 201).retry_after == 0


def test_a_burst_of_unknown_names_adds_no_rows(
    store_location: Path | str, hashes: list[bytes]
) -> None:
    accounts = accounts_at(store_location)
    accounts.sign_in("zhangsan", "guess", client=ATTACKER, now=T0)
    before = len(rows(store_location))  # the pair, the attacker's bucket, the global one
    assert before == 3
    for n in range(25):
        result = accounts.sign_in(f"user{n}", "guess", client=ATTACKER, now=T0 + n / 10)
        assert outcome(result) == (False, "账号或密码不正确", 0.0)
    assert len(rows(store_location)) == before
    assert len(hashes) == 26  # every one was checked, against the dummy hash for unknown names
    assert "user1" not in repr(rows(store_location))


def test_an_unknown_name_is_answered_like_an_existing_one(
    store_location: Path | str, hashes: list[bytes]
) -> None:
    """Same answers, same waits: the answers do not tell which names exist."""
    accounts = accounts_at(store_location)
    moments = [T0, T0, T0, T0 + 1, T0 + 2.5, T0 + 5, T0 + 6, T0 + 20, T0 + 3700]
    real = [
        outcome(accounts.sign_in("zhangsan", "guess", client="192.0.2.1", now=t)) for t in moments
    ]
    fake = [
        outcome(accounts.sign_in("nobody", "guess", client="192.0.2.2", now=t)) for t in moments
    ]
    assert real == fake
    assert [m for _, m, _ in real].count("账号或密码不正确") == 6
    assert any(m.startswith("尝试次数过多") for _, m, _ in real)
    checked = len(hashes)
    accounts.sign_in("nobody", "guess", client="192.0.2.3", now=T0)
    assert len(hashes) == checked + 1  # a password check for a name that does not exist too


def test_each_client_has_its_own_limit(store_location: Path | str, hashes: list[bytes]) -> None:
    accounts = accounts_at(store_location, Limits(client_burst=5, client_rate=0.5))
    for n in range(5):
        assert accounts.sign_in(f"user{n}", "guess", client=ATTACKER, now=T0).message == (
            "账号或密码不正确"
        )
    refused = accounts.sign_in("zhangsan", PASSWORD, client=ATTACKER, now=T0)
    assert outcome(refused) == (False, "登录尝试过于频繁，请 2 秒后再试", 2.0)
    assert len(hashes) == 5  # the refused attempt cost no password check
    assert accounts.sign_in("zhangsan", PASSWORD, client=OWNER, now=T0).ok
    assert accounts.sign_in("zhangsan", PASSWORD, client=ATTACKER, now=T0 + 2).ok


def test_the_global_limit_bounds_the_password_checks(
    store_location: Path | str, hashes: list[bytes]
) -> None:
    limits = Limits(global_burst=6, global_rate=2.0)
    accounts = accounts_at(store_location, limits)
    for n in range(40):  # 40 clients at the same moment, each well within its own limit
        accounts.sign_in("zhangsan", "guess", client=f"10.0.{n}.1", now=T0)
    assert len(hashes) == 6  # the server spent six scrypt checks, not forty
    refused = accounts.sign_in("zhangsan", PASSWORD, client=OWNER, now=T0)
    assert outcome(refused) == (False, "当前登录请求过多，请 1 秒后再试", 0.5)
    assert accounts.sign_in("zhangsan", PASSWORD, client=OWNER, now=T0 + 0.5).ok
    # A success gives its token back: the next person at that moment is checked too.
    again = accounts.sign_in("zhangsan", PASSWORD, client="192.0.2.9", now=T0 + 0.5)
    assert again.ok


def test_the_default_limits_keep_scrypt_to_a_share_of_one_core(
    store_location: Path | str, hashes: list[bytes]
) -> None:
    limits = Limits()
    accounts = accounts_at(store_location, limits)
    for second in range(10):  # 20 attempts a second from 200 addresses, for 10 seconds
        for n in range(20):
            client = f"10.1.{n}.{second}"
            accounts.sign_in(f"user{n}", "guess", client=client, now=T0 + second + n / 20)
    assert len(hashes) <= limits.global_burst + 10 * limits.global_rate
    assert limits.global_rate * 0.045 < 0.5  # at ~45 ms a check, under half a core


def test_the_throttle_forgets_and_is_bounded(
    store_location: Path | str, hashes: list[bytes]
) -> None:
    limits = Limits(max_rows=20, forget_after=100)
    accounts = accounts_at(store_location, limits)
    for n in range(50):
        accounts.sign_in("zhangsan", "guess", client=f"10.2.{n}.1", now=T0 + n / 100)
    assert len(rows(store_location)) <= 20
    accounts.sign_in("zhangsan", "guess", client=ATTACKER, now=T0 + 200)
    kinds = sorted(str(r[0]) for r in rows(store_location, "SELECT kind FROM signin_throttle"))
    assert kinds == ["all", "client", "pair"]  # everything older than 100 s is gone


def test_the_old_per_name_lockout_no_longer_counts(store_location: Path | str) -> None:
    """A store upgraded in place: a lockout left in the old ``failures`` table (the
    per-name count) does not keep the owner out."""
    accounts = accounts_at(store_location)
    insert = "INSERT INTO failures (name, count, last_at) VALUES ('zhangsan', 40, 9e9)"
    if isinstance(store_location, str):
        psql_rows(store_location, insert)
    else:
        with contextlib.closing(sqlite3.connect(store_location / "accounts.sqlite3")) as db:
            db.execute(insert)
            db.commit()
    assert accounts.sign_in("zhangsan", PASSWORD, client=OWNER).ok


def test_an_accounts_file_of_an_earlier_release_signs_in(tmp_path: Path) -> None:
    """``accounts.sqlite3`` without the throttle table (nor roles): upgraded on use."""
    scrypt = metrics.store.accounts
    salt = b"s" * 16
    digest = scrypt._hash(PASSWORD, salt, scrypt.SCRYPT_N, scrypt.SCRYPT_R, scrypt.SCRYPT_P)
    with contextlib.closing(sqlite3.connect(tmp_path / "accounts.sqlite3")) as db:
        db.executescript(
            "CREATE TABLE users (name TEXT PRIMARY KEY, salt BLOB NOT NULL, hash BLOB NOT NULL,"
            " n INTEGER NOT NULL, r INTEGER NOT NULL, p INTEGER NOT NULL,"
            " created_at TEXT NOT NULL);"
            "CREATE TABLE failures (name TEXT PRIMARY KEY, count INTEGER NOT NULL,"
            " last_at REAL NOT NULL);"
        )
        db.execute(
            "INSERT INTO users VALUES ('老张', ?, ?, ?, ?, ?, '2025-01-01')",
            (salt, digest, scrypt.SCRYPT_N, scrypt.SCRYPT_R, scrypt.SCRYPT_P),
        )
        db.commit()
    accounts = open_accounts(tmp_path)
    assert not accounts.sign_in("老张", "guess", client=ATTACKER).ok
    assert accounts.sign_in("老张", PASSWORD, client=OWNER).ok


@pytest.mark.parametrize(
    ("peer", "forwarded", "real_ip", "trusted", "expected"),
    [
        # A direct connection: the peer, whatever headers it sends.
        ("203.0.113.7", ["198.51.100.1"], "198.51.100.2", None, "203.0.113.7"),
        # nginx on the same host (peer loopback: Streamlit gives None): the last hop.
        (None, ["198.51.100.1"], None, None, "198.51.100.1"),
        ("127.0.0.1", ["6.6.6.6, 198.51.100.1"], None, None, "198.51.100.1"),
        # What a client writes into X-Forwarded-For itself stays on the left, unused.
        (None, ["1.1.1.1", "6.6.6.6, 198.51.100.1"], None, None, "198.51.100.1"),
        # Two trusted proxies in a row.
        ("10.0.0.5", ["6.6.6.6, 198.51.100.1, 10.0.0.9"], None, "10.0.0.0/8", "198.51.100.1"),
        # X-Real-IP only without X-Forwarded-For, and only from a trusted peer.
        (None, [], "198.51.100.3", None, "198.51.100.3"),
        ("10.0.0.5", [], "198.51.100.3", None, "10.0.0.5"),
        # A proxy elsewhere is trusted only when listed.
        ("10.0.0.5", ["198.51.100.1"], None, None, "10.0.0.5"),
        ("10.0.0.5", ["198.51.100.1"], None, "10.0.0.5, 192.168.0.0/16", "198.51.100.1"),
        ("10.0.0.5", ["198.51.100.1"], None, "", "10.0.0.5"),
        # Not an address: the last proxy that wrote one.
        (None, ["garbage"], None, None, "127.0.0.1"),
        # IPv6: one /64 is one client; ports and IPv4-mapped forms are understood.
        ("2001:db8:1:2::abcd", [], None, None, "2001:db8:1:2::/64"),
        (None, ["[2001:db8:1:2::99]:4433"], None, None, "2001:db8:1:2::/64"),
        (None, ["198.51.100.1:5555"], None, None, "198.51.100.1"),
        ("::ffff:198.51.100.4", [], None, None, "198.51.100.4"),
        (None, [], None, None, "127.0.0.1"),
    ],
)
def test_the_client_address(
    peer: str | None, forwarded: list[str], real_ip: str | None, trusted: str | None, expected: str
) -> None:
    networks, invalid = trusted_proxies(trusted)
    assert invalid == ()
    assert client_key(peer, forwarded, real_ip, networks) == expected


def test_trusted_proxies_setting() -> None:
    networks, invalid = trusted_proxies("10.0.0.1 ,fd00::/8, nginx")
    assert [str(n) for n in networks] == ["10.0.0.1/32", "fd00::/8"]
    assert invalid == ("nginx",)
    assert [str(n) for n in trusted_proxies(None)[0]] == ["127.0.0.1/32", "::1/128"]
