"""AppTest of 申请延期 in the browser: the unit asks with a date on its form (refused
without one, or with one not after 整改时限), the office grants it with 同意 on 填报审核,
publishing merges it, the task page shows the new deadline and the unit sees the
office's decision on its form."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.contract import ExtensionDecision, TaskStatus
from metrics.rounds.roles import Role
from metrics.rounds.service import RoundService
from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store, open_store
from metrics.workbook.loader import load_workbook
from tests import builders
from tests.rounds_data import AS_OF, DUE, EDU, OFFICE, PASSWORD
from tests.screen_text import as_read
from tests.test_app_rounds import open_page, sign_in
from ui.auth import REQUIRE_SIGNIN_ENV
from ui.data_source import WORKBOOK_ENV

D = datetime.date
DEADLINE = D(2021, 6, 30)
WANTED = D(2021, 9, 30)
DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    """One task of 区教育局 with 整改时限 2021-06-30, and the people of a round."""
    root = tmp_path / "store"
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.delenv(REQUIRE_SIGNIN_ENV, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    workbook = builders.write(
        tmp_path / "extension.xlsx",
        tasks=[
            builders.task(1, "正在整改", 任务="公办教育发展滞后", 牵头单位=EDU, 整改时限=DEADLINE),
            builders.task(2, "已完成", 任务="理论学习表面化", 牵头单位="区委"),
        ],
        meta=builders.meta(报告任务数=2, 报告已完成数=1),
    )
    opened = open_store(root)
    opened.bootstrap(workbook, {"total": 2, "completed": 1})
    accounts = Accounts(root)
    accounts.add("张三", PASSWORD)
    accounts.add("小赵", PASSWORD, role=Role.UNIT, units=(EDU,))
    return opened


@pytest.fixture
def round_id(store: Store) -> int:
    return RoundService(store).open_round(OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE).id


def errors(app: AppTest) -> list[str]:
    return [as_read(str(e.value)) for e in app.error]


def captions(app: AppTest) -> str:
    return "\n".join(as_read(str(c.value)) for c in app.caption)


def test_a_unit_asks_for_an_extension_and_the_office_grants_it(store: Store, round_id: int) -> None:
    service = RoundService(store)
    form = open_page("pages/report.py")
    sign_in(form, "report_sign_in", "小赵")
    key = f"report_{round_id}_{EDU}_1"
    assert not form.date_input  # only with 申请延期
    form.selectbox(key=f"{key}_status").set_value(TaskStatus.EXTENSION_REQUESTED.value).run()
    assert form.date_input(key=f"{key}_extension").label == "申请延期至"
    # Without a date it cannot be sent.
    form.button(key=f"report_submit_{round_id}_{EDU}").click().run()
    assert "任务（1）申请延期：请先填写申请延期至（新的整改时限）" in errors(form)
    assert service.live_submission(OFFICE, round_id, EDU) is None
    # A date not after 整改时限 is refused, and not saved.
    form.date_input(key=f"{key}_extension").set_value(DEADLINE).run()
    assert (
        "任务（1）申请延期至 2021-06-30，不晚于整改时限 2021-06-30：请填写晚于整改时限的日期"
        in errors(form)
    )
    assert service.drafts(OFFICE, round_id, EDU)[1].report.extension_to is None
    # A later date is saved and sent.
    form.date_input(key=f"{key}_extension").set_value(WANTED).run()
    assert not errors(form)
    assert service.drafts(OFFICE, round_id, EDU)[1].report.extension_to == WANTED
    form.button(key=f"report_submit_{round_id}_{EDU}").click().run()
    assert "已提交整改办：第 1 次报送，1 项任务" in form.success[0].value
    submission = service.live_submission(OFFICE, round_id, EDU)
    assert submission is not None

    # The office accepts it with 同意 and publishes.
    office = open_page("pages/rounds.py")
    sign_in(office, "rounds_sign_in", "张三")
    choice = office.radio(key=f"rounds_extension_{submission.id}_1")
    assert choice.label == "延期决定（申请延期至 2021-09-30，采纳时生效）"
    assert choice.value == ExtensionDecision.PENDING.value  # 待定 until the office chooses
    choice.set_value(ExtensionDecision.GRANTED.value).run()
    office.button(key=f"rounds_accept_{submission.id}_1").click().run()
    assert not office.exception, [e.value for e in office.exception]
    assert "已采纳任务（1）" in office.success[0].value
    office.text_input(key="rounds_publish_note").set_value("同意延期")
    office.button(key="FormSubmitter:rounds_publish-发布（基于 v1）").click().run()
    assert "已发布为版本 v2" in office.success[0].value
    data = load_workbook(store.read(store.versions()[0])).dataset
    assert data is not None
    task = data.task(1)
    assert task is not None and task.extension_granted and task.effective_deadline == WANTED

    # The task page shows the granted extension, in words.
    page = AppTest.from_file(DASHBOARD, default_timeout=60)
    page.query_params["task"] = "1"
    page.run()
    page.switch_page("pages/issue.py")
    page.run()
    assert not page.exception, [e.value for e in page.exception]
    facts = "\n".join(as_read(str(m.value)) for m in page.markdown)
    assert "**整改时限**：2021年6月30日（已同意延期至2021年9月30日）" in facts

    # The unit sees the office's decision on its form.
    again = open_page("pages/report.py")
    sign_in(again, "report_sign_in", "小赵")
    shown = captions(again)
    assert "张三 已采纳：无意见" in shown
    assert "张三 同意延期：申请延期至 2021-09-30" in shown


def test_the_office_may_refuse_the_new_date(store: Store, round_id: int) -> None:
    service = RoundService(store)
    form = open_page("pages/report.py")
    sign_in(form, "report_sign_in", "小赵")
    key = f"report_{round_id}_{EDU}_1"
    form.selectbox(key=f"{key}_status").set_value(TaskStatus.EXTENSION_REQUESTED.value).run()
    form.date_input(key=f"{key}_extension").set_value(WANTED).run()
    form.button(key=f"report_submit_{round_id}_{EDU}").click().run()
    submission = service.live_submission(OFFICE, round_id, EDU)
    assert submission is not None
    office = open_page("pages/rounds.py")
    sign_in(office, "rounds_sign_in", "张三")
    office.radio(key=f"rounds_extension_{submission.id}_1").set_value(
        ExtensionDecision.REFUSED.value
    ).run()
    office.button(key=f"rounds_accept_{submission.id}_1").click().run()
    assert "已采纳任务（1）" in office.success[0].value
    again = open_page("pages/report.py")
    sign_in(again, "report_sign_in", "小赵")
    assert "张三 不同意延期：申请延期至 2021-09-30" in captions(again)
