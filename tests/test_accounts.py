"""Local staff accounts: salted scrypt hashes, slowing failed sign-ins, the CLI."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from metrics.accounts import AccountError, Accounts
from metrics.store import STORE_ENV

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(tmp_path: Path) -> Accounts:
    a = Accounts(tmp_path)
    a.add("张三", PASSWORD)
    return a


def test_sign_in(accounts: Accounts) -> None:
    assert accounts.sign_in("张三", PASSWORD).ok
    assert accounts.sign_in(" 张三 ", PASSWORD).ok  # names are trimmed
    wrong = accounts.sign_in("张三", "wrong password")
    assert not wrong.ok and wrong.message == "账号或密码不正确"
    assert not accounts.sign_in("李四", PASSWORD).ok


def test_only_salted_hashes_are_stored(accounts: Accounts) -> None:
    accounts.add("李四", PASSWORD)
    with sqlite3.connect(accounts.path) as db:
        rows = db.execute("SELECT salt, hash FROM users").fetchall()
    raw = accounts.path.read_bytes()
    assert PASSWORD.encode() not in raw
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
    assert run("list").stdout.split() == ["张三"]
    assert Accounts(tmp_path).sign_in("张三", PASSWORD).ok
    assert run("remove", "张三").returncode == 0
    assert run("remove", "张三").returncode == 1


def test_oidc_staff_needs_the_staff_list() -> None:
    from ui.auth import oidc_staff

    staff = ["Zhang.San@huiji.gov.cn", " "]
    signed_in = {"is_logged_in": True, "name": "张三", "email": "zhang.san@huiji.gov.cn"}
    assert oidc_staff(signed_in, staff) == "张三（zhang.san@huiji.gov.cn）"
    assert oidc_staff({**signed_in, "is_logged_in": False}, staff) is None
    assert oidc_staff({**signed_in, "email": "wangwu@huiji.gov.cn"}, staff) is None
    assert oidc_staff(signed_in, []) is None  # an empty list admits nobody
    assert oidc_staff({"is_logged_in": True, "email": ""}, ["", " "]) is None
