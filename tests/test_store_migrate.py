"""Copying an embedded store into PostgreSQL: history, accounts and files, hash-checked."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics.store.accounts import Accounts, open_accounts
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.migrate import MigrationError, migrate
from metrics.store.postgres_backend import close_pools
from metrics.store.versions import STORE_ENV, Store, open_store
from tests.lookups import current_version
from tests.postgres import PostgresServer, psql_rows

COUNTS = {"total": 35, "completed": 30}
PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _close_pools() -> Iterator[None]:
    """Each test uses new databases: their pooled connections go when it ends."""
    yield
    close_pools()


@pytest.fixture
def embedded(tmp_path: Path, bundled_workbook: Path) -> Store:
    """An embedded store with some history: published, rolled back, published again."""
    store = Store(tmp_path / "store")
    store.bootstrap(bundled_workbook, COUNTS)
    store.publish(
        b"may", actor="张三", file_name="5月.xlsx", note="五月", counts={}, expected_current=1
    )
    store.rollback(1, actor="李四", note="有误", expected_current=2)
    store.publish(
        b"june", actor="张三", file_name="6月.xlsx", note="", counts={}, expected_current=1
    )
    accounts = Accounts(tmp_path / "store")
    accounts.add("张三", PASSWORD)
    # A row of the per-name lockout table of earlier releases (sign-ins no longer write
    # it: their throttle is transient and not migrated); migrate still carries it.
    with contextlib.closing(sqlite3.connect(tmp_path / "store" / "accounts.sqlite3")) as db:
        db.execute("INSERT INTO failures (name, count, last_at) VALUES ('李四', 1, 1000.0)")
        db.commit()
    return store


def test_migrate_copies_history_accounts_and_files(
    embedded: Store, postgres_server: PostgresServer
) -> None:
    url = postgres_server.new_database()
    migrated = migrate(embedded.root, url)
    assert (migrated.versions, migrated.audit_entries, migrated.accounts) == (3, 4, 1)
    assert migrated.files == 3 and migrated.current == 3
    copy = open_store(url)
    assert copy.versions() == embedded.versions()
    assert copy.audit() == embedded.audit()
    assert copy.current() == embedded.current()
    assert copy.since(2) == embedded.since(2) and copy.previous_of(3) == embedded.previous_of(3)
    for version in embedded.versions():
        data = copy.read(version)
        assert data == embedded.read(version)
        assert hashlib.sha256(data).hexdigest() == version.sha256
    assert open_accounts(url).sign_in("张三", PASSWORD).ok
    assert psql_rows(url, "SELECT name, count FROM failures") == [("李四", 1)]
    # The copy carries on where the folder stopped, numbers included.
    v4 = copy.publish(
        b"july", actor="王五", file_name="7月.xlsx", note="", counts={}, expected_current=3
    )
    assert v4.id == 4 and copy.audit()[0].id == 5 and current_version(copy) == v4
    # The source is untouched.
    assert current_version(embedded).id == 3 and len(embedded.audit()) == 4


def test_migrate_refuses_a_database_that_is_not_empty(
    embedded: Store, postgres_server: PostgresServer
) -> None:
    url = postgres_server.new_database()
    migrate(embedded.root, url)
    with pytest.raises(MigrationError, match="不是空的"):
        migrate(embedded.root, url)
    assert len(open_store(url).versions()) == 3  # nothing copied twice
    other = postgres_server.new_database()
    open_accounts(other).add("赵六", PASSWORD)  # accounts alone make it non-empty
    with pytest.raises(MigrationError, match="不是空的"):
        migrate(embedded.root, other)
    assert open_store(other).versions() == []


def test_migrate_refuses_a_damaged_file_and_copies_nothing(
    embedded: Store, postgres_server: PostgresServer
) -> None:
    version = current_version(embedded)
    (embedded.files / f"{version.sha256}.xlsx").write_bytes(b"tampered")
    url = postgres_server.new_database()
    with pytest.raises(MigrationError, match="校验值不符"):
        migrate(embedded.root, url)
    assert open_store(url).versions() == []
    assert psql_rows(url, "SELECT count(*) FROM files") == [(0,)]


def test_migrate_needs_a_store(tmp_path: Path, postgres_server: PostgresServer) -> None:
    with pytest.raises(MigrationError, match="没有可迁移"):
        migrate(tmp_path / "nothing", postgres_server.new_database())


def _metrics(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "metrics", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8", **env},
        check=False,
    )


def test_store_migrate_command_line(embedded: Store, postgres_server: PostgresServer) -> None:
    url = postgres_server.new_database()
    env = {STORE_ENV: str(embedded.root)}
    done = _metrics("store", "migrate", "--to", url, env=env)
    assert done.returncode == 0, done.stderr
    assert "版本 3 个（当前 v3）" in done.stdout and "校验值均已核对" in done.stdout
    again = _metrics("store", "migrate", "--to", url, env=env)
    assert again.returncode == 1 and "不是空的" in again.stderr
    assert _metrics("store", "migrate", "--to", "store/", env=env).returncode == 2
    # With ZHENGGAI_DATABASE_URL set, the accounts commands use the database.
    listed = _metrics("users", "list", env={DATABASE_URL_ENV: url, STORE_ENV: "/nonexistent"})
    assert listed.stdout.split() == ["张三", "整改办"]
    assert current_version(open_store(url)).id == 3


def test_store_migrate_takes_the_url_from_the_environment_or_a_file(
    embedded: Store, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    """A URL with a password (the test server trusts loopback, so any password does) comes
    from ZHENGGAI_DATABASE_URL or a file; the password is never printed, and on the
    command line it is refused."""
    password = "pa ss/w@rd 口令9"
    quoted = urllib.parse.quote(password, safe="")

    def with_password(url: str) -> str:
        return url.replace("postgresql://postgres@", f"postgresql://postgres:{quoted}@")

    env = {STORE_ENV: str(embedded.root)}
    by_env = with_password(postgres_server.new_database())
    done = _metrics("store", "migrate", "--to-env", env={**env, DATABASE_URL_ENV: by_env})
    assert done.returncode == 0, done.stderr
    assert "版本 3 个（当前 v3）" in done.stdout
    assert f"迁移到 postgresql://127.0.0.1:{postgres_server.port}/" in done.stdout
    by_file = with_password(postgres_server.new_database())
    target = tmp_path / "zhenggai.env"
    target.write_text(f"ZHENGGAI_STORE=elsewhere\n{DATABASE_URL_ENV}={by_file}\n", "utf-8")
    done_file = _metrics("store", "migrate", "--to-file", str(target), env=env)
    assert done_file.returncode == 0, done_file.stderr
    refused = _metrics("store", "migrate", "--to", by_env, env=env)
    assert refused.returncode == 2 and "--to-env" in refused.stderr
    for result in (done, done_file, refused):
        for secret in (password, quoted, "w@rd", "口令9"):
            assert secret not in result.stdout + result.stderr
    assert current_version(open_store(by_file)).id == 3
