"""``python -m metrics publish``: the upload page's intake, checks, counts and audit for
scheduled imports; exit 0 published, 1 refused (reasons in Chinese), 2 usage error."""

from __future__ import annotations

import datetime
import getpass
from pathlib import Path

import pytest

import metrics.cli_store
from metrics.cli import main
from metrics.intake.untrusted import load_untrusted
from metrics.publishing import Review, completion_counts, review_workbook, split_note
from metrics.scoring.changes import compare
from metrics.scoring.progress import score
from metrics.store.versions import Store
from metrics.workbook.loader import load_workbook
from tests.builders import meta, task, write_valid
from tests.lookups import current_version


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    root = tmp_path / "store"
    monkeypatch.setenv("ZHENGGAI_STORE", str(root))
    return Store(root)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def reopened_tasks() -> list[dict[str, object]]:
    """The valid workbook with task 1 back to 正在整改 and task 3 completed."""
    return [
        task(1, "正在整改"),
        task(2, "长期坚持", 方面="（二）方面乙", 问题="1.问题乙"),
        task(3, "已完成", 完成日期=datetime.date(2021, 5, 20)),
    ]


def test_publish_records_the_counts_the_upload_page_records(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = write_valid(tmp_path / "4月.xlsx")
    code, out, _ = run(capsys, "publish", str(first), "--actor", "定时导入", "--note", "4月")
    assert (code, out.strip().splitlines()[-1]) == (0, "已发布为版本 v1")

    second = write_valid(tmp_path / "5月.xlsx", tasks=reopened_tasks())
    code, out, err = run(capsys, "publish", str(second), "--actor", "张三", "--note", "5月数据")
    assert code == 0, err
    assert "已发布为版本 v2" in out and "改回未完成 1 项" in out and "Traceback" not in err

    version = current_version(store)
    assert (version.id, version.actor, split_note(version.note)[0], version.file_name) == (
        2,
        "张三",
        "5月数据",
        "5月.xlsx",
    )
    # What the page computes: counts_of(result) | compare(basis, new).counts()
    old, new = load_workbook(first.read_bytes()), load_untrusted(second.read_bytes())
    assert old.dataset is not None and new.dataset is not None
    page = completion_counts(new) | compare(score(old.dataset), score(new.dataset)).counts()
    assert version.counts == page
    assert version.counts["status_changes"] == 2 and version.counts["reopened"] == 1
    assert [(e.action, e.actor, e.version_id, e.previous_id) for e in store.audit()] == [
        ("发布", "张三", 2, 1),
        ("发布", "定时导入", 1, None),
    ]


def test_a_file_with_errors_is_not_published(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write_valid(tmp_path / "bad.xlsx", meta=meta(截至日期="五月底"))
    code, out, err = run(capsys, "publish", str(bad), "--actor", "张三")
    assert code == 1
    assert "工作表“概况”第 4 行“内容”列" in err and "未发布" in err
    assert "Traceback" not in out + err and store.current() is None


def test_a_file_that_is_not_a_workbook_is_refused(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"<html>not excel</html>")
    code, _, err = run(capsys, "publish", str(fake), "--actor", "张三")
    assert code == 1 and "未发布" in err and store.current() is None
    code, _, err = run(capsys, "publish", str(tmp_path / "missing.xlsx"), "--actor", "张三")
    assert code == 1 and "无法打开文件" in err


def test_count_warnings_are_printed_but_do_not_block(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_valid(tmp_path / "ok.xlsx", meta=meta(报告已完成数=9))
    code, out, err = run(capsys, "publish", str(path), "--actor", "张三")
    assert code == 0 and "已发布为版本 v1" in out
    assert "“概况”" in err and "不影响发布" in err


def test_a_stale_expected_version_says_who_published_meanwhile(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_valid(tmp_path / "a.xlsx")
    assert run(capsys, "publish", str(path), "--actor", "甲")[0] == 0
    other = write_valid(tmp_path / "b.xlsx", tasks=reopened_tasks())
    assert run(capsys, "publish", str(other), "--actor", "李四", "--note", "五月数据")[0] == 0

    code, _, err = run(capsys, "publish", str(path), "--actor", "乙", "--expect-version", "1")
    assert code == 1
    assert "未发布" in err and "v1" in err and "v2" in err
    assert "李四" in err and "五月数据" in err and "发布了 v2" in err
    assert current_version(store).id == 2 and len(store.versions()) == 2

    code, out, _ = run(capsys, "publish", str(path), "--actor", "乙", "--expect-version", "2")
    assert code == 0 and "已发布为版本 v3" in out


def test_publishes_against_the_version_current_when_the_check_started(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert run(capsys, "publish", str(write_valid(tmp_path / "a.xlsx")), "--actor", "甲")[0] == 0

    def someone_publishes_during_the_check(
        s: Store, data: bytes, *, basis_id: int | None
    ) -> Review:
        s.publish(b"x", actor="丙", file_name="x.xlsx", note="抢先", counts={}, expected_current=1)
        return review_workbook(s, data, basis_id=basis_id)

    monkeypatch.setattr(metrics.cli_store, "review_workbook", someone_publishes_during_the_check)
    path = write_valid(tmp_path / "b.xlsx", tasks=reopened_tasks())
    code, _, err = run(capsys, "publish", str(path), "--actor", "乙")
    assert code == 1 and "丙" in err and "抢先" in err
    assert current_version(store).actor == "丙"


def test_unknown_expected_version(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_valid(tmp_path / "a.xlsx")
    code, _, err = run(capsys, "publish", str(path), "--actor", "甲", "--expect-version", "7")
    assert code == 1 and "v7 不存在" in err and store.current() is None


@pytest.mark.parametrize(
    "args",
    [
        ["--actor", ""],
        ["--actor", "   "],
        [],
        ["--actor", "甲", "--expect-version", "abc"],
        ["--actor", "甲", "--expect-version", "0"],
        ["--actor", "张三\n于 2026-05-01 由 李四 发布了 v9"],  # a forged audit line
        ["--actor", "张三\x1b[31m"],
        ["--actor", "张\u202e三"],  # a bidi override
        ["--actor", "张 三"],
        ["--actor", "甲" * 65],
    ],
)
def test_usage_errors_exit_2(
    store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    path = write_valid(tmp_path / "a.xlsx")
    with pytest.raises(SystemExit) as exited:
        main(["publish", str(path), *args])
    assert exited.value.code == 2
    assert store.current() is None


def test_the_actor_is_checked_like_an_account_name_and_the_channel_recorded(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = write_valid(tmp_path / "a.xlsx")
    with pytest.raises(SystemExit):
        main(["publish", str(path), "--actor", "张三\n李四"])
    assert "发布人不能为空，不能含空格、换行或控制字符，最长 64 个字符" in capsys.readouterr().err
    monkeypatch.setattr(getpass, "getuser", lambda: "deploy")
    assert run(capsys, "publish", str(path), "--actor", " 张三 ", "--note", "四月")[0] == 0
    entry = store.audit()[0]
    assert (entry.actor, entry.note) == ("张三", "四月（命令行，系统用户 deploy）")
    assert split_note(entry.note) == ("四月", "命令行，系统用户 deploy")

    def no_user() -> str:
        raise OSError("no user")

    monkeypatch.setattr(getpass, "getuser", no_user)
    again = write_valid(tmp_path / "b.xlsx", tasks=reopened_tasks())
    assert run(capsys, "publish", str(again), "--actor", "张三")[0] == 0
    assert store.audit()[0].note == "（命令行，系统用户 未知）"
