"""The store commands of ``python -m metrics``: ``publish`` (scheduled imports, the same
intake, checks, counts and audit as the upload page) and ``store backup|restore``.

Exit status: 0 done, 1 refused or failed (reasons in Chinese on standard error),
2 usage error (argparse).
"""

from __future__ import annotations

import argparse
import errno
import getpass
import os
import sqlite3
import sys
from pathlib import Path

import psycopg

from metrics.cli_guard import version_number
from metrics.cli_migrate import add_migrate
from metrics.cli_rounds import add_export
from metrics.model import Dataset
from metrics.problems import Problem
from metrics.publishing import COMMAND_LINE, publish_checked, review_workbook
from metrics.rounds.upload_checks import upload_warnings
from metrics.scoring.changes import Changes
from metrics.scoring.summary import rate_text
from metrics.store.accounts import AccountError, clean_name, open_accounts_from_env
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.backup import BackupError, BackupSource, SqliteSource, backup, restore
from metrics.store.postgres_backup import PostgresSource
from metrics.store.versions import (
    StaleVersion,
    Store,
    StoreError,
    default_root,
    event_text,
    open_store_from_env,
)
from metrics.workbook.loader import reported_count_warnings

EXIT_OK = 0
EXIT_FAILED = 1


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``publish`` and ``store`` to the subcommands of ``python -m metrics``."""
    publish = commands.add_parser(
        "publish", help="检查并发布工作簿为新版本（与网页上传相同的检查和记录）"
    )
    publish.add_argument("file", type=Path, help="要发布的 .xlsx 文件")
    publish.add_argument(
        "--actor",
        required=True,
        type=_actor,
        help="发布人（记入操作记录，规则同账号名；记录同时注明“命令行”和系统用户）",
    )
    publish.add_argument("--note", default="", help="发布说明")
    publish.add_argument(
        "--expect-version",
        type=version_number,
        default=None,
        metavar="N",
        help="只在当前版本仍是 vN 时发布（默认：开始检查时的当前版本）",
    )
    publish.set_defaults(run=_publish)

    store = commands.add_parser("store", help="备份或恢复存储（版本、文件、操作记录、账号）")
    store_commands = store.add_subparsers(required=True, metavar="操作")
    save = store_commands.add_parser(
        "backup", help="把存储写成一个备份文件（.tar.gz），可在看板运行时进行"
    )
    save.add_argument(
        "out", type=Path, help="备份文件，如 备份_2026-12-01.tar.gz（不覆盖已有文件）"
    )
    save.set_defaults(run=_backup)
    load = store_commands.add_parser(
        "restore", help="把备份恢复到空的存储（目录或 PostgreSQL 数据库，逐个核对校验值）"
    )
    load.add_argument("archive", type=Path, help="备份文件（.tar.gz）")
    load.set_defaults(run=_restore)
    add_migrate(store_commands)  # store migrate --to postgresql://… (metrics.cli_migrate)
    add_export(store_commands)  # store export [--version N] --out F (metrics.cli_rounds)


def _actor(text: str) -> str:
    """``--actor``: checked and cleaned as an account name is (no newlines or control
    characters, at most 64 characters), so the audit cannot be forged through it."""
    try:
        return clean_name(text, "发布人")
    except AccountError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _channel() -> str:
    """How a command-line publish is recorded: "命令行，系统用户 deploy"."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError, ImportError):  # no login name known to the system
        user = ""
    shown = "".join(ch for ch in user if ch.isprintable() and ch not in "（）()，,")[:32]
    return f"{COMMAND_LINE}，系统用户 {shown or '未知'}"


def _store() -> Store:
    """The store the dashboard publishes to: ``ZHENGGAI_DATABASE_URL`` if set, else the
    folder ``ZHENGGAI_STORE``."""
    return open_store_from_env()


def _backup_source() -> BackupSource:
    """The store the dashboard uses, as backups see it: the database of
    ``ZHENGGAI_DATABASE_URL`` if set, else the folder ``ZHENGGAI_STORE``."""
    url = os.environ.get(DATABASE_URL_ENV, "").strip()
    if url:
        return PostgresSource(url)
    return SqliteSource(default_root())


def _publish(args: argparse.Namespace) -> int:
    path: Path = args.file
    try:
        data = path.read_bytes()
    except OSError as exc:
        print(f"未发布：无法打开文件“{path}”：{exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    store = _store()
    current = store.current()
    basis: int | None = args.expect_version
    if basis is None:
        basis = current.id if current is not None else None  # current when the check starts
    elif store.version(basis) is None:
        now = f"v{current.id}" if current is not None else "（无版本）"
        print(f"未发布：版本 v{basis} 不存在（当前版本为 {now}）", file=sys.stderr)
        return EXIT_FAILED

    review = review_workbook(store, data, basis_id=basis)
    result = review.result
    _print_problems(result.problems)
    for problem in reported_count_warnings(result.problems):
        where = f"“概况”第 {problem.row} 行" if problem.row else "“概况”"
        print(f"注意：{where}{problem.message}（不影响发布）", file=sys.stderr)
    if not result.ok:
        print(
            f"未发布：{path} 有 {len(result.errors)} 个错误（警告 {len(result.warnings)} 个），"
            "请按上面所列修改后重试",
            file=sys.stderr,
        )
        return EXIT_FAILED
    if result.dataset is not None:
        for warning in _round_warnings(store, result.dataset):
            print(f"注意：{warning}", file=sys.stderr)
    if review.changes is not None:
        _print_changes(review.changes, basis)
    try:
        version = publish_checked(
            store,
            data,
            result,
            review.changes,
            actor=args.actor,
            file_name=path.name,
            note=args.note,
            expected_current=basis,
            channel=_channel(),
        )
    except StaleVersion as exc:
        _print_stale(exc)
        return EXIT_FAILED
    except StoreError as exc:
        print(f"未发布：{exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"已发布为版本 v{version.id}")
    return EXIT_OK


def _round_warnings(store: Store, new: Dataset) -> list[str]:
    accounts = [a for a in open_accounts_from_env().accounts() if a.units]
    return upload_warnings(store.backend.versions, new, accounts)


def _print_problems(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        print(str(problem), file=sys.stderr)


def _print_changes(changes: Changes, basis: int | None) -> None:
    label = f"v{basis}" if basis is not None else "当前数据"
    print(
        f"与 {label} 相比：整改完成率 {rate_text(changes.old_rate)} → {rate_text(changes.new_rate)}"
    )
    counts = changes.counts()
    print(
        f"任务状态变化 {counts['status_changes']} 项（改回未完成 {counts['reopened']} 项），"
        f"指标变化 {counts['indicator_changes']} 项，新增 {counts['added']} 项，"
        f"删除 {counts['removed']} 项"
    )
    for change in changes.reopened:
        print(f"注意：任务（{change.task_id}）{change.title} 由“完成”改回“{change.new_status}”")


def _print_stale(exc: StaleVersion) -> None:
    expected = f"v{exc.expected}" if exc.expected is not None else "（无版本）"
    now = f"v{exc.current}" if exc.current is not None else "（无版本）"
    print(
        f"未发布：您核对的是 {expected}，在此期间当前版本已变为 {now}：",
        file=sys.stderr,
    )
    for entry in exc.meanwhile:
        print(f"- {event_text(entry)}", file=sys.stderr)
    print(
        "为避免覆盖别人的发布，您的文件没有发布。请核对最新版本后重新运行"
        f"（加 --expect-version {exc.current} 或不加此项）。",
        file=sys.stderr,
    )


def _backup(args: argparse.Namespace) -> int:
    try:
        summary = backup(None, args.out, _backup_source())
    except (BackupError, OSError, sqlite3.Error, psycopg.Error) as exc:
        print(f"未备份：{_words(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"已备份到 {summary.path}：{summary.versions} 个版本，{summary.files} 个文件，"
        f"数据库 {'、'.join(summary.databases)}"
    )
    print(
        f"备份文件的 SHA-256：{summary.sha256}\n"
        "（请把这个值另外保存；恢复时会显示所用备份的 SHA-256，两者相同才说明备份未被改动）"
    )
    return EXIT_OK


def _restore(args: argparse.Namespace) -> int:
    try:
        source = _backup_source()
    except psycopg.Error as exc:
        print(f"未恢复：{_words(exc)}", file=sys.stderr)
        return EXIT_FAILED
    root = source.root if isinstance(source, SqliteSource) else None
    try:
        summary = restore(args.archive, root, source)
    except (BackupError, OSError, sqlite3.Error, psycopg.Error) as exc:
        print(f"未恢复：{_words(exc)}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"已恢复到 {source.where}：{summary.versions} 个版本，{summary.files} 个文件，"
        "校验值全部相符"
    )
    print(
        f"所恢复备份文件的 SHA-256：{summary.sha256}\n"
        "（请与备份时另外保存的值核对：清单中的校验值只能发现损坏，不能发现有意改动）"
    )
    return EXIT_OK


def _words(exc: Exception) -> str:
    if isinstance(exc, psycopg.Error):
        return f"无法连接或访问 PostgreSQL 数据库（{type(exc).__name__}）：{exc}"
    if isinstance(exc, sqlite3.Error):
        return f"SQLite 数据库出错（{type(exc).__name__}：{exc}）"
    if isinstance(exc, OSError):
        where = f"“{exc.filename}”" if exc.filename else ""
        if exc.errno == errno.ENOSPC:
            return f"磁盘空间不足，无法写入{where}：请先腾出空间"
        return f"无法读写文件{where}：{exc.strerror or exc}"
    return str(exc)
