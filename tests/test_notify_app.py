"""The 填报审核 page's 提醒发送情况: the office sees queued and failed reminders with the
reason (no secret), and queues failed ones again; nothing shows while reminders are off;
leaders never see it. A review in the browser is not held up by a mail server that is
down."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrics.notify.outbox import State
from metrics.notify.sender import outbox_of, wait_idle
from metrics.notify.settings import VARIABLES
from metrics.rounds.model import TaskReport
from metrics.rounds.roles import Role
from metrics.rounds.service import RoundService
from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store
from tests.notify_receivers import closed_port
from tests.rounds_data import AS_OF, DUE, EDU, EDU_REPORTER, OFFICE, PASSWORD, round_store
from tests.test_app_rounds import open_page, sign_in
from ui.auth import REQUIRE_SIGNIN_ENV
from ui.data_source import WORKBOOK_ENV

SMTP_PASSWORD = "App-Pa55word"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    root = tmp_path / "store"
    for name in (*VARIABLES, WORKBOOK_ENV, REQUIRE_SIGNIN_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    opened = round_store(root, tmp_path)
    accounts = Accounts(root)
    accounts.add("张三", PASSWORD)
    accounts.add("王书记", PASSWORD, role=Role.LEADER)
    yield opened
    assert wait_idle(15)


def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    book = tmp_path / "notify.toml"
    book.write_text(f'[units."{EDU}"]\nmail = ["zhao@edu.example.cn"]\n', encoding="utf-8")
    for name, value in {
        "ZHENGGAI_NOTIFY": "1",
        "ZHENGGAI_NOTIFY_TIMEOUT": "1",
        "ZHENGGAI_NOTIFY_DUE_DAYS": "很多",
        "ZHENGGAI_NOTIFY_RECIPIENTS": str(book),
        "ZHENGGAI_SMTP_HOST": "127.0.0.1",
        "ZHENGGAI_SMTP_PORT": str(closed_port()),
        "ZHENGGAI_SMTP_SECURITY": "none",
        "ZHENGGAI_SMTP_FROM": "zgb@example.cn",
        "ZHENGGAI_SMTP_USER": "zgb",
        "ZHENGGAI_SMTP_PASSWORD": SMTP_PASSWORD,
    }.items():
        monkeypatch.setenv(name, value)


def test_nothing_shows_while_reminders_are_off(store: Store) -> None:
    RoundService(store).open_round(OFFICE, name="六月", as_of=AS_OF, due=DUE)
    app = open_page("pages/rounds.py")
    sign_in(app, "rounds_sign_in", "张三")
    assert "提醒发送情况" not in [h.value for h in app.subheader]


def test_the_office_sees_failures_and_queues_them_again(
    store: Store, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    configure(monkeypatch, tmp_path)
    service = RoundService(store)
    round_id = service.open_round(OFFICE, name="六月", as_of=AS_OF, due=DUE).id
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="新增学位"))
    submission = service.submit(EDU_REPORTER, round_id, EDU)

    app = open_page("pages/rounds.py")
    sign_in(app, "rounds_sign_in", "张三")
    app.text_input(key=f"rounds_comment_{submission.id}_1").set_value("请补充")
    started = time.monotonic()
    app.button(key=f"rounds_return_{submission.id}_1").click().run()
    assert time.monotonic() - started < 5 and "已退回任务（1）" in app.success[0].value
    assert wait_idle(10)
    with store.backend.versions.transaction() as db:  # the last retry failed too
        db.execute("UPDATE notify_outbox SET state = 'failed' WHERE event = 'returned'")
    app.run()
    assert "提醒发送情况" in [h.value for h in app.subheader]
    assert any("DAYS\\=“很多” 应为 0 到 60 之间的整数" in e.value for e in app.error)
    assert any("待发送 1 条 · 发送失败 1 条 · 已发送 0 条" in c.value for c in app.caption)
    table = app.dataframe[-1].value
    assert list(table["提醒"]) == ["退回", "轮次开启"]
    assert list(table["状态"]) == ["发送失败", "待发送"]
    assert list(table["任务或轮次"]) == ["公办教育发展滞后", "六月"]
    assert all(r.startswith("无法连接邮件服务器 127.0.0.1:") for r in table["原因"])
    assert SMTP_PASSWORD not in table.to_string()
    app.button(key="notify_retry").click().run()
    assert "1 条失败的提醒已重新加入队列" in app.success[0].value
    assert outbox_of(store).counts()[State.FAILED] == 0

    leader = open_page("pages/rounds.py")
    sign_in(leader, "rounds_sign_in", "王书记")
    assert "提醒发送情况" not in [h.value for h in leader.subheader]
