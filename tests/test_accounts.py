"""Local staff accounts: salted scrypt hashes, slowing failed sign-ins, the CLI.
(Sign-in limits per client and overall: tests/test_signin_throttle.py.)"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from metrics.store.accounts import FREE_FAILURES, AccountError, Accounts, open_accounts
from metrics.store.versions import STORE_ENV
from tests.postgres import psql_rows

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(store_location: Path | str) -> Accounts:
    """Accounts on each backend (the embedded folder and a real PostgreSQL)."""
    a = open_accounts(store_location)
    a.add("张三", PASSWORD)
    return a


def _rows(where: Path | str, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
    """Rows straight from the accounts database at ``store_location``, past ``Accounts``."""
    if isinstance(where, str):
        return psql_rows(where, sql.replace("?", "%s"), params)
    with contextlib.closing(sqlite3.connect(where / "accounts.sqlite3")) as db:
        return db.execute(sql, params).fetchall()


def test_sign_in(accounts: Accounts) -> None:
    assert accounts.sign_in("张三", PASSWORD).ok
    assert accounts.sign_in(" 张三 ", PASSWORD).ok  # names are trimmed
    wrong = accounts.sign_in("张三", "wrong password")
    assert not wrong.ok and wrong.message == "账号或密码不正确"
    assert not accounts.sign_in("李四", PASSWORD).ok


def test_only_salted_hashes_are_stored(accounts: Accounts, store_location: Path | str) -> None:
    accounts.add("李四", PASSWORD)
    rows = _rows(store_location, "SELECT salt, hash FROM users")
    if isinstance(store_location, Path):
        assert PASSWORD.encode() not in (store_location / "accounts.sqlite3").read_bytes()
    stored = _rows(store_location, "SELECT * FROM users")
    assert PASSWORD not in repr(stored) and PASSWORD.encode().hex() not in repr(stored)
    assert rows[0][0] != rows[1][0] and rows[0][1] != rows[1][1]  # same password, other salt


def test_repeated_failures_slow_down(accounts: Accounts) -> None:
    t = 1_000_000.0
    for _ in range(3):
        assert accounts.sign_in("张三", "nope", now=t).retry_after in (0.0, 2.0)
    locked = accounts.sign_in("张三", PASSWORD, now=t + 1)
    assert not locked.ok and locked.retry_after > 0 and "秒后再试" in locked.message
    assert accounts.sign_in("张三", PASSWORD, now=t + 3).ok  # waited long enough
    assert accounts.sign_in("张三", "nope", now=t + 4).retry_after == 0.0  # reset by success


def test_delay_grows_and_is_capped(accounts: Accounts) -> None:
    t = 2_000_000.0
    waits = []
    for _ in range(15):
        t += 1000
        waits.append(accounts.sign_in("张三", "nope", now=t).retry_after)
    assert waits[:2] == [0.0, 0.0]
    assert waits[2:6] == [2.0, 4.0, 8.0, 16.0]
    assert max(waits) == 300


@pytest.mark.parametrize(
    ("name", "password"), [("", PASSWORD), ("a b", PASSWORD), ("王五", "short")]
)
def test_bad_new_accounts(accounts: Accounts, name: str, password: str) -> None:
    with pytest.raises(AccountError):
        accounts.add(name, password)


def test_duplicate_and_removal(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="已存在"):
        accounts.add("张三", PASSWORD)
    accounts.remove("张三")
    assert accounts.names() == []
    with pytest.raises(AccountError, match="不存在"):
        accounts.remove("张三")


def test_users_command_line(tmp_path: Path) -> None:
    env = {STORE_ENV: str(tmp_path), "PYTHONIOENCODING": "utf-8"}

    def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "metrics", "users", *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env={**os.environ, **env},
            check=False,
        )

    assert run("list").stdout.startswith("（还没有账号")
    assert run("add", "张三", stdin=PASSWORD + "\n").returncode == 0
    assert run("add", "张三", stdin=PASSWORD + "\n").returncode == 1
    assert run("add", "李四", stdin="short\n").returncode == 1
    assert run("list").stdout.split() == ["张三", "整改办"]
    assert Accounts(tmp_path).sign_in("张三", PASSWORD).ok
    assert run("display-name", "张三", " 张三  主任 ").returncode == 0
    assert run("list").stdout.split("\t")[-1].strip() == "显示为 张三 主任"
    assert run("display-name", "张三", "张三\n李四").returncode == 1  # no forged lines
    assert run("display-name", "李四", "李四").returncode == 1  # no such account
    assert run("remove", "张三").returncode == 0
    assert run("remove", "张三").returncode == 1


def test_oidc_staff_needs_the_staff_list() -> None:
    from ui.auth import oidc_staff

    staff = ["Zhang.San@huiji.gov.cn", " "]
    signed_in = {
        "is_logged_in": True,
        "name": "张三",
        "email": "zhang.san@huiji.gov.cn",
        "email_verified": True,
    }
    assert oidc_staff(signed_in, staff) == "张三（zhang.san@huiji.gov.cn）"
    assert oidc_staff({**signed_in, "is_logged_in": False}, staff) is None
    assert oidc_staff({**signed_in, "email": "wangwu@huiji.gov.cn"}, staff) is None
    assert oidc_staff(signed_in, []) is None  # an empty list admits nobody
    assert oidc_staff({"is_logged_in": True, "email": ""}, ["", " "]) is None


def test_parallel_wrong_attempts_cannot_skip_the_slow_down(
    accounts: Accounts, store_location: Path | str
) -> None:
    """Wrong passwords sent at the same moment: the wait is checked and the attempt counted
    in one transaction, so only FREE_FAILURES attempts get their password checked and the
    rest are told to wait; the counter ends at the number of attempts checked."""
    attempts = 8
    start = threading.Barrier(attempts)
    t = 3_000_000.0

    def attempt(_: int) -> str:
        start.wait()
        return accounts.sign_in("张三", "wrong password", now=t).message

    with ThreadPoolExecutor(attempts) as pool:
        messages = list(pool.map(attempt, range(attempts)))
    checked = messages.count("账号或密码不正确")
    assert checked == FREE_FAILURES, messages
    assert all("秒后再试" in m for m in messages if m != "账号或密码不正确")
    assert failure_count(store_location, "张三") == checked
    # Spaced out past each wait, every attempt is checked and counted.
    for n in range(1, 4):
        t += 1000
        assert accounts.sign_in("张三", "wrong password", now=t).message == "账号或密码不正确"
        assert failure_count(store_location, "张三") == checked + n


def failure_count(where: Path | str, name: str) -> int:
    """Failures in a row for ``name`` from the default client (the throttle's pair row)."""
    rows = _rows(
        where,
        "SELECT failures FROM signin_throttle WHERE kind = 'pair' AND name = ?",
        (name,),
    )
    return int(rows[0][0]) if rows else 0


def test_every_accounts_connection_is_closed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[sqlite3.Connection] = []
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db: sqlite3.Connection = real(*args, **kwargs)
        opened.append(db)
        return db

    monkeypatch.setattr(sqlite3, "connect", connect)
    accounts = Accounts(tmp_path)
    accounts.add("张三", PASSWORD)
    with pytest.raises(AccountError):
        accounts.add("张三", PASSWORD)
    accounts.add("李四", PASSWORD)
    accounts.names()
    accounts.sign_in("张三", PASSWORD)
    for n in range(5):
        accounts.sign_in("李四", "wrong password", now=1000.0 + n)
    accounts.remove("李四")
    with pytest.raises(AccountError):
        accounts.remove("李四")
    assert len(opened) >= 10

    def is_open(db: sqlite3.Connection) -> bool:
        try:
            db.execute("SELECT 1")
        except sqlite3.ProgrammingError:
            return False
        return True

    assert [db for db in opened if is_open(db)] == []


def test_oidc_rights_come_only_from_a_verified_email_or_the_subject_id() -> None:
    from ui.auth import oidc_staff, staff_identity

    staff = ["Zhang.San@huiji.gov.cn", "idp|00u1abcd"]
    base: dict[str, object] = {"is_logged_in": True}
    # A display name or preferred_username equal to a staff entry grants nothing.
    assert staff_identity({**base, "name": "Zhang.San@huiji.gov.cn"}, staff) is None
    assert staff_identity({**base, "preferred_username": "zhang.san@huiji.gov.cn"}, staff) is None
    assert staff_identity({**base, "name": "idp|00u1abcd", "sub": "other"}, staff) is None
    # An e-mail counts only when the provider says it is verified.
    email = {**base, "email": "ZHANG.SAN@huiji.gov.cn"}
    assert staff_identity(email, staff) is None
    assert staff_identity({**email, "email_verified": False}, staff) is None
    assert staff_identity({**email, "email_verified": "false"}, staff) is None
    assert staff_identity({**email, "email_verified": True}, staff) == "Zhang.San@huiji.gov.cn"
    assert staff_identity({**email, "email_verified": "true"}, staff) == "Zhang.San@huiji.gov.cn"
    # The subject id counts as it is (exactly), verified e-mail or not.
    assert staff_identity({**base, "sub": "idp|00u1abcd"}, staff) == "idp|00u1abcd"
    assert staff_identity({**base, "sub": "IDP|00U1ABCD"}, staff) is None
    assert staff_identity({**base, "sub": "idp|00u1abcd", "is_logged_in": False}, staff) is None
    # Recorded as name and what was verified.
    assert oidc_staff({**base, "name": "张三", "sub": "idp|00u1abcd"}, staff) == (
        "张三（idp|00u1abcd）"
    )
    assert (
        oidc_staff(
            {
                **base,
                "name": "李四",
                "sub": "idp|00u1abcd",
                "email": "x@y.cn",
                "email_verified": False,
            },
            staff,
        )
        == "李四（idp|00u1abcd）"
    )  # an unverified e-mail is not put on record
