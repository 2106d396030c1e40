"""Backups of either backend, restored into either: the PostgreSQL store is read in one
repeatable-read snapshot and written in the embedded store's archive format, so a
district can back up its database and restore it into a fresh database (or a folder),
and the other way round. Every version, audit row, account and file comes back."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from metrics.cli import main
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.backup import BackupError, BackupSource, SqliteSource, backup, restore
from metrics.store.postgres_backup import PostgresSource
from metrics.store.versions import STORE_ENV, Store, open_store
from tests.postgres import PostgresServer, psql_rows
from tests.stores import PASSWORD, accounts_of, filled_store

BACKENDS = ("sqlite", "postgresql")

NewLocation = Callable[[str], Path | str]


@pytest.fixture
def new_location(tmp_path: Path, request: pytest.FixtureRequest) -> NewLocation:
    """``new_location("sqlite")`` a fresh folder, ``new_location("postgresql")`` a fresh
    database's URL."""
    made = iter(range(1000))

    def make(kind: str) -> Path | str:
        if kind == "sqlite":
            return tmp_path / f"store{next(made)}"
        server: PostgresServer = request.getfixturevalue("postgres_server")
        return server.new_database()

    return make


def source_of(where: Path | str) -> BackupSource:
    return SqliteSource(where) if isinstance(where, Path) else PostgresSource(where)


def do_backup(where: Path | str, out: Path) -> None:
    backup(where if isinstance(where, Path) else None, out, source_of(where))


def do_restore(archive: Path, where: Path | str) -> None:
    restore(archive, where if isinstance(where, Path) else None, source_of(where))


@pytest.mark.parametrize("target_kind", BACKENDS)
@pytest.mark.parametrize("source_kind", BACKENDS)
def test_round_trip_between_any_two_backends(
    source_kind: str,
    target_kind: str,
    new_location: NewLocation,
    bundled_workbook: Path,
    tmp_path: Path,
) -> None:
    live = new_location(source_kind)
    source = filled_store(live, bundled_workbook)
    archive = tmp_path / "备份.tar.gz"
    do_backup(live, archive)

    target = new_location(target_kind)
    do_restore(archive, target)
    again = open_store(target)
    assert again.versions() == source.versions()
    assert again.audit() == source.audit()
    current = again.current()
    assert current is not None and current.id == 2
    for version in source.versions():
        assert again.read(version) == source.read(version)
    accounts = accounts_of(target)
    assert accounts.names() == ["张三", "李四"]
    assert accounts.sign_in("张三", PASSWORD).ok
    assert accounts.sign_in("李四", PASSWORD + "!").ok
    assert not accounts.sign_in("张三", PASSWORD + "x").ok

    # The restored store goes on: the next version and audit entry follow the old ones.
    again.publish(b"v4", actor="赵六", file_name="7月.xlsx", note="", counts={}, expected_current=2)
    newest = again.audit()[0]
    assert newest.id == source.audit()[0].id + 1 and newest.version_id == 4


def test_a_postgresql_backup_keeps_failed_sign_ins(
    postgres_server: PostgresServer, bundled_workbook: Path, tmp_path: Path
) -> None:
    live = postgres_server.new_database()
    filled_store(live, bundled_workbook)
    # Sign-ins no longer write ``failures`` (their throttle is transient and not backed
    # up); a row left there by an earlier release is still carried.
    psql_rows(live, "INSERT INTO failures (name, count, last_at) VALUES ('李四', 1, 1000.0)")
    archive = tmp_path / "b.tar.gz"
    do_backup(live, archive)
    target = postgres_server.new_database()
    do_restore(archive, target)
    query = "SELECT name, count, last_at FROM failures ORDER BY name"
    assert psql_rows(target, query) == psql_rows(live, query) != []


def test_restore_refuses_a_database_that_is_not_empty(
    postgres_server: PostgresServer, bundled_workbook: Path, tmp_path: Path
) -> None:
    live = postgres_server.new_database()
    filled_store(live, bundled_workbook)
    archive = tmp_path / "b.tar.gz"
    do_backup(live, archive)
    with pytest.raises(BackupError, match="不是空的"):
        do_restore(archive, live)
    only_accounts = postgres_server.new_database()
    accounts_of(only_accounts).add("赵六", PASSWORD)
    with pytest.raises(BackupError, match="不是空的"):
        do_restore(archive, only_accounts)
    assert open_store(only_accounts).versions() == []


def test_a_damaged_archive_leaves_the_database_empty(
    postgres_server: PostgresServer, bundled_workbook: Path, tmp_path: Path
) -> None:
    live = postgres_server.new_database()
    filled_store(live, bundled_workbook)
    archive = tmp_path / "b.tar.gz"
    do_backup(live, archive)
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: len(archive.read_bytes()) // 2])
    target = postgres_server.new_database()
    with pytest.raises(BackupError, match=r"无法读取|校验值"):
        do_restore(truncated, target)
    assert open_store(target).versions() == [] and accounts_of(target).names() == []


def test_an_empty_database_is_not_backed_up(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    with pytest.raises(BackupError, match="没有版本"):
        do_backup(postgres_server.new_database(), tmp_path / "b.tar.gz")
    assert not (tmp_path / "b.tar.gz").exists()


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_backup_taken_while_someone_publishes_is_consistent(
    kind: str, new_location: NewLocation, bundled_workbook: Path, tmp_path: Path
) -> None:
    """Each archive restores to a store whose current version is its newest, whose audit
    ends with it, and whose every version has its file (the backend's snapshot)."""
    live = new_location(kind)
    store = open_store(live)
    store.bootstrap(bundled_workbook, {})
    done = threading.Event()
    failures: list[BaseException] = []

    def publish_many() -> None:
        try:
            for n in range(2, 32):
                store.publish(
                    f"workbook {n}".encode(),
                    actor="定时",
                    file_name=f"{n}.xlsx",
                    note="",
                    counts={},
                    expected_current=n - 1,
                )
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            done.set()

    publisher = threading.Thread(target=publish_many)
    publisher.start()
    archives: list[Path] = []
    while not done.is_set() or not archives:
        out = tmp_path / f"b{len(archives)}.tar.gz"
        do_backup(live, out)
        archives.append(out)
    publisher.join()
    assert not failures
    for index, archive in enumerate(archives):
        target = tmp_path / f"restored{index}"
        do_restore(archive, target)
        again = Store(target)
        versions = again.versions()
        current = again.current()
        assert current is not None and current.id == max(v.id for v in versions)
        assert again.audit()[0].version_id == current.id
        for version in versions:  # the snapshot's rows and files agree
            assert hashlib.sha256(again.read(version)).hexdigest() == version.sha256


def test_command_line_backup_and_restore_with_a_database_url(
    postgres_server: PostgresServer,
    bundled_workbook: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    live = postgres_server.new_database()
    source = filled_store(live, bundled_workbook)
    monkeypatch.delenv(STORE_ENV, raising=False)
    monkeypatch.setenv(DATABASE_URL_ENV, live)
    out = tmp_path / "备份.tar.gz"
    assert main(["store", "backup", str(out)]) == 0
    said = capsys.readouterr().out
    assert "已备份" in said and "3 个版本" in said
    assert main(["store", "restore", str(out)]) == 1  # the live database is not empty
    assert "不是空的" in capsys.readouterr().err

    target = postgres_server.new_database()
    monkeypatch.setenv(DATABASE_URL_ENV, target)
    assert main(["store", "restore", str(out)]) == 0
    assert "校验值全部相符" in capsys.readouterr().out
    assert open_store(target).audit() == source.audit()

    # And into a folder: the same archive, without the database setting.
    monkeypatch.delenv(DATABASE_URL_ENV)
    monkeypatch.setenv(STORE_ENV, str(tmp_path / "folder"))
    assert main(["store", "restore", str(out)]) == 0
    assert Store(tmp_path / "folder").versions() == source.versions()


def test_command_line_names_an_unreachable_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.local_server import free_port

    monkeypatch.setenv(
        DATABASE_URL_ENV, f"postgresql://nobody@127.0.0.1:{free_port()}/x?connect_timeout=2"
    )
    assert main(["store", "backup", str(tmp_path / "b.tar.gz")]) == 1
    said = capsys.readouterr().err
    assert "未备份：无法连接或访问 PostgreSQL 数据库" in said and "Traceback" not in said
    assert main(["store", "restore", str(tmp_path / "b.tar.gz")]) == 1
    assert "未恢复：无法连接或访问 PostgreSQL 数据库" in capsys.readouterr().err
