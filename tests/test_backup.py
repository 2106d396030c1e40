"""Backups of the store: one archive taken while the store serves, restored into an
empty store with every hash verified; ``python -m metrics store backup|restore``."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path

import pytest

from metrics.cli import main
from metrics.store.accounts import Accounts
from metrics.store.backup import BackupError, backup, restore
from metrics.store.versions import Store
from tests.stores import PASSWORD, filled_store


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


def test_an_archive_of_the_previous_release_and_an_older_store_still_restores(
    tmp_path: Path, bundled_workbook: Path
) -> None:
    """As the previous release wrote archives: the live databases copied page by page
    (write-ahead-log mode, their triggers and all), members added with their own modes
    and times (pax headers); here of a store from before rounds and roles existed."""
    source = filled_store(tmp_path / "live", bundled_workbook)
    members: dict[str, Path] = {}
    for name in ("store.sqlite3", "accounts.sqlite3"):
        members[name] = tmp_path / name
        with (
            contextlib.closing(sqlite3.connect(source.root / name)) as live,
            contextlib.closing(sqlite3.connect(members[name], isolation_level=None)) as copy,
        ):
            live.backup(copy)
            if name == "store.sqlite3":
                copy.executescript("DROP TABLE round_log; DROP TABLE round_resolutions;")
            else:
                copy.executescript(
                    "ALTER TABLE users DROP COLUMN role; ALTER TABLE users DROP COLUMN units;"
                )
    for path in sorted(source.files.glob("*.xlsx")):
        members[f"files/{path.name}"] = path
    manifest = {
        "format": 1,
        "created_at": "2026-01-01T00:00:00+00:00",
        "versions": 3,
        "databases": ["accounts.sqlite3", "store.sqlite3"],
        "sha256": {name: hashlib.sha256(p.read_bytes()).hexdigest() for name, p in members.items()},
    }
    archive = tmp_path / "old.tar.gz"
    with tarfile.open(archive, "w:gz") as written:
        text = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(text)
        written.addfile(info, io.BytesIO(text))
        for name, path in members.items():
            written.add(path, arcname=name, recursive=False)

    restored = restore(archive, tmp_path / "restored")
    assert restored.versions == 3 and len(restored.sha256) == 64
    again = Store(tmp_path / "restored")
    assert again.versions() == source.versions() and again.audit() == source.audit()
    account = Accounts(tmp_path / "restored").account("张三")
    assert account is not None and account.role.value == "office"
    assert Accounts(tmp_path / "restored").sign_in("张三", PASSWORD).ok
