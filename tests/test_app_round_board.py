"""The 填报审核 page's board and review, cached per data version and state of the round
tables (``ui.round_board``, ``ui.report_view``): every change shows at once, in every
session, and a second session is shown the same as the first."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.rounds.model import TaskReport
from metrics.rounds.service import RoundService
from metrics.store.versions import Store
from tests.rounds_data import AS_OF, DUE, EDU, EDU_REPORTER, OFFICE, PDF, app_round_store
from tests.test_app_rounds import open_page, sign_in, texts


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    return app_round_store(tmp_path, monkeypatch)


@pytest.fixture
def round_id(store: Store) -> int:
    return RoundService(store).open_round(OFFICE, name="2021年6月进展", as_of=AS_OF, due=DUE).id


def states(app: AppTest) -> dict[str, str]:
    """单位 → 状态 on the board."""
    board = app.dataframe[0].value
    return dict(zip(board["单位"], board["状态"], strict=True))


def signed_in_board(name: str) -> AppTest:
    app = open_page("pages/rounds.py")
    sign_in(app, "rounds_sign_in", name)
    return app


def test_every_change_shows_at_once_in_every_session(store: Store, round_id: int) -> None:
    service = RoundService(store)
    leader = signed_in_board("王书记")
    assert leader.metric[0].value == "0 / 4"
    assert states(leader)[EDU] == "○ 未填报"
    # A draft saved: no log entry, still on the board at the next rerun.
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="新增学位"))
    leader.run()
    assert states(leader)[EDU] == "✎ 草稿"
    service.add_evidence(EDU_REPORTER, round_id, EDU, 1, "验收报告.pdf", PDF)
    submission = service.submit(EDU_REPORTER, round_id, EDU)
    leader.run()
    assert leader.metric[0].value == "1 / 4"
    assert states(leader)[EDU] == "● 已报送"
    office = signed_in_board("张三")
    assert states(office)[EDU] == "● 已报送"
    assert "本期进展：新增学位" in texts(office)
    # Another office session is shown the same items (drawn once, then replayed).
    again = signed_in_board("张三")
    assert texts(again) == texts(office)
    assert again.download_button
    assert [b.label for b in again.download_button] == [b.label for b in office.download_button]
    office.button(key=f"rounds_accept_{submission.id}_1").click().run()
    assert "已采纳任务（1）" in office.success[0].value
    assert states(office)[EDU] == "✔ 已采纳"
    leader.run()
    assert states(leader)[EDU] == "✔ 已采纳"
    again.run()
    assert states(again)[EDU] == "✔ 已采纳"
    assert "待审核的报送（0）" in [h.value for h in again.subheader]
