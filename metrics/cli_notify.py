"""``python -m metrics notify send|due|status|retry|test``: reminders from the command line
and the timers (``deploy/systemd/zhenggai-notify@.service``).

Exit status: 0 done; 1 a message failed for good in this run (``send``, ``due``), or the
test message was not delivered (``test``); 2 usage error.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from typing import TypeAlias

from metrics.cli_guard import EXIT_FAILED, EXIT_OK
from metrics.notify.delivery import DeliveryError, deliver
from metrics.notify.message import EventKind, Notice, link_to
from metrics.notify.outbox import Channel, Row, State
from metrics.notify.sender import SendReport, outbox_of, send_pending, utc_now
from metrics.notify.settings import ENABLE_ENV, NotifySettings, current, mask
from metrics.store.versions import BEIJING, beijing_time, open_store_from_env

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


def register(commands: Commands) -> None:
    notify = commands.add_parser(
        "notify", help="提醒（邮件、企业微信/钉钉群机器人）：发送、查看、测试"
    )
    actions = notify.add_subparsers(required=True, metavar="操作")
    send = actions.add_parser("send", help="发送队列中到时的提醒（含失败后的重试）")
    send.set_defaults(run=_send)
    due = actions.add_parser(
        "due", help="本轮即将截止、已逾期的单位：加入提醒并发送（每天运行一次）"
    )
    due.set_defaults(run=_due)
    status = actions.add_parser("status", help="提醒设置和发送情况（待发送、失败及原因）")
    status.add_argument("--json", action="store_true", help="以 JSON 输出")
    status.set_defaults(run=_status)
    retry = actions.add_parser("retry", help="把发送失败的提醒重新加入队列（修正设置之后）")
    retry.add_argument("--id", type=int, default=None, help="只重试这一条（默认：全部失败的）")
    retry.set_defaults(run=_retry)
    test = actions.add_parser("test", help="立即发一条测试提醒（不进入队列），检查设置")
    target = test.add_mutually_exclusive_group(required=True)
    target.add_argument("--unit", help="发给该单位的全部接收人（邮件和单位群机器人）")
    target.add_argument("--to", help="发给这个邮件地址")
    target.add_argument("--group", action="store_true", help="发给工作群的群机器人")
    test.set_defaults(run=_test)


def _settings() -> NotifySettings:
    settings, problems = current()
    for problem in problems:
        print(f"设置有误：{problem}", file=sys.stderr)
    return settings


def _off(settings: NotifySettings) -> bool:
    if settings.active:
        return False
    print(f"提醒未开启或没有可用的发送方式（{ENABLE_ENV}，见 README“提醒”）：未发送")
    return True


def _finished(report: SendReport) -> int:
    print(report.text())
    if report.failed:
        print("有提醒最终发送失败：用 notify status 查看原因", file=sys.stderr)
    return EXIT_FAILED if report.failed else EXIT_OK


def _send(args: argparse.Namespace) -> int:
    settings = _settings()
    if _off(settings):
        return EXIT_OK
    return _finished(send_pending(open_store_from_env(), settings))


def _due(args: argparse.Namespace) -> int:
    from metrics.notify.due import queue_chase

    settings = _settings()
    if _off(settings):
        return EXIT_OK
    store = open_store_from_env()
    queued = queue_chase(store, settings, utc_now())
    print(f"加入了 {queued} 条截止、逾期提醒")
    return _finished(send_pending(store, settings))


def _status(args: argparse.Namespace) -> int:
    settings = _settings()
    outbox = outbox_of(open_store_from_env())
    counts = outbox.counts()
    waiting = outbox.rows((State.QUEUED, State.SENDING, State.FAILED), limit=100)
    if args.json:
        payload = {
            "enabled": settings.enabled,
            "active": settings.active,
            "counts": {state.value: n for state, n in counts.items()},
            "messages": [_row_json(row, settings) for row in waiting],
        }
        json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    for line in settings.describe():
        print(line)
    print("队列：" + "，".join(f"{state.label} {n} 条" for state, n in counts.items()))
    for row in waiting:
        print("- " + row_text(row, settings))
    return EXIT_OK


def row_text(row: Row, settings: NotifySettings) -> str:
    n = row.notice
    line = (
        f"#{row.id} {beijing_time(row.created_at)} {n.kind.label}“{n.subject}”"
        f"（{n.unit}）→ {row.recipient_label}：{row.state.label}"
    )
    if row.attempts:
        line += f"（已尝试 {row.attempts} 次）"
    if row.state is State.QUEUED and row.attempts:
        line += f"，下次 {beijing_time(row.next_at)}"
    if row.last_error:
        line += f"，原因：{mask(row.last_error, settings)}"
    return line


def _row_json(row: Row, settings: NotifySettings) -> dict[str, object]:
    return {
        "id": row.id,
        "event": row.notice.kind.value,
        "subject": row.notice.subject,
        "unit": row.notice.unit,
        "recipient": row.recipient_label,
        "state": row.state.value,
        "attempts": row.attempts,
        "next_at": row.next_at,
        "created_at": row.created_at,
        "error": mask(row.last_error, settings),
    }


def _retry(args: argparse.Namespace) -> int:
    again = outbox_of(open_store_from_env()).retry_failed(utc_now(), args.id)
    print(f"{again} 条失败的提醒已重新加入队列：由 notify send 或定时任务发送")
    return EXIT_OK


def _test(args: argparse.Namespace) -> int:
    settings = _settings()
    if not settings.enabled:
        print(f"提示：提醒尚未开启（{ENABLE_ENV}=1）；这只是一次测试发送")
    today = datetime.datetime.now(BEIJING).date()
    unit = args.unit or "（测试）"
    notice = Notice(
        EventKind.TEST, "整改进展看板提醒测试", unit, today, link_to(settings.base_url, "")
    )
    targets: list[tuple[Channel, str]] = []
    if args.to:
        targets.append((Channel.MAIL, args.to.strip()))
    elif args.group:
        if settings.recipients.group is not None:
            targets.append((Channel.WEBHOOK, "group"))
    else:
        targets += [(Channel.MAIL, address) for address in settings.mail_for(unit)]
        if settings.webhook(f"unit:{unit}") is not None:
            targets.append((Channel.WEBHOOK, f"unit:{unit}"))
    if not targets:
        print("没有可发送的接收人：请检查邮件服务器设置和接收人文件", file=sys.stderr)
        return EXIT_FAILED
    failed = 0
    for channel, recipient in targets:
        shown = recipient if channel is Channel.MAIL else "群机器人"
        try:
            deliver(settings, channel, recipient, notice, f"test:{datetime.datetime.now()}")
        except DeliveryError as exc:
            failed += 1
            print(f"{shown}：发送失败：{mask(exc.reason, settings)}", file=sys.stderr)
        else:
            print(f"{shown}：已发送")
    return EXIT_FAILED if failed else EXIT_OK
