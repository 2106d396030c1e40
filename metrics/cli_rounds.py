"""The reporting-round commands of ``python -m metrics`` (for scripts and scheduled work):

    round open|status|publish|close|resolve, unit-workbook, submit, review accept|return,
    evidence add, store export

Rights are those of the account named by ``--actor`` (a 单位填报员 of 区教育局 can only
report for 区教育局, here as in the browser). A name that is no account is the operator
at the server's command line, who acts as 整改办; the record says 命令行 and the OS user.
Exit status: 0 done, 1 refused (reasons in Chinese on standard error), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime
import getpass
import json
import sys
import unicodedata
from pathlib import Path
from typing import TypeAlias

from metrics.contract import ExtensionDecision
from metrics.problems import Problem
from metrics.rounds.board import build_board
from metrics.rounds.publish import publish_round, resolve, review_round
from metrics.rounds.roles import Principal, Role, require_office
from metrics.rounds.service import RoundError, RoundService
from metrics.store.accounts import open_accounts_from_env
from metrics.store.files import write_atomically
from metrics.store.versions import StaleVersion, StoreError, event_text, open_store_from_env
from metrics.values.dates import DateError, parse_date

EXIT_OK = 0
EXIT_FAILED = 1
CHANNEL = "命令行"

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    rounds = commands.add_parser("round", help="填报轮次：开启、查看报送情况、发布、结束")
    actions = rounds.add_subparsers(required=True, metavar="操作")
    opening = actions.add_parser("open", help="开启新的填报轮次（同时结束上一轮）")
    opening.add_argument("--name", required=True, help="轮次名称，如 2021年6月进展")
    opening.add_argument("--as-of", required=True, type=_date, help="本轮报告的截至日期")
    opening.add_argument("--due", required=True, type=_date, help="单位报送截止日期")
    opening.add_argument("--approval", action="store_true", help="报送前须经单位负责人审核")
    opening.add_argument("--actor", type=_actor, default="", help="开启人（默认：命令行用户）")
    opening.set_defaults(run=_open)
    status = actions.add_parser("status", help="本轮各单位报送情况和催报名单")
    status.add_argument("--json", action="store_true", help="以 JSON 输出")
    status.set_defaults(run=_status)
    publish = actions.add_parser("publish", help="合并本轮已采纳的报送并发布为新版本")
    publish.add_argument("--actor", required=True, type=_actor, help="发布人")
    publish.add_argument("--note", default="", help="发布说明")
    publish.add_argument("--expect-version", type=_version, default=None, metavar="N")
    publish.set_defaults(run=_publish)
    closing = actions.add_parser("close", help="结束本轮（已采纳的报送须先发布）")
    closing.add_argument("--actor", required=True, type=_actor)
    closing.set_defaults(run=_close)
    resolving = actions.add_parser("resolve", help="两个单位报送不一致时，选定采用哪个单位的")
    resolving.add_argument("--field", required=True, help="冲突项，如 status:9 或 value:T09-01")
    resolving.add_argument("--unit", required=True, help="采用该单位的报送")
    resolving.add_argument("--actor", required=True, type=_actor)
    resolving.set_defaults(run=_resolve)

    workbook = commands.add_parser("unit-workbook", help="生成某单位本轮的填报工作簿")
    workbook.add_argument("--unit", required=True, help="单位名称")
    workbook.add_argument("--out", required=True, type=Path, help="输出文件 .xlsx")
    workbook.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    workbook.set_defaults(run=_unit_workbook)

    submit = commands.add_parser("submit", help="报送单位填好的工作簿（与网页相同的检查）")
    submit.add_argument("file", type=Path, help="单位工作簿 .xlsx")
    submit.add_argument("--unit", required=True)
    submit.add_argument("--actor", required=True, type=_actor, help="报送人账号（或整改办代报）")
    submit.set_defaults(run=_submit)

    review = commands.add_parser("review", help="整改办采纳或退回单位的报送")
    verdicts = review.add_subparsers(required=True, metavar="决定")
    for verb, help_text in (("accept", "采纳"), ("return", "退回（须写 --comment）")):
        verdict = verdicts.add_parser(verb, help=help_text)
        verdict.add_argument("--unit", required=True)
        verdict.add_argument("--task", type=int, default=None, help="只处理这一项任务")
        verdict.add_argument("--actor", required=True, type=_actor)
        verdict.add_argument("--comment", default="", help="意见（退回时必填）")
        if verb == "accept":
            verdict.add_argument(
                "--extension",
                choices=[d.value for d in ExtensionDecision],
                default=None,
                help="采纳申请延期时的决定：同意 / 不同意 / 待定（默认待定）",
            )
        verdict.set_defaults(run=_review, accept=verb == "accept")

    evidence = commands.add_parser("evidence", help="佐证材料")
    evidence_actions = evidence.add_subparsers(required=True, metavar="操作")
    adding = evidence_actions.add_parser("add", help="为某项任务上传佐证材料")
    adding.add_argument("files", nargs="+", type=Path, metavar="FILE")
    adding.add_argument("--unit", required=True)
    adding.add_argument("--task", required=True, type=int)
    adding.add_argument("--actor", required=True, type=_actor)
    adding.set_defaults(run=_evidence_add)


def add_export(store_commands: Commands) -> None:
    export = store_commands.add_parser("export", help="导出某个已发布版本的工作簿（默认当前版本）")
    export.add_argument("--version", type=_version, default=None, metavar="N")
    export.add_argument("--out", required=True, type=Path, help="输出文件 .xlsx")
    export.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    export.set_defaults(run=_export)


# -- argument types ----------------------------------------------------------------------------


def _date(text: str) -> datetime.date:
    try:
        return parse_date(text)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _version(text: str) -> int:
    from metrics.cli_guard import version_number

    return version_number(text)


def _actor(text: str) -> str:
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if len(cleaned) > 64 or any(unicodedata.category(ch)[0] == "C" for ch in cleaned):
        raise argparse.ArgumentTypeError("操作人不能含换行或控制字符，最长 64 个字符")
    return cleaned


def principal(actor: str) -> Principal:
    """The account named ``actor`` (its role and units), else the operator as 整改办."""
    if actor:
        account = open_accounts_from_env().account(actor)
        if account is not None:
            return account.principal(CHANNEL)
    who = actor or "命令行"
    return Principal(f"{who}（命令行，系统用户 {_os_user()}）", Role.OFFICE, channel=CHANNEL)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "未知"


def _service() -> RoundService:
    return RoundService(open_store_from_env())


def _current(service: RoundService) -> int:
    found = service.current_round()
    if found is None:
        raise RoundError("当前没有进行中的填报轮次：请先运行 round open")
    return found.id


def _unit_in_round(name: str) -> tuple[RoundService, int, str]:
    """The service, the open round and the unit as the data writes it (refused clearly
    when there is no open round or no such unit)."""
    service = _service()
    return service, _current(service), service.unit_name(name)


def _write_new(path: Path, data: bytes, *, force: bool, verb: str) -> str | None:
    """Write ``data`` to ``path`` (private to its owner); a Chinese reason when not."""
    if path.exists() and not force:
        return f"未{verb}：文件“{path}”已存在，如需覆盖请加 --force"
    try:
        write_atomically(path, data, mode=0o600)
    except OSError as exc:
        return f"未{verb}：无法写入“{path}”：{exc.strerror or exc}"
    return None


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return EXIT_FAILED


# -- commands ------------------------------------------------------------------------------------


def _open(args: argparse.Namespace) -> int:
    service = _service()
    opened = service.open_round(
        principal(args.actor),
        name=args.name,
        as_of=args.as_of,
        due=args.due,
        require_approval=True if args.approval else None,
    )
    print(f"已开启轮次“{opened.name}”（截至 {opened.as_of}，报送截止 {opened.due}）")
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    service = _service()
    round_id = _current(service)
    board = build_board(service.db, service.dataset(), service.round(round_id), service.clock())
    if args.json:
        payload = {
            "round": {"id": board.round.id, "name": board.round.name, "due": str(board.round.due)},
            "reported": board.reported,
            "total": board.total,
            "units": [
                {
                    "unit": row.unit,
                    "state": str(row.state),
                    "submissions": row.revision,
                    "days_overdue": row.days_overdue,
                    "tasks": [t.id for t in row.tasks],
                    "last_activity": row.last.at if row.last else None,
                }
                for row in board.rows
            ],
            "late": [row.unit for row in board.late],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    print(f"轮次“{board.round.name}”：已报送 {board.reported} / {board.total}")
    for row in board.rows:
        late = f"，逾期 {row.days_overdue} 天" if row.days_overdue else ""
        print(f"- {row.unit}：{row.state}{late}")
    print()
    print(board.chase_text())
    return EXIT_OK


def _publish(args: argparse.Namespace) -> int:
    service = _service()
    round_id = _current(service)
    reviewed = review_round(service, round_id)
    for conflict in reviewed.plan.unresolved:
        options = "；".join(f"{unit}：{value}" for unit, value in conflict.options)
        print(f"冲突 {conflict.field}：{conflict.label}（{options}）", file=sys.stderr)
    if reviewed.plan.unresolved:
        return _fail("未发布：请先用 round resolve --field … --unit … 处理上面的冲突")
    if args.expect_version is not None and args.expect_version != reviewed.basis_id:
        return _fail(f"未发布：当前版本是 v{reviewed.basis_id}，不是 v{args.expect_version}")
    if reviewed.review is not None:
        for problem in reviewed.review.problems:
            print(str(problem), file=sys.stderr)
    try:
        version = publish_round(service, principal(args.actor), reviewed, note=args.note)
    except StaleVersion as exc:
        for entry in exc.meanwhile:
            print(f"- {event_text(entry)}", file=sys.stderr)
        return _fail(f"未发布：{exc}")
    print(f"已发布为版本 v{version.id}：{reviewed.plan.audit_note()}")
    return EXIT_OK


def _close(args: argparse.Namespace) -> int:
    service = _service()
    round_id = _current(service)
    service.close_round(principal(args.actor), round_id)
    print("本轮已结束")
    return EXIT_OK


def _resolve(args: argparse.Namespace) -> int:
    service = _service()
    round_id = _current(service)
    resolve(service, principal(args.actor), round_id, args.field, service.unit_name(args.unit))
    print(f"已选定 {args.field} 采用“{args.unit}”的报送")
    return EXIT_OK


def _unit_workbook(args: argparse.Namespace) -> int:
    from metrics.rounds.unit_workbook import unit_workbook_bytes

    service, round_id, unit = _unit_in_round(args.unit)
    office = Principal("命令行", Role.OFFICE, channel=CHANNEL)
    data = unit_workbook_bytes(
        service.dataset(), service.round(round_id), unit, service.drafts(office, round_id, unit)
    )
    refused = _write_new(args.out, data, force=args.force, verb="生成")
    if refused:
        return _fail(refused)
    print(f"已生成 {args.out}")
    return EXIT_OK


def _submit(args: argparse.Namespace) -> int:
    from metrics.rounds.unit_intake import read_unit_workbook

    service, round_id, unit = _unit_in_round(args.unit)
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return _fail(f"未报送：无法打开文件“{args.file}”：{exc.strerror}")
    result = read_unit_workbook(data, service.dataset(), service.round(round_id), unit)
    _print_problems(result.problems)
    if not result.ok:
        return _fail(f"未报送：{args.file} 有错误，请按上面所列修改后重新报送")
    submission = service.report_all(
        principal(args.actor), round_id, unit, result.reports, channel="单位工作簿"
    )
    print(f"已报送：{unit}第 {submission.revision} 次报送，{len(submission.items)} 项任务")
    return EXIT_OK


def _review(args: argparse.Namespace) -> int:
    service, round_id, unit = _unit_in_round(args.unit)
    who = principal(args.actor)
    require_office(who, "采纳或退回报送")  # the service checks again; this says it first
    live = service.live_submission(who, round_id, unit)
    if live is None:
        return _fail(f"“{unit}”本轮没有待审核的报送")
    extension = getattr(args, "extension", None)
    made = service.decide(
        who,
        live.id,
        accept=args.accept,
        task_id=args.task,
        comment=args.comment,
        extension=ExtensionDecision(extension) if extension else None,
    )
    verb = "采纳" if args.accept else "退回"
    print(f"已{verb}“{unit}”的报送：任务" + "、".join(f"（{d.task_id}）" for d in made))
    return EXIT_OK


def _evidence_add(args: argparse.Namespace) -> int:
    service, round_id, unit = _unit_in_round(args.unit)
    who = principal(args.actor)
    for path in args.files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return _fail(f"未上传：无法打开文件“{path}”：{exc.strerror}")
        record = service.add_evidence(who, round_id, unit, args.task, path.name, data)
        print(f"已上传佐证材料“{record.name}”（任务（{args.task}））")
    return EXIT_OK


def _export(args: argparse.Namespace) -> int:
    store = open_store_from_env()
    version = store.current() if args.version is None else store.version(args.version)
    if version is None:
        return _fail("未导出：没有这个版本" if args.version else "未导出：存储中还没有版本")
    refused = _write_new(args.out, store.read(version), force=args.force, verb="导出")
    if refused:
        return _fail(refused)
    print(f"已导出版本 v{version.id} 到 {args.out}")
    return EXIT_OK


def _print_problems(problems: tuple[Problem, ...]) -> None:
    for problem in problems:
        print(str(problem), file=sys.stderr)


EXPECTED = (RoundError, StoreError)
