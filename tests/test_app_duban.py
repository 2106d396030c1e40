"""AppTest of 督办单 on the pages: the office issues from the task page and, for a whole
unit, from 填报审核; the task page lists the notices to those who may see the unit's
work; visitors see none."""

from __future__ import annotations

import datetime
from datetime import timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.duban.model import DubanItem, Level
from metrics.duban.service import DubanService
from metrics.rounds.roles import Principal, Role
from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store
from tests.rounds_data import EDU, HOUSING, duban_store
from ui.auth import REQUIRE_SIGNIN_ENV, SESSION_KEY
from ui.data_source import WORKBOOK_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PASSWORD = "correct horse battery"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """``tests.rounds_data.duban_workbook``: (2) of 区住建局 red, (3) blue, (1) none."""
    root = tmp_path / "store"
    for name in (WORKBOOK_ENV, REQUIRE_SIGNIN_ENV, "ZHENGGAI_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    opened = duban_store(root, tmp_path)
    accounts = Accounts(root)
    accounts.add("张三", PASSWORD)
    accounts.add("王书记", PASSWORD, role=Role.LEADER)
    accounts.add("小赵", PASSWORD, role=Role.UNIT, units=(EDU,))
    return opened


def task_page(task: int, who: str | None) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    if who is not None:
        app.session_state[SESSION_KEY] = who
    app.query_params["task"] = str(task)
    app.run()
    app.switch_page("pages/issue.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def subheaders(app: AppTest) -> list[str]:
    return [h.value for h in app.subheader]


def test_the_office_issues_from_the_task_page(store: Store) -> None:
    app = task_page(2, "张三")
    assert "督办记录" in subheaders(app)
    form_text = "\n".join(m.value for m in app.markdown)
    assert "向区住建局签发● 红色督办" in form_text
    assert "红色：已超过整改时限（2021年4月30日）" in form_text
    respond = datetime.date.today() + datetime.timedelta(days=5)
    app.date_input(key="duban_issue_2_respond").set_value(respond)
    app.button(key="FormSubmitter:duban_issue_2-签发督办单").click().run()
    assert not app.exception
    year = datetime.date.today().year
    assert f"已签发 测整督〔{year}〕1号（红色督办），已记录。" in app.success[0].value
    notices = DubanService(store).notices()
    assert len(notices) == 1 and notices[0].issued_by == "张三"
    assert notices[0].respond_by == respond
    # The history lists it, with its document, for the office and the leader.
    again = task_page(2, "王书记")
    assert "督办记录" in subheaders(again)
    assert any(f"测整督〔{year}〕1号 · ● 红色督办 · 区住建局" in m.value for m in again.markdown)
    assert not [b for b in again.get("form")]  # a leader cannot issue
    button = again.get("download_button")[0]
    assert button.proto.label == f"下载 测整督〔{year}〕1号（.docx）"


def test_visitors_and_other_units_see_no_notices(store: Store) -> None:
    DubanService(store).issue(
        Principal("张三", Role.OFFICE),
        unit=HOUSING,
        items=[DubanItem(2, Level.RED)],
        respond_by=datetime.date.today() + datetime.timedelta(days=3),
    )
    for who in (None, "小赵"):
        app = task_page(2, who)
        assert "督办记录" not in subheaders(app), who
    quiet = task_page(1, "张三")  # the office is told why there is nothing to issue
    assert any("任务（1）当前没有督办预警" in c.value for c in quiet.caption)
    assert not [f for f in quiet.get("form")]


def test_the_office_issues_for_a_whole_unit_on_the_rounds_page(store: Store) -> None:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.session_state[SESSION_KEY] = "张三"
    app.run()
    app.switch_page("pages/rounds.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    choice = app.selectbox(key="duban_unit_choice")
    assert choice.options == ["区住建局（2项预警任务，红色）"]
    app.button(key="FormSubmitter:duban_issue_unit-签发督办单").click().run()
    assert not app.exception
    notices = DubanService(store).notices()
    assert [n.task_ids for n in notices] == [(2, 3)]
    assert "已签发" in app.success[0].value


def test_the_unit_answers_a_notice_in_its_next_report(store: Store) -> None:
    from metrics.rounds.model import TaskReport
    from metrics.rounds.service import RoundService

    Accounts(store.root).add("小钱", PASSWORD, role=Role.UNIT, units=(HOUSING,))
    office = Principal("张三", Role.OFFICE)
    today = datetime.date.today()
    rounds = RoundService(store)
    round_ = rounds.open_round(
        office, name="本月进展", as_of=datetime.date(2021, 6, 30), due=today + datetime.timedelta(3)
    )
    notice = DubanService(store).issue(
        office, unit=HOUSING, items=[DubanItem(2, Level.RED)], respond_by=today + timedelta(5)
    )
    # The unit's form says so beside the task.
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.session_state[SESSION_KEY] = "小钱"
    app.run()
    app.switch_page("pages/report.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert any(
        f"督办：{notice.code}（● 红色督办）" in i.value and "报送即为反馈" in i.value
        for i in app.info
    )
    # Its report on the task is the answer, shown as such on the task page.
    unit = Principal("小钱", Role.UNIT, frozenset({HOUSING}))
    rounds.save_draft(unit, round_.id, HOUSING, TaskReport(2, progress="已完成3个村回迁"))
    submission = rounds.submit(unit, round_.id, HOUSING)
    rounds.decide(office, submission.id, accept=True, comment="")
    page = task_page(2, "张三")
    assert any(f"含对督办单 {notice.code} 的反馈" in c.value for c in page.caption)
