"""``python -m briefing duban --task N | --unit U --actor A --respond-by D --out F.docx``.

Issues a 督办单 on the dashboard's store (``ZHENGGAI_DATABASE_URL`` or ``ZHENGGAI_STORE``)
for its current version: for one task, or for every coloured task of a unit (the level
is the supervision colour: red, yellow or blue, with the rule in words). The notice is
recorded (who, when, number, level, response date), its reminder queued when reminders
are on, and the Word document written. Exit status: 0 issued (the number printed), 1
refused or failed (the reason in Chinese), 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from metrics.cli_guard import EXIT_OK, guarded
from metrics.store.versions import StoreError


def main(argv: Sequence[str]) -> int:
    args = _parser().parse_args(argv)
    from metrics.duban.items import NothingToSupervise

    return guarded(lambda: _run(args), expected=(StoreError, NothingToSupervise), prefix="未签发")


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期：请写作 2021-07-10") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m briefing duban",
        description="签发督办单：记录编号、等级、反馈时限，并生成 Word 督办单",
    )
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--task", type=int, metavar="N", help="督办一项任务（报告中的编号）")
    which.add_argument("--unit", metavar="单位", help="督办该单位所有有预警的任务")
    parser.add_argument("--actor", required=True, metavar="姓名", help="签发人（记入记录）")
    parser.add_argument(
        "--respond-by", type=_day, required=True, metavar="日期", help="反馈时限，如 2021-07-10"
    )
    parser.add_argument("--requirements", default="", metavar="文字", help="督办要求（默认按等级）")
    parser.add_argument("--out", type=Path, required=True, help="输出的 .docx 文件")
    return parser


def _run(args: argparse.Namespace) -> int:
    from briefing.docx_duban import build_duban_docx
    from metrics.cli_rounds import principal
    from metrics.duban.items import task_items, unit_items
    from metrics.duban.service import DubanError, DubanService
    from metrics.rounds.units import find_unit
    from metrics.scoring.progress import score
    from metrics.store.accounts import AccountError, clean_name
    from metrics.store.versions import open_store_from_env
    from metrics.supervision.facts import rounds_facts
    from metrics.supervision.rules import colours
    from metrics.workbook.loader import load_workbook

    try:
        actor = clean_name(args.actor)
    except AccountError as exc:
        print(f"签发人：{exc}", file=sys.stderr)
        return 2
    store = open_store_from_env()
    version = store.current()
    if version is None:
        raise DubanError("存储中还没有任何版本：请先发布工作簿")
    dataset = load_workbook(store.read(version)).dataset
    if dataset is None:
        raise DubanError(f"当前版本 v{version.id} 的数据有错误，无法签发督办单")
    scored = score(dataset)
    now = datetime.datetime.now(datetime.UTC)
    warnings = colours(scored, rounds_facts(store.backend.versions, dataset, now))
    if args.task is not None:
        task = dataset.task(args.task)
        if task is None:
            raise DubanError(f"没有任务（{args.task}）：请写报告中的任务编号")
        items = task_items(warnings, args.task)
        unit = task.lead_unit.strip()
        if not unit:
            raise DubanError(f"任务（{args.task}）没有牵头单位：请改用 --unit 指明督办哪个单位")
    else:
        unit = find_unit(dataset, args.unit) or args.unit
        items = unit_items(dataset, warnings, unit)
    notice = DubanService(store).issue(
        principal(actor),
        unit=unit,
        items=items,
        respond_by=args.respond_by,
        requirements=args.requirements,
    )
    _write(args.out, build_duban_docx(notice, scored))
    print(f"已签发 {notice.code}（{notice.level.value}督办，{notice.unit}），已生成 {args.out}")
    return EXIT_OK


def _write(path: Path, data: bytes) -> None:
    """Written whole or not at all (a temp file renamed into place)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, partial = tempfile.mkstemp(dir=folder, prefix=".duban-", suffix=".docx")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(partial, path)
    except OSError as exc:
        message = f"无法写入“{path}”：{exc.strerror}（督办单已记录，可在看板上重新下载）"
        raise StoreError(message) from None
