"""Command line for IT staff and scripts: ``python -m metrics check|summary|template|users``
(``publish`` and ``store backup|restore`` are in ``metrics.cli_store``).

Never prints a traceback on bad input: problems are listed in Chinese and the exit
status says what happened (0 publishable / written, 1 not publishable or failed,
2 usage error).
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from metrics.cli_guard import EXIT_FAILED, EXIT_OK, guarded
from metrics.cli_notify import register as register_notify
from metrics.cli_rounds import register as register_rounds
from metrics.cli_store import register
from metrics.intake.untrusted import load_untrusted
from metrics.problems import Problem, Severity
from metrics.rounds.roles import Role
from metrics.scoring.headline import headline
from metrics.scoring.progress import score
from metrics.scoring.rollup import overall
from metrics.scoring.summary import summarise
from metrics.store.accounts import AccountError, Accounts, open_accounts_from_env
from metrics.store.versions import StoreError
from metrics.workbook.loader import LoadResult


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Refusals of the store and of rounds (rights, stale reviews …) carry Chinese messages.
    return guarded(lambda: int(args.run(args)), expected=(StoreError,), prefix="未完成")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m metrics",
        description="整改进展看板：检查、发布工作簿，输出计算结果，生成空白模板，管理账号，备份存储",
    )
    commands = parser.add_subparsers(required=True, metavar="命令")

    check = commands.add_parser("check", help="检查工作簿能否发布（退出码 0 可发布，1 不可发布）")
    check.add_argument("file", type=Path, help="要检查的 .xlsx 文件")
    check.add_argument("--json", action="store_true", help="以 JSON 输出问题列表")
    check.set_defaults(run=_check)

    summary = commands.add_parser("summary", help="输出计算后的整改进展")
    summary.add_argument("file", type=Path, help=".xlsx 文件")
    summary.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    summary.set_defaults(run=_summary)

    users = commands.add_parser("users", help="管理本地工作人员账号（上传、发布、回退需要登录）")
    user_commands = users.add_subparsers(required=True, metavar="操作")
    add = user_commands.add_parser("add", help="新建账号；密码从提示输入，或从标准输入读取一行")
    add.add_argument("name", help="账号名")
    _role_arguments(add)
    add.add_argument("--display-name", default="", help="显示名称（可空）")
    add.set_defaults(run=_users_add)
    role = user_commands.add_parser("role", help="修改账号的角色和所属单位")
    role.add_argument("name", help="账号名")
    _role_arguments(role)
    role.set_defaults(run=_users_role)
    shown = user_commands.add_parser(
        "display-name", help="设置账号的显示名称（历史版本等公开页面显示它，而不显示账号名）"
    )
    shown.add_argument("name", help="账号名")
    shown.add_argument("display_name", metavar="显示名称", help="如 张三；空字符串表示不设置")
    shown.set_defaults(run=_users_display_name)
    listing = user_commands.add_parser("list", help="列出账号")
    listing.set_defaults(run=_users_list)
    remove = user_commands.add_parser("remove", help="删除账号")
    remove.add_argument("name", help="账号名")
    remove.set_defaults(run=_users_remove)

    template = commands.add_parser("template", help="生成空白模板工作簿")
    template.add_argument("out", type=Path, help="输出文件，如 模板.xlsx")
    template.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    template.set_defaults(run=_template)

    register(commands)  # publish, store backup|restore|export (metrics.cli_store)
    register_rounds(commands)  # round, unit-workbook, submit, review, evidence
    register_notify(commands)  # notify send|due|status|retry|test (metrics.cli_notify)
    return parser


def _read_untrusted(path: Path) -> LoadResult:
    """The file through the same intake as uploads (checks, child-process parse)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        message = f"无法打开文件“{path}”：{exc.strerror}"
        return LoadResult(None, (Problem(Severity.ERROR, "", None, None, message),))
    return load_untrusted(data)


def _check(args: argparse.Namespace) -> int:
    result = _read_untrusted(args.file)
    if args.json:
        payload = {
            "file": str(args.file),
            "publishable": result.ok,
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "problems": [p.to_dict() for p in result.problems],
        }
        _dump(payload, sys.stdout)
    else:
        _print_problems(result.problems, sys.stdout)
        verdict = "可以发布" if result.ok else "不能发布"
        counts = f"错误 {len(result.errors)} 个，警告 {len(result.warnings)} 个"
        print(f"{args.file}：{verdict}（{counts}）")
    return EXIT_OK if result.ok else EXIT_FAILED


def _summary(args: argparse.Namespace) -> int:
    result = _read_untrusted(args.file)
    if not _usable(result, args.file):
        return EXIT_FAILED
    assert result.dataset is not None
    scored = score(result.dataset)
    if args.json:
        data = summarise(scored)
        _dump({**data, "warnings": [p.to_dict() for p in result.warnings]}, sys.stdout)
        return EXIT_OK
    figures = headline(scored)
    print(f"{figures.title}（{figures.organisation}）")
    print(figures.sentence)
    statuses = overall(scored).indicator_statuses
    print("指标：" + "，".join(f"{k} {v} 个" for k, v in statuses.items() if v))
    return EXIT_OK


def _accounts() -> Accounts:
    return open_accounts_from_env()  # ZHENGGAI_DATABASE_URL, else the ZHENGGAI_STORE folder


def _role_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--role",
        type=_role,
        default=Role.OFFICE,
        help="office 整改办（默认）、leader 领导、unit 单位填报员、unit_head 单位负责人",
    )
    parser.add_argument(
        "--unit",
        action="append",
        default=[],
        help="所属单位（单位填报员、单位负责人必填，可写多次）；须是当前数据中的单位名称",
    )


def _role(text: str) -> Role:
    try:
        return Role.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _known_units(names: list[str]) -> tuple[str, ...]:
    """The units as the current version writes them; AccountError for unknown ones."""
    if not names:
        return ()
    from metrics.rounds.service import RoundService
    from metrics.store.versions import open_store_from_env

    try:
        service = RoundService(open_store_from_env())
        return tuple(service.unit_name(name) for name in names)
    except StoreError as exc:
        raise AccountError(str(exc)) from None


def _users_role(args: argparse.Namespace) -> int:
    try:
        _accounts().set_role(args.name, args.role, _known_units(args.unit))
    except AccountError as exc:
        print(f"未修改：{exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"已把账号“{args.name}”设为{args.role.label}" + _units_text(args.unit))
    return EXIT_OK


def _units_text(units: list[str]) -> str:
    return f"（{'、'.join(units)}）" if units else ""


def _users_add(args: argparse.Namespace) -> int:
    try:
        units = _known_units(args.unit)
    except AccountError as exc:
        print(f"未创建账号：{exc}", file=sys.stderr)
        return EXIT_FAILED
    if sys.stdin.isatty():
        password = getpass.getpass("密码：")
        if getpass.getpass("再输入一次：") != password:
            print("两次输入的密码不一致，未创建账号", file=sys.stderr)
            return EXIT_FAILED
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        _accounts().add(
            args.name, password, role=args.role, units=units, display_name=args.display_name
        )
    except AccountError as exc:
        print(f"未创建账号：{exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"已创建账号“{args.name}”：{args.role.label}" + _units_text(list(units)))
    return EXIT_OK


def _users_display_name(args: argparse.Namespace) -> int:
    try:
        _accounts().set_display_name(args.name, args.display_name)
    except AccountError as exc:
        print(f"未修改：{exc}", file=sys.stderr)
        return EXIT_FAILED
    shown = args.display_name.strip()
    print(f"账号“{args.name}”的显示名称" + (f"已设为“{shown}”" if shown else "已清除"))
    return EXIT_OK


def _users_list(args: argparse.Namespace) -> int:
    accounts = _accounts().accounts()
    for account in accounts:
        line = f"{account.name}\t{account.role.label}\t{'、'.join(account.units)}"
        print(line + (f"\t显示为 {account.display_name}" if account.display_name else ""))
    if not accounts:
        print("（还没有账号：用 users add 账号名 创建）")
    return EXIT_OK


def _users_remove(args: argparse.Namespace) -> int:
    try:
        _accounts().remove(args.name)
    except AccountError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_FAILED
    print(f"已删除账号“{args.name}”")
    return EXIT_OK


def _template(args: argparse.Namespace) -> int:
    from metrics.workbook.template import write_template

    out: Path = args.out
    if out.exists() and not args.force:
        print(f"文件“{out}”已存在：如需覆盖请加 --force", file=sys.stderr)
        return EXIT_FAILED
    try:
        write_template(out)
    except OSError as exc:
        print(f"无法写入“{out}”：{exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    print(f"已生成空白模板：{out}")
    return EXIT_OK


def _usable(result: LoadResult, file: Path) -> bool:
    if result.ok:
        return True
    _print_problems(result.problems, sys.stderr)
    print(
        f"{file}：有 {len(result.errors)} 个错误，无法计算。请先用 check 命令查看并修改",
        file=sys.stderr,
    )
    return False


def _print_problems(problems: Sequence[Problem], stream: TextIO) -> None:
    for problem in problems:
        print(str(problem), file=stream)


def _dump(data: object, stream: TextIO) -> None:
    json.dump(data, stream, ensure_ascii=False, indent=2)
    stream.write("\n")
