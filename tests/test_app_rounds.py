"""AppTest of the 填报 and 填报审核 pages, the task timeline on the issue page, and
``ZHENGGAI_REQUIRE_SIGNIN``: what each role sees and may do in the browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.contract import TaskStatus
from metrics.rounds.model import TaskReport
from metrics.rounds.roles import Principal, Role
from metrics.rounds.service import RoundService
from metrics.store.accounts import Accounts
from metrics.store.versions import Store
from metrics.workbook.loader import load_workbook
from tests.rounds_data import (
    AS_OF,
    DUE,
    EDU,
    EDU_REPORTER,
    HOUSING,
    HOUSING_REPORTER,
    OFFICE,
    PASSWORD,
    PDF,
    app_round_store,
)
from tests.test_app_pages import block_texts
from ui.auth import REQUIRE_SIGNIN_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    return app_round_store(tmp_path, monkeypatch)


@pytest.fixture
def round_id(store: Store) -> int:
    return RoundService(store).open_round(OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE).id


def open_page(page: str) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.run()
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def sign_in(app: AppTest, prefix: str, name: str) -> None:
    app.text_input(key=f"{prefix}_name").set_value(name)
    app.text_input(key=f"{prefix}_password").set_value(PASSWORD)
    app.button(key=f"FormSubmitter:{prefix}_form-登录").click().run()
    assert not app.exception, [e.value for e in app.exception]


def texts(app: AppTest) -> str:
    parts = [m.value for m in [*app.markdown, *app.caption, *app.info, *app.warning]]
    parts += [e.label for e in app.expander]
    return "\n".join(str(p) for p in parts)


def test_a_unit_reports_in_the_browser_and_the_draft_is_kept(store: Store, round_id: int) -> None:
    app = open_page("pages/report.py")
    assert "请用单位账号登录" in texts(app)
    sign_in(app, "report_sign_in", "小赵")
    shown = texts(app)
    # Only the tasks 区教育局 leads or shares: (1) and (3), not (2) or (4).
    assert "（1）公办教育发展滞后" in shown and "（3）安置区配套学校" in shown
    assert "回迁安置进展缓慢" not in shown and "理论学习表面化" not in shown
    key = f"report_{round_id}_{EDU}_1"
    app.text_area(key=f"{key}_progress").set_value("新增学位13050个").run()
    app.text_input(key=f"{key}_value_T01-01").set_value("1.5万").run()
    assert not app.exception
    service = RoundService(store)
    draft = service.drafts(OFFICE, round_id, EDU)[1]
    assert draft.report.progress == "新增学位13050个" and dict(draft.report.values) == {
        "T01-01": "1.5万"
    }
    # A figure that does not read is refused by name, and nothing else is lost.
    app.text_input(key=f"{key}_value_T01-01").set_value("三五个").run()
    assert any("指标“新增小学学位”的本期数值" in e.value for e in app.error)
    assert service.drafts(OFFICE, round_id, EDU)[1].report.values["T01-01"] == "1.5万"
    # A new session (a reload) finds the saved draft in the form.
    again = open_page("pages/report.py")
    sign_in(again, "report_sign_in", "小赵")
    assert again.text_area(key=f"{key}_progress").value == "新增学位13050个"
    # Evidence, then the 销号 request, then submit.
    again.file_uploader(key=f"{key}_upload_0").set_value(
        ("验收报告.pdf", PDF, "application/pdf")
    ).run()
    assert not again.exception
    assert [e.name for e in service.evidence_records(OFFICE, round_id, EDU)] == ["验收报告.pdf"]
    again.selectbox(key=f"{key}_status").set_value(TaskStatus.DONE.value).run()
    again.button(key=f"report_submit_{round_id}_{EDU}").click().run()
    assert "已提交整改办：第 1 次报送，1 项任务" in again.success[0].value
    assert service.live_submission(OFFICE, round_id, EDU) is not None


def test_the_office_reviews_returns_accepts_and_publishes(store: Store, round_id: int) -> None:
    service = RoundService(store)

    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="新增学位"))
    service.submit(EDU_REPORTER, round_id, EDU)
    service.save_draft(
        HOUSING_REPORTER, round_id, HOUSING, TaskReport(2, values={"T02-01": "70.2%"})
    )
    housing = service.submit(HOUSING_REPORTER, round_id, HOUSING)

    leader = open_page("pages/rounds.py")
    sign_in(leader, "rounds_sign_in", "王书记")
    assert leader.metric[0].value == "2 / 4"
    assert not any(b.label == "采纳" for b in leader.button)  # leaders only look

    unit = open_page("pages/rounds.py")
    sign_in(unit, "rounds_sign_in", "小赵")
    assert "请在“填报”页报送本单位的进展" in texts(unit)

    app = open_page("pages/rounds.py")
    sign_in(app, "rounds_sign_in", "张三")
    assert "待审核的报送（2）" in [h.value for h in app.subheader]
    board = app.dataframe[0].value
    assert list(board["单位"]) == [EDU, HOUSING, "区财政局", "区委"]
    # Return 区教育局's report with a comment, accept 区住建局's.
    app.selectbox(key="rounds_review_pick").set_value(0).run()
    edu = service.live_submission(OFFICE, round_id, EDU)
    assert edu is not None
    app.text_input(key=f"rounds_comment_{edu.id}_1").set_value("请写明新增学位数")
    app.button(key=f"rounds_return_{edu.id}_1").click().run()
    assert "已退回任务（1）" in app.success[0].value
    app.selectbox(key="rounds_review_pick").set_value(0).run()
    app.button(key=f"rounds_accept_{housing.id}_2").click().run()
    assert "已采纳任务（2）" in app.success[0].value
    assert "区住建局第1次报送（任务（2））" in texts(app)
    app.text_input(key="rounds_publish_note").set_value("六月")
    app.button(key="FormSubmitter:rounds_publish-发布（基于 v1）").click().run()
    assert "已发布为版本 v2" in app.success[0].value
    data = load_workbook(store.read(store.versions()[0])).dataset
    assert data is not None
    assert [o.text for o in data.observations if o.indicator_id == "T02-01"][-1] == "70.2%"
    # The unit sees the office's comment on its form.
    form = open_page("pages/report.py")
    sign_in(form, "report_sign_in", "小赵")
    assert any("整改办退回意见：请写明新增学位数" in w.value for w in form.warning)


def test_the_issue_page_shows_the_task_timeline(store: Store, round_id: int) -> None:

    service = RoundService(store)
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="新增学位13050个"))
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    # Not yet accepted: an anonymous visitor does not see it.
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.query_params["task"] = "1"
    app.run()
    app.switch_page("pages/issue.py")
    app.run()
    assert "新增学位13050个" not in texts(app)
    service.decide(OFFICE, submission.id, accept=True, comment="同意")
    app.run()
    shown = texts(app)
    assert "填报与审核记录" in [h.value for h in app.subheader]
    assert "进展：新增学位13050个" in shown and "采纳 · 整改办张三" in shown


def test_visitors_see_display_names_on_the_timeline_never_login_names(
    store: Store, round_id: int
) -> None:
    accounts = Accounts(store.root)
    accounts.add("zhaomin", PASSWORD, role=Role.UNIT, units=(EDU,))
    accounts.set_display_name("zhaomin", "赵敏")
    accounts.add("zhangsan", PASSWORD)  # an office account without a display name
    reporter = Principal("zhaomin", Role.UNIT, frozenset({EDU}))
    office = Principal("zhangsan", Role.OFFICE)
    service = RoundService(store)
    service.save_draft(reporter, round_id, EDU, TaskReport(1, progress="新增学位13050个"))
    submission = service.submit(reporter, round_id, EDU)
    service.decide(office, submission.id, accept=True, comment="同意")
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.query_params["task"] = "1"
    app.run()
    app.switch_page("pages/issue.py")
    app.run()
    shown = texts(app)
    assert "第 1 次报送 · 赵敏 · " in shown and "采纳 · 整改办 · " in shown
    assert "zhaomin" not in shown and "zhangsan" not in shown


def test_sign_in_can_be_required_to_see_anything(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(REQUIRE_SIGNIN_ENV, "1")
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.run()
    assert not app.exception
    assert "本看板只对已登录的用户开放" in texts(app)
    assert not app.metric and not app.dataframe  # nothing shown
    assert "测试看板" not in "\n".join(block_texts(app.sidebar))
    sign_in(app, "signin_page", "王书记")
    app.run()  # AppTest does not follow the rerun requested from the entry script itself
    assert any(m.label == "整改完成率" for m in app.metric)
    assert [t.value for t in app.title] == ["测试看板"]
    # (The sidebar's return after sign-in is checked in the browser: AppTest keeps the
    # sidebar of the locked first run.)


def test_the_unit_leader_approves_on_the_report_page(store: Store) -> None:
    service = RoundService(store)
    round_id = service.open_round(
        OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE, require_approval=True
    ).id
    Accounts(store.root).add("教育局长", PASSWORD, role=Role.UNIT_HEAD, units=(EDU,))
    app = open_page("pages/report.py")
    sign_in(app, "report_sign_in", "小赵")
    key = f"report_{round_id}_{EDU}_1"
    app.text_area(key=f"{key}_progress").set_value("新增学位").run()
    app.button(key=f"report_submit_{round_id}_{EDU}").click().run()
    assert "已提交单位负责人：第 1 次报送" in app.success[0].value
    head = open_page("pages/report.py")
    sign_in(head, "report_sign_in", "教育局长")
    assert "**区教育局**：◔ 待单位负责人审核" in literal_texts(head)
    assert not head.text_area  # the leader approves, does not edit
    submission = service.live_submission(OFFICE, round_id, EDU)
    assert submission is not None
    head.button(key=f"head_ok_{submission.id}").click().run()
    assert "已审核通过，报送整改办" in head.success[0].value
    again = service.live_submission(OFFICE, round_id, EDU)
    assert again is not None and again.state.value == "submitted"


def literal_texts(app: AppTest) -> str:
    return texts(app).replace("\\", "")


def test_a_removed_account_is_signed_out_at_its_next_interaction(store: Store) -> None:
    app = open_page("pages/report.py")
    sign_in(app, "report_sign_in", "小赵")
    assert "已登录：小赵（区教育局 单位填报员）" in texts(app)
    Accounts(store.root).remove("小赵")
    app.run()
    assert "请用单位账号登录" in texts(app) and "已登录" not in texts(app)


def test_the_upload_review_warns_of_a_unit_the_new_file_drops(store: Store, tmp_path: Path) -> None:
    from tests.builders import write_valid

    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in", "张三")
    other = write_valid(tmp_path / "other.xlsx").read_bytes()  # no 区教育局 in it
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    app.file_uploader[0].set_value(("other.xlsx", other, xlsx)).run()
    assert not app.exception
    assert any(
        "账号“小赵”所属的单位“区教育局”在新文件的牵头单位和责任单位中不存在" in w.value
        for w in app.warning
    )
