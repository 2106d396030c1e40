"""A store with some history, on either backend: for backup and restore tests."""

from __future__ import annotations

from pathlib import Path

from metrics.store.accounts import Accounts
from metrics.store.versions import Store, backend_from, open_store

PASSWORD = "correct horse battery"


def accounts_of(where: Path | str) -> Accounts:
    return Accounts(backend_from(where).accounts)


def filled_store(where: Path | str, bundled: Path) -> Store:
    """v1 bundled, v2 and v3 published, rolled back to v2; two staff accounts and one
    failed sign-in."""
    store = open_store(where)
    store.bootstrap(bundled, {"total": 35, "completed": 30})
    store.publish(
        b"v2",
        actor="张三",
        file_name="5月.xlsx",
        note="5月",
        counts={"total": 1},
        expected_current=1,
    )
    store.publish(b"v3", actor="李四", file_name="6月.xlsx", note="", counts={}, expected_current=2)
    store.rollback(2, actor="王五", note="6月数据有误", expected_current=3)
    accounts = accounts_of(where)
    accounts.add("张三", PASSWORD)
    accounts.add("李四", PASSWORD + "!")
    assert not accounts.sign_in("李四", "wrong").ok  # a failed sign-in is kept too
    return store
