"""Reminders of reporting rounds, on both backends, against a local SMTP server and a
local robot receiver: off by default; a round opened, returned and accepted tasks,
due-soon and overdue units and a 督办单 reach the right recipients once, carrying only
the title, the unit, a date and a link; a mail server that is down or hangs never slows
or fails a review or a publish, and its failures are retried with backoff, then kept
for the office to see; two senders never send one message twice."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics.notify import hooks, notify_duban_issued
from metrics.notify.due import queue_chase
from metrics.notify.message import EventKind, Notice
from metrics.notify.outbox import Channel, Outgoing, State, enqueue
from metrics.notify.sender import BACKOFF, outbox_of, send_pending, wait_idle
from metrics.notify.settings import VARIABLES, NotifySettings, settings_now
from metrics.rounds.model import TaskReport
from metrics.rounds.publish import publish_round, review_round
from metrics.rounds.service import RoundService
from metrics.store.backup import SqliteSource, backup, restore
from metrics.store.postgres_backup import PostgresSource
from metrics.store.versions import Store, open_store
from tests.notify_receivers import (
    HttpReceiver,
    SmtpReceiver,
    closed_port,
    http_receiver,
    silent_port,
    smtp_receiver,
)
from tests.rounds_data import (
    AS_OF,
    DUE,
    EDU,
    EDU_REPORTER,
    HOUSING,
    HOUSING_REPORTER,
    OFFICE,
    Clock,
    round_store,
    service_for,
)

EDU_MAIL = "zhao@edu.example.cn"
HOUSING_MAIL = "qian@zjj.example.cn"
PASSWORD = "Mail-Pa55word"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
SECRETS = ("秘密进展XYZ", "13579", "机密名单", "退回意见ABC", "同意意见DEF")


@pytest.fixture
def store(store_location: Path | str, tmp_path: Path) -> Iterator[Store]:
    yield round_store(store_location, tmp_path)
    assert wait_idle(15)  # background senders done before the database goes


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC))


@pytest.fixture
def service(store: Store, clock: Clock) -> RoundService:
    return service_for(store, clock)


@pytest.fixture
def mail() -> Iterator[SmtpReceiver]:
    with smtp_receiver(password=PASSWORD) as server:
        yield server


@pytest.fixture
def robot() -> Iterator[HttpReceiver]:
    with http_receiver() as receiver:
        yield receiver


@pytest.fixture(autouse=True)
def no_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*VARIABLES, "http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)


def configure(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    smtp_port: int,
    robot: HttpReceiver | None = None,
    timeout: str = "1",
) -> NotifySettings:
    book = tmp_path / "notify.toml"
    lines = [
        f'[units."{EDU}"]',
        f'mail = ["{EDU_MAIL}"]',
        f'[units."{HOUSING}"]',
        f'mail = "{HOUSING_MAIL}"',
    ]
    if robot is not None:
        lines[2:2] = [
            f'webhook = "{robot.url("/robot/send", "access_token=EDUTOKEN1")}"',
            'format = "dingtalk"',
            'secret = "SECedu123456"',
        ]
        lines += ["[group]", f'webhook = "{robot.url()}"']
    book.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for name, value in {
        "ZHENGGAI_NOTIFY": "1",
        "ZHENGGAI_NOTIFY_BASE_URL": "https://zg.example/",
        "ZHENGGAI_NOTIFY_TIMEOUT": timeout,
        "ZHENGGAI_NOTIFY_RECIPIENTS": str(book),
        "ZHENGGAI_SMTP_HOST": "127.0.0.1",
        "ZHENGGAI_SMTP_PORT": str(smtp_port),
        "ZHENGGAI_SMTP_SECURITY": "none",
        "ZHENGGAI_SMTP_FROM": "整改办 <zgb@example.cn>",
        "ZHENGGAI_SMTP_USER": "zgb",
        "ZHENGGAI_SMTP_PASSWORD": PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)
    settings = settings_now()
    assert settings.active
    return settings


def opened(service: RoundService) -> int:
    return service.open_round(OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE).id


def states(store: Store) -> list[tuple[str, str, State]]:
    rows = outbox_of(store).rows(list(State), limit=1000)
    return sorted((r.dedup.split("|")[0], r.recipient, r.state) for r in rows)


def everything_said(mail: SmtpReceiver, robot: HttpReceiver | None = None) -> str:
    said = [m.message["Subject"] + "\n" + m.body for m in mail.mails]
    said += [p.body["text"]["content"] for p in (robot.posts if robot else [])]
    return "\n\n".join(said)


def test_off_by_default_nothing_is_queued_or_sent(
    service: RoundService, store: Store, mail: SmtpReceiver, robot: HttpReceiver
) -> None:
    round_id = opened(service)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="进展"))
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    service.decide(OFFICE, submission.id, accept=False, task_id=1, comment="请补充")
    notify_duban_issued(store, duban_id=1, task_id=1, title="t", unit=EDU, deadline=DUE)
    assert (
        queue_chase(store, settings_now(), datetime.datetime(2021, 7, 9, tzinfo=datetime.UTC)) == 0
    )
    assert wait_idle(5)
    assert states(store) == [] and mail.mails == [] and robot.posts == []
    assert not any(outbox_of(store).counts().values())


def test_each_event_reaches_its_recipients_once_and_says_nothing_else(
    service: RoundService,
    store: Store,
    clock: Clock,
    mail: SmtpReceiver,
    robot: HttpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    configure(monkeypatch, tmp_path, mail.port, robot)
    round_id = opened(service)
    assert wait_idle(10)
    opening = [(m.recipients, m.message["Subject"]) for m in mail.mails]
    assert sorted(opening) == [
        ([HOUSING_MAIL], "【整改提醒】轮次开启：2021年6月进展（区住建局）"),
        ([EDU_MAIL], "【整改提醒】轮次开启：2021年6月进展（区教育局）"),
    ]
    assert all(m.authenticated == "zgb" for m in mail.mails)
    by_path = {p.path: p for p in robot.posts}
    assert len(robot.posts) == 2  # the work group once, 区教育局's own robot once
    group = by_path["/cgi-bin/webhook/send"].body["text"]["content"]
    assert "单位：各单位" in group and "报送截止：2021年7月5日" in group
    assert group.endswith("链接：https://zg.example/report")
    signed = by_path["/robot/send"].query
    assert signed["access_token"] == "EDUTOKEN1" and signed["sign"] and signed["timestamp"]

    # A report full of figures, progress, evidence and comments: none of it is sent.
    service.add_evidence(EDU_REPORTER, round_id, EDU, 1, "机密名单.pdf", PDF)
    report = TaskReport(1, progress="秘密进展XYZ", values={"T01-01": "13579"})
    service.save_draft(EDU_REPORTER, round_id, EDU, report)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(3, progress="秘密进展XYZ"))
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    clock.advance(days=1)
    service.decide(OFFICE, submission.id, accept=False, task_id=3, comment="退回意见ABC")
    service.decide(OFFICE, submission.id, accept=True, task_id=1, comment="同意意见DEF")
    assert wait_idle(10)
    said = everything_said(mail, robot)
    assert not [secret for secret in SECRETS if secret in said]
    returned = next(m for m in mail.mails if "退回" in m.message["Subject"])
    assert returned.recipients == [EDU_MAIL]
    assert returned.body.splitlines()[:5] == [
        "【整改提醒】整改办退回了报送，请修改后重新报送",
        "任务：安置区配套学校",
        "单位：区教育局",
        "退回日期：2021年7月2日",
        "链接：https://zg.example/report",
    ]
    accepted = next(m for m in mail.mails if "采纳" in m.message["Subject"])
    assert "任务：公办教育发展滞后" in accepted.body
    assert "链接：https://zg.example/issue?task=1" in accepted.body
    assert len(mail.mails) == 4 and len(robot.posts) == 6
    assert {state for _, _, state in states(store)} == {State.SENT}

    # Queued again (a retry of the hook, a second run): nothing is sent twice.
    settings = settings_now()
    again = hooks.units_to_tell(service.dataset)
    with store.backend.versions.transaction() as db:
        hooks.round_opened(db, service.round(round_id), again, clock())
    assert send_pending(store, settings, clock=clock).sent == 0
    assert len(mail.mails) == 4


def test_a_mail_server_that_is_down_never_blocks_and_is_retried_then_shown(
    service: RoundService,
    store: Store,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    settings = configure(monkeypatch, tmp_path, closed_port())
    round_id = opened(service)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="进展"))
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    started = time.monotonic()
    service.decide(OFFICE, submission.id, accept=True, task_id=1)
    reviewed = review_round(service, round_id)
    version = publish_round(service, OFFICE, reviewed)
    assert time.monotonic() - started < settings.timeout and version.id == 2
    assert wait_idle(10)
    rows = outbox_of(store).rows([State.QUEUED])
    assert {(r.notice.kind, r.recipient, r.attempts) for r in rows} == {
        (EventKind.OPENED, EDU_MAIL, 1),
        (EventKind.OPENED, HOUSING_MAIL, 1),
        (EventKind.ACCEPTED, EDU_MAIL, 1),
    }
    assert all(r.last_error.startswith("无法连接邮件服务器 127.0.0.1:") for r in rows)
    assert all(PASSWORD not in r.last_error for r in rows)

    # Not before the backoff: 1, 5, 30 minutes, 2 hours; then failed for good.
    assert send_pending(store, settings, clock=clock).sent == 0
    for attempt, wait in enumerate(BACKOFF, start=2):
        clock.advance(seconds=wait.total_seconds() - 1)
        assert send_pending(store, settings, clock=clock).retrying == 0
        clock.advance(seconds=1)
        report = send_pending(store, settings, clock=clock)
        if attempt <= len(BACKOFF):
            assert report.retrying == 3, attempt
        else:
            assert report.failed == 3
    failed = outbox_of(store).rows([State.FAILED])
    assert len(failed) == 3 and {r.attempts for r in failed} == {5}

    # The server is back and the office retries: sent once each.
    with smtp_receiver(password=PASSWORD) as mail:
        settings = configure(monkeypatch, tmp_path, mail.port)
        assert outbox_of(store).retry_failed(clock()) == 3
        assert send_pending(store, settings, clock=clock).sent == 3
        assert sorted(m.recipients[0] for m in mail.mails) == sorted(
            [EDU_MAIL, HOUSING_MAIL, EDU_MAIL]
        )


def test_a_mail_server_that_hangs_does_not_slow_a_review_or_a_publish(
    service: RoundService, store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with silent_port() as port:
        settings = configure(monkeypatch, tmp_path, port, timeout="1.5")
        round_id = opened(service)
        service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="进展"))
        submission = service.submit(EDU_REPORTER, round_id, EDU)
        started = time.monotonic()
        service.decide(OFFICE, submission.id, accept=True, task_id=1)
        publish_round(service, OFFICE, review_round(service, round_id))
        assert time.monotonic() - started < settings.timeout
        assert wait_idle(30)
    errors = {r.last_error for r in outbox_of(store).rows([State.QUEUED])}
    assert errors == {f"邮件服务器 127.0.0.1:{port}在 1.5 秒内没有回应"}


def test_queuing_that_fails_never_fails_the_action(
    service: RoundService,
    store: Store,
    mail: SmtpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    configure(monkeypatch, tmp_path, mail.port)

    def broken(db: object, messages: object, now: object) -> int:
        db.execute("INSERT INTO no_such_table VALUES (1)")  # type: ignore[attr-defined]  # a Connection
        return 0

    monkeypatch.setattr(hooks, "enqueue", broken)
    with caplog.at_level(logging.ERROR, logger="metrics.notify.hooks"):
        round_id = opened(service)
        service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="进展"))
        submission = service.submit(EDU_REPORTER, round_id, EDU)
        made = service.decide(OFFICE, submission.id, accept=True, task_id=1)
    assert service.current_round() is not None and made[0].task_id == 1
    assert "开启轮次的提醒未能加入发送队列" in caplog.text
    assert "审核的提醒未能加入发送队列" in caplog.text
    assert states(store) == [] and wait_idle(5) and mail.mails == []


def test_due_soon_and_overdue_once_per_round_and_unit(
    service: RoundService,
    store: Store,
    clock: Clock,
    mail: SmtpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    settings = configure(monkeypatch, tmp_path, mail.port)
    round_id = opened(service)
    service.save_draft(HOUSING_REPORTER, round_id, HOUSING, TaskReport(2, progress="进展"))
    service.submit(HOUSING_REPORTER, round_id, HOUSING)  # with the office: not chased
    assert wait_idle(10)
    assert queue_chase(store, settings, clock()) == 0  # 4 days left, reminders at 3
    clock.advance(days=1)
    assert queue_chase(store, settings, clock()) == 1
    assert queue_chase(store, settings, clock()) == 0
    assert send_pending(store, settings, clock=clock).sent == 1
    clock.advance(days=5)
    assert queue_chase(store, settings, clock()) == 1
    clock.advance(days=1)
    assert queue_chase(store, settings, clock()) == 0
    send_pending(store, settings, clock=clock)
    chased = [m for m in mail.mails if "开启" not in m.message["Subject"]]
    assert [(m.recipients, m.message["Subject"]) for m in chased] == [
        ([EDU_MAIL], "【整改提醒】即将截止：2021年6月进展（区教育局）"),
        ([EDU_MAIL], "【整改提醒】逾期未报：2021年6月进展（区教育局）"),
    ]
    assert "报送截止：2021年7月5日" in chased[1].body


def test_a_duban_issued_reaches_its_unit_once(
    store: Store, clock: Clock, mail: SmtpReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    configure(monkeypatch, tmp_path, mail.port)
    for _ in range(2):
        notify_duban_issued(
            store,
            duban_id="D-7",
            task_id=2,
            title="回迁安置进展缓慢",
            unit=HOUSING,
            deadline=datetime.date(2021, 8, 1),
            clock=clock,
        )
        assert wait_idle(10)
    (sent,) = mail.mails
    assert sent.recipients == [HOUSING_MAIL]
    assert sent.body.splitlines()[:5] == [
        "【整改提醒】整改办发出督办单，请按时办理",
        "任务：回迁安置进展缓慢",
        "单位：区住建局",
        "办理时限：2021年8月1日",
        "链接：https://zg.example/issue?task=2",
    ]


def test_two_senders_at_once_send_each_message_once(
    store: Store, clock: Clock, mail: SmtpReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = configure(monkeypatch, tmp_path, mail.port)
    messages = [
        Outgoing(
            f"duban:{n}",
            Notice(EventKind.DUBAN, f"任务{n}", EDU, DUE, ""),
            Channel.MAIL,
            f"u{n}@example.cn",
        )
        for n in range(40)
    ]
    with store.backend.versions.transaction() as db:
        assert enqueue(db, messages, clock()) == 40
    results = []
    senders = [
        threading.Thread(
            target=lambda: results.append(send_pending(store, settings, clock=clock).sent)
        )
        for _ in range(3)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join(60)
    assert sum(results) == 40 and len(mail.mails) == 40
    assert len({m.message["Message-ID"] for m in mail.mails}) == 40
    assert outbox_of(store).counts()[State.SENT] == 40


def test_a_lost_lease_is_taken_over_and_stale_messages_are_dropped(
    store: Store, clock: Clock, mail: SmtpReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    settings = configure(monkeypatch, tmp_path, mail.port)
    notice = Notice(EventKind.DUBAN, "任务", EDU, DUE, "")
    with store.backend.versions.transaction() as db:
        enqueue(db, [Outgoing("duban:a", notice, Channel.MAIL, EDU_MAIL)], clock())
    outbox = outbox_of(store)
    lease = datetime.timedelta(minutes=2)
    first = outbox.claim(clock(), lease, "sender-a")
    assert first is not None and outbox.claim(clock(), lease, "sender-b") is None
    clock.advance(minutes=3)  # sender-a died
    second = outbox.claim(clock(), lease, "sender-b")
    assert second is not None and second.id == first.id
    assert not outbox.finish(first, "sender-a", state=State.SENT, attempts=1, next_at="")
    assert outbox.finish(second, "sender-b", state=State.SENT, attempts=1, next_at="")

    with store.backend.versions.transaction() as db:
        enqueue(db, [Outgoing("duban:b", notice, Channel.MAIL, EDU_MAIL)], clock())
    clock.advance(days=3)  # e.g. a restored backup's queue
    report = send_pending(store, settings, clock=clock)
    assert (report.sent, report.expired) == (0, 1) and mail.mails == []
    (old,) = outbox.rows([State.FAILED])
    assert old.last_error == "超过 2 天未能发送，已不再发送"


def test_backups_carry_the_queue(
    store: Store,
    store_location: Path | str,
    clock: Clock,
    mail: SmtpReceiver,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    configure(monkeypatch, tmp_path, mail.port)
    notice = Notice(EventKind.DUBAN, "任务", EDU, DUE, "https://zg.example/issue?task=1")
    with store.backend.versions.transaction() as db:
        enqueue(db, [Outgoing("duban:a", notice, Channel.MAIL, EDU_MAIL, 1)], clock())
    archive = tmp_path / "b.tar.gz"
    source = (
        SqliteSource(store_location)
        if isinstance(store_location, Path)
        else PostgresSource(store_location)
    )
    backup(store_location if isinstance(store_location, Path) else None, archive, source)
    target = tmp_path / "restored"
    restore(archive, target, SqliteSource(target))
    again = outbox_of(open_store(target)).rows(list(State))
    assert again == outbox_of(store).rows(list(State)) and again[0].notice == notice


def test_issuing_a_duban_notice_tells_its_unit(
    store: Store, clock: Clock, mail: SmtpReceiver, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from metrics.duban.model import DubanItem, Level
    from metrics.duban.service import DubanService

    configure(monkeypatch, tmp_path, mail.port)
    notice = DubanService(store, clock=clock).issue(
        OFFICE,
        unit=HOUSING,
        items=[DubanItem(2, Level.RED, ("红色：已超过整改时限（2021年6月30日）",))],
        respond_by=datetime.date(2021, 8, 1),
    )
    assert wait_idle(10)
    (sent,) = mail.mails
    assert sent.recipients == [HOUSING_MAIL]
    lines = sent.body.splitlines()
    assert lines[1:5] == [
        "任务：回迁安置进展缓慢",
        "单位：区住建局",
        "办理时限：2021年8月1日",
        "链接：https://zg.example/issue?task=2",
    ]
    assert "已超过" not in sent.body  # the rule stays in the notice, not in the message
    assert notice.unit == HOUSING
