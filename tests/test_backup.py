"""Backups of the store: one archive taken while the store serves, restored into an
empty store with every hash verified; ``python -m metrics store backup|restore``."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest

from metrics.cli import main
from metrics.store.accounts import Accounts
from metrics.store.backup import BackupError, backup, restore
from metrics.store.versions import Store

PASSWORD = "correct horse battery"


def filled_store(root: Path, bundled: Path) -> Store:
    store = Store(root)
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
    accounts = Accounts(root)
    accounts.add("张三", PASSWORD)
    accounts.add("李四", PASSWORD + "!")
    return store


def rows(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("versions", "pointer", "audit")
        }


def test_round_trip_keeps_every_version_pointer_audit_row_and_account(
    tmp_path: Path, bundled_workbook: Path
) -> None:
    source = filled_store(tmp_path / "live", bundled_workbook)
    archive = tmp_path / "备份.tar.gz"
    summary = backup(source.root, archive)
    assert (summary.versions, summary.files) == (3, 3)

    target = tmp_path / "restored"
    restored = restore(archive, target)
    assert restored.versions == 3
    assert rows(target / "store.sqlite3") == rows(source.root / "store.sqlite3")
    again = Store(target)
    assert again.versions() == source.versions() and again.audit() == source.audit()
    assert again.current() == source.current()
    for version in source.versions():
        assert again.read(version) == source.read(version)
    accounts = Accounts(target)
    assert accounts.names() == ["张三", "李四"]
    assert accounts.sign_in("张三", PASSWORD).ok
    assert accounts.sign_in("李四", PASSWORD + "!").ok
    assert not accounts.sign_in("李四", PASSWORD).ok


def test_the_manifest_lists_every_member_with_its_hash(
    tmp_path: Path, bundled_workbook: Path
) -> None:
    source = filled_store(tmp_path / "live", bundled_workbook)
    archive = tmp_path / "b.tar.gz"
    backup(source.root, archive)
    with tarfile.open(archive) as opened:
        names = opened.getnames()
        manifest_file = opened.extractfile("manifest.json")
        assert manifest_file is not None
        manifest = json.load(manifest_file)
        for name in names:
            if name != "manifest.json":
                member = opened.extractfile(name)
                assert member is not None
                assert hashlib.sha256(member.read()).hexdigest() == manifest["sha256"][name]
    assert manifest["format"] == 1 and manifest["versions"] == 3 and manifest["created_at"]
    assert set(manifest["sha256"]) == set(names) - {"manifest.json"}
    assert {"store.sqlite3", "accounts.sqlite3"} <= set(names)


def test_restore_refuses_a_store_that_is_not_empty(tmp_path: Path, bundled_workbook: Path) -> None:
    source = filled_store(tmp_path / "live", bundled_workbook)
    archive = tmp_path / "b.tar.gz"
    backup(source.root, archive)
    with pytest.raises(BackupError, match="不是空的"):
        restore(archive, source.root)
    Accounts(tmp_path / "only-accounts").add("赵六", PASSWORD)
    with pytest.raises(BackupError, match="不是空的"):
        restore(archive, tmp_path / "only-accounts")
    Store(tmp_path / "opened-but-empty")  # schema only: still empty
    assert restore(archive, tmp_path / "opened-but-empty").versions == 3


def test_restore_refuses_a_damaged_archive(tmp_path: Path, bundled_workbook: Path) -> None:
    source = filled_store(tmp_path / "live", bundled_workbook)
    archive = tmp_path / "b.tar.gz"
    backup(source.root, archive)
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as old, tarfile.open(damaged, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member)
            assert data is not None
            content = data.read()
            if member.name.startswith("files/") and content == b"v2":
                content = b"v9"
            member.size = len(content)
            new.addfile(member, io.BytesIO(content))
    with pytest.raises(BackupError, match="校验值不符"):
        restore(damaged, tmp_path / "target")
    assert Store(tmp_path / "target").current() is None
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[:200])
    with pytest.raises(BackupError, match="无法读取"):
        restore(truncated, tmp_path / "target2")


def test_backup_never_overwrites(tmp_path: Path, bundled_workbook: Path) -> None:
    source = filled_store(tmp_path / "live", bundled_workbook)
    out = tmp_path / "b.tar.gz"
    out.write_bytes(b"older backup")
    with pytest.raises(BackupError, match="已存在"):
        backup(source.root, out)
    assert out.read_bytes() == b"older backup"


def test_a_backup_taken_while_someone_publishes_is_consistent(
    tmp_path: Path, bundled_workbook: Path
) -> None:
    store = Store(tmp_path / "live")
    store.bootstrap(bundled_workbook, {})
    done = threading.Event()
    failures: list[BaseException] = []

    def publish_many() -> None:
        try:
            for n in range(2, 42):
                data = f"workbook {n}".encode()
                store.publish(
                    data,
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
        backup(store.root, out)
        archives.append(out)
    publisher.join()
    assert not failures
    for index, archive in enumerate(archives):
        restored = restore(archive, tmp_path / f"restored{index}")
        again = Store(restored.path)
        versions = again.versions()
        assert len(versions) == restored.versions >= 1
        current = again.current()
        assert current is not None and current.id == max(v.id for v in versions)
        for version in versions:  # the archive's database and files agree
            assert hashlib.sha256(again.read(version)).hexdigest() == version.sha256


def test_command_line_backup_and_restore(
    tmp_path: Path,
    bundled_workbook: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = filled_store(tmp_path / "live", bundled_workbook)
    monkeypatch.setenv("ZHENGGAI_STORE", str(source.root))
    out = tmp_path / "备份.tar.gz"
    assert main(["store", "backup", str(out)]) == 0
    assert "已备份" in capsys.readouterr().out
    assert main(["store", "backup", str(out)]) == 1
    assert "未备份" in capsys.readouterr().err
    assert main(["store", "restore", str(out)]) == 1  # the live store is not empty
    assert "不是空的" in capsys.readouterr().err

    monkeypatch.setenv("ZHENGGAI_STORE", str(tmp_path / "new"))
    assert main(["store", "restore", str(out)]) == 0
    assert "已恢复" in capsys.readouterr().out
    assert rows(tmp_path / "new" / "store.sqlite3") == rows(source.root / "store.sqlite3")
    assert main(["store", "restore", str(tmp_path / "missing.tar.gz")]) == 1
    assert "Traceback" not in capsys.readouterr().err
