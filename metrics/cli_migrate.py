"""``python -m metrics store migrate --to postgresql://…``: the embedded store of
``ZHENGGAI_STORE`` copied into an empty PostgreSQL database (``metrics.store.migrate``).

Exit status: 0 copied and checked, 1 refused or failed (reason in Chinese on standard
error), 2 usage error (argparse).
"""

from __future__ import annotations

import argparse
import sys

import psycopg

from metrics.store.backend import is_database_url
from metrics.store.migrate import MigrationError, migrate
from metrics.store.versions import default_root

EXIT_OK = 0
EXIT_FAILED = 1


def add_migrate(store_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``migrate`` to the ``store`` subcommands."""
    move = store_commands.add_parser(
        "migrate", help="把存储目录（ZHENGGAI_STORE）复制到空的 PostgreSQL 数据库（逐个核对校验值）"
    )
    move.add_argument(
        "--to", required=True, type=_url, metavar="postgresql://…", help="目标数据库地址"
    )
    move.set_defaults(run=_migrate)


def _url(text: str) -> str:
    if not is_database_url(text):
        raise argparse.ArgumentTypeError("目标须是 postgresql:// 开头的数据库地址")
    return text


def _migrate(args: argparse.Namespace) -> int:
    source = default_root()
    try:
        done = migrate(source, args.to)
    except MigrationError as exc:
        print(f"未迁移：{exc}", file=sys.stderr)
        return EXIT_FAILED
    except psycopg.Error as exc:
        print(f"未迁移：无法使用目标数据库（{type(exc).__name__}）", file=sys.stderr)
        return EXIT_FAILED
    current = f"v{done.current}" if done.current is not None else "（无）"
    print(
        f"已从“{source}”迁移：版本 {done.versions} 个（当前 {current}），操作记录 "
        f"{done.audit_entries} 条，账号 {done.accounts} 个，文件 {done.files} 个（校验值均已核对）"
    )
    return EXIT_OK
