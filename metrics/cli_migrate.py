"""``python -m metrics store migrate --to-env | --to-file FILE | --to URL``: the embedded
store of ``ZHENGGAI_STORE`` copied into an empty PostgreSQL database
(``metrics.store.migrate``).

The target's URL may hold the database password, so it comes from the environment
(``--to-env``: ``ZHENGGAI_DATABASE_URL``, the variable the dashboard reads, or another one
named) or a file (``--to-file``: an environment file such as /etc/zhenggai/zhenggai.env,
or a file holding only the URL; ``-`` is standard input). ``--to URL`` is kept for URLs
without a password (peer/trust authentication, ~/.pgpass, PGPASSWORD) and REFUSES a URL
with one: every user of the machine sees a command line (``ps``), and the shell keeps it
in its history. No message names the password (``metrics.store.db_secrets.mask``).

Exit status: 0 copied and checked, 1 refused or failed (reason in Chinese on standard
error), 2 usage error (argparse; a password on the command line too).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import psycopg

from metrics.store.backend import DATABASE_URL_ENV, is_database_url
from metrics.store.db_secrets import (
    DatabaseUrlError,
    check_url,
    mask,
    url_from_env,
    url_from_file,
    url_password,
)
from metrics.store.migrate import MigrationError, migrate
from metrics.store.postgres_backend import PostgresBackend, check_reachable
from metrics.store.versions import default_root

EXIT_OK = 0
EXIT_FAILED = 1

PASSWORD_ON_COMMAND_LINE = (
    "命令行中的数据库地址含有密码，已拒绝：本机所有用户都能在进程列表中看到命令行，"
    "shell 历史也会记下它。请改用 --to-env（从环境变量 ZHENGGAI_DATABASE_URL 读取）或 "
    "--to-file 文件（如 /etc/zhenggai/zhenggai.env）；此密码已经暴露，建议更换"
)


def add_migrate(store_commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``migrate`` to the ``store`` subcommands."""
    move = store_commands.add_parser(
        "migrate",
        help="把存储目录（ZHENGGAI_STORE）复制到空的 PostgreSQL 数据库（逐个核对校验值）",
        description="目标数据库地址（可能含密码）从环境变量或文件读取，不写在命令行上。",
    )
    target = move.add_mutually_exclusive_group(required=True)
    target.add_argument(
        "--to-env",
        nargs="?",
        const=DATABASE_URL_ENV,
        metavar="变量名",
        help=f"从环境变量读取目标数据库地址（默认 {DATABASE_URL_ENV}）",
    )
    target.add_argument(
        "--to-file",
        type=Path,
        metavar="文件",
        help=f"从文件读取目标数据库地址：其中的 {DATABASE_URL_ENV}=… 行，"
        "或第一个非空、非 # 注释行；- 为标准输入",
    )
    target.add_argument(
        "--to",
        type=_url_without_password,
        metavar="postgresql://…",
        help="目标数据库地址，不得含密码（含密码时用 --to-env 或 --to-file）",
    )
    move.set_defaults(run=_migrate)


def _url_without_password(text: str) -> str:
    # An ArgumentTypeError's message is printed as it is: it never repeats the argument.
    if not is_database_url(text):
        raise argparse.ArgumentTypeError("目标须是 postgresql:// 开头的数据库地址")
    if url_password(text) is not None:
        raise argparse.ArgumentTypeError(PASSWORD_ON_COMMAND_LINE)
    return text


def _target(args: argparse.Namespace) -> str:
    if args.to is not None:
        url: str = args.to
    elif args.to_file is not None:
        url = url_from_file(args.to_file)
    else:
        url = url_from_env(args.to_env)
    if not is_database_url(url):
        raise DatabaseUrlError("目标须是 postgresql:// 开头的数据库地址")
    return url


def _migrate(args: argparse.Namespace) -> int:
    source = default_root()
    try:
        url = _target(args)
        check_url(url)
        check_reachable(url)  # a wrong password or a server that is down: at once
        done = migrate(source, url)
        where = PostgresBackend(url).describe()
    except (DatabaseUrlError, MigrationError) as exc:
        print(f"未迁移：{mask(str(exc))}", file=sys.stderr)
        return EXIT_FAILED
    except psycopg.Error as exc:
        reason = mask(str(exc)).strip()
        print(f"未迁移：无法使用目标数据库（{type(exc).__name__}）：{reason}", file=sys.stderr)
        return EXIT_FAILED
    current = f"v{done.current}" if done.current is not None else "（无）"
    print(
        f"已从“{source}”迁移到 {where}：版本 {done.versions} 个（当前 {current}），操作记录 "
        f"{done.audit_entries} 条，账号 {done.accounts} 个，文件 {done.files} 个（校验值均已核对）"
    )
    return EXIT_OK
