"""``python -m metrics notify status|send|due|retry|test`` on both backends, and two
sender processes at once (each message is sent once)."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics.cli import main
from metrics.notify import notify_duban_issued
from metrics.notify.message import EventKind, Notice
from metrics.notify.outbox import Channel, Outgoing, State, enqueue
from metrics.notify.sender import outbox_of, utc_now, wait_idle
from metrics.notify.settings import VARIABLES
from metrics.store.backend import DATABASE_URL_ENV
from metrics.store.versions import STORE_ENV, Store
from tests.notify_receivers import SmtpReceiver, closed_port, smtp_receiver
from tests.rounds_data import DUE, EDU, HOUSING, OFFICE, round_store, service_for

PASSWORD = "Cli-Pa55word"
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def store(
    store_location: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Store]:
    for name in (*VARIABLES, STORE_ENV, DATABASE_URL_ENV):
        monkeypatch.delenv(name, raising=False)
    if isinstance(store_location, Path):
        monkeypatch.setenv(STORE_ENV, str(store_location))
    else:
        monkeypatch.setenv(DATABASE_URL_ENV, store_location)
    yield round_store(store_location, tmp_path)
    assert wait_idle(15)


@pytest.fixture
def mail() -> Iterator[SmtpReceiver]:
    with smtp_receiver(password=PASSWORD) as server:
        yield server


def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, port: int) -> None:
    book = tmp_path / "notify.toml"
    book.write_text(
        f'[units."{EDU}"]\nmail = ["zhao@edu.example.cn"]\n'
        f'[units."{HOUSING}"]\nmail = ["qian@zjj.example.cn"]\n',
        encoding="utf-8",
    )
    (tmp_path / "smtp-password").write_text(PASSWORD + "\n", encoding="utf-8")
    for name, value in {
        "ZHENGGAI_NOTIFY": "1",
        "ZHENGGAI_NOTIFY_TIMEOUT": "1",
        "ZHENGGAI_NOTIFY_RECIPIENTS": str(book),
        "ZHENGGAI_SMTP_HOST": "127.0.0.1",
        "ZHENGGAI_SMTP_PORT": str(port),
        "ZHENGGAI_SMTP_SECURITY": "none",
        "ZHENGGAI_SMTP_FROM": "zgb@example.cn",
        "ZHENGGAI_SMTP_USER": "zgb",
        "ZHENGGAI_SMTP_PASSWORD_FILE": str(tmp_path / "smtp-password"),
    }.items():
        monkeypatch.setenv(name, value)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["notify", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_status_send_retry_and_test(
    store: Store,
    mail: SmtpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "status")
    assert code == 0 and out.startswith("提醒未开启（设 ZHENGGAI_NOTIFY=1 开启）")
    assert run(capsys, "send")[1].startswith("提醒未开启")

    configure(monkeypatch, tmp_path, closed_port())
    notify_duban_issued(
        store, duban_id=3, task_id=1, title="公办教育发展滞后", unit=EDU, deadline=DUE
    )
    assert wait_idle(10)
    code, out, err = run(capsys, "status")
    assert code == 0 and err == ""
    assert "邮件：127.0.0.1:" in out and "登录名 zgb，密码 ******" in out
    assert "队列：待发送 1 条，发送中 0 条，已发送 0 条，发送失败 0 条" in out
    assert "督办单“公办教育发展滞后”（区教育局）→ zhao@edu.example.cn：待发送（已尝试 1 次）" in out
    assert "原因：无法连接邮件服务器 127.0.0.1:" in out and PASSWORD not in out
    status = json.loads(run(capsys, "status", "--json")[1])
    assert status["counts"]["queued"] == 1 and status["messages"][0]["attempts"] == 1
    assert run(capsys, "send")[1].strip() == "已发送 0 条"  # the retry is not due yet
    code, _, err = run(capsys, "test", "--to", "a@b.cn")
    assert code == 1 and "a@b.cn：发送失败：无法连接邮件服务器" in err

    outbox = outbox_of(store)
    with store.backend.versions.transaction() as db:
        db.execute("UPDATE notify_outbox SET state = 'failed'")
    assert run(capsys, "retry")[1].startswith("1 条失败的提醒已重新加入队列")
    configure(monkeypatch, tmp_path, mail.port)
    code, out, _ = run(capsys, "send")
    assert (code, out.strip()) == (0, "已发送 1 条") and outbox.counts()[State.SENT] == 1
    code, out, _ = run(capsys, "test", "--unit", EDU)
    assert (code, out.strip()) == (0, "zhao@edu.example.cn：已发送")
    assert "【整改提醒】提醒设置测试" in mail.mails[-1].body
    code, _, err = run(capsys, "test", "--group")
    assert code == 1 and "没有可发送的接收人" in err


def test_due_chases_the_units_of_the_open_round(
    store: Store,
    mail: SmtpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure(monkeypatch, tmp_path, mail.port)
    service = service_for(store)  # opened on 2021-07-01; its due date has long passed now
    service.open_round(OFFICE, name="六月", as_of=datetime.date(2021, 6, 30), due=DUE)
    assert wait_idle(10)
    mail.mails.clear()
    code, out, _ = run(capsys, "due")
    assert code == 0 and out.splitlines() == ["加入了 2 条截止、逾期提醒", "已发送 2 条"]
    assert sorted(m.message["Subject"] for m in mail.mails) == [
        "【整改提醒】逾期未报：六月（区住建局）",
        "【整改提醒】逾期未报：六月（区教育局）",
    ]
    assert run(capsys, "due")[1].splitlines()[0] == "加入了 0 条截止、逾期提醒"


def test_two_sender_processes_send_each_message_once(
    store: Store, mail: SmtpReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    configure(monkeypatch, tmp_path, mail.port)
    notice = Notice(EventKind.DUBAN, "任务", EDU, DUE, "")
    with store.backend.versions.transaction() as db:
        messages = [
            Outgoing(f"duban:{n}", notice, Channel.MAIL, f"u{n}@example.cn") for n in range(30)
        ]
        assert enqueue(db, messages, utc_now()) == 30
    mail.delay = 0.05  # a slow server: the two processes overlap
    command = [sys.executable, "-m", "metrics", "notify", "send"]
    senders = [
        subprocess.Popen(command, cwd=REPO, env=dict(os.environ), stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    said = [sender.communicate(timeout=60)[0] for sender in senders]
    assert [sender.returncode for sender in senders] == [0, 0]
    counts = [int(text.split("已发送 ")[1].split(" ")[0]) for text in said]
    assert sum(counts) == 30 and len(mail.mails) == 30
    assert len({m.message["Message-ID"] for m in mail.mails}) == 30
