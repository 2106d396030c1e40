"""The 督办 tests' coloured data, for the exports' tests (no workbook of its own):

- ``coloured``: ``tests.test_supervision_ui.colour_workbook`` scored, with its warnings
  by the default rules: (1) red, (2) blue, (3) yellow; (4) complete and (5) extended by
  the office have none;
- ``late_round_store``: ``tests.rounds_data.round_store`` with the round "2021年6月进展"
  (due 2021-07-05) that only 区教育局 reported on time: from its rounds facts, (2) and (3)
  (units 区住建局, 区财政局 late) are yellow, (1) of 区教育局 and the complete (4) have no
  colour.
"""

from __future__ import annotations

from pathlib import Path

from metrics.rounds.model import TaskReport
from metrics.scoring.progress import Scored, score
from metrics.store.versions import Store
from metrics.supervision.model import TaskWarning
from metrics.supervision.rules import colours
from metrics.supervision.settings import SupervisionSettings
from metrics.workbook.loader import load_workbook
from tests.rounds_data import AS_OF, DUE, EDU, EDU_REPORTER, OFFICE, round_store, service_for
from tests.test_supervision_ui import colour_workbook

RED_REASON = "已超过整改时限（2021年5月1日）"
BLUE_REASON = "距整改时限（2021年6月15日）还有15天"
YELLOW_REASON = "进度滞后指标1个"
# task → (督办 cell, 督办原因 cell), as the dashboard's tasks table shows them
COLOURED = {1: ("● 红色", RED_REASON), 2: ("■ 蓝色", BLUE_REASON), 3: ("▲ 黄色", YELLOW_REASON)}
UNCOLOURED = (4, 5)

ROUND_NAME = "2021年6月进展"
LATE_REASONS = {
    2: "区住建局未按时报送“2021年6月进展”（截止2021年7月5日）",
    3: "区住建局、区财政局未按时报送“2021年6月进展”（截止2021年7月5日）",
}


def coloured(tmp_path: Path) -> tuple[Scored, dict[int, TaskWarning]]:
    """The colour workbook scored, and its warnings (default rules, no rounds)."""
    dataset = load_workbook(colour_workbook(tmp_path / "colours.xlsx")).dataset
    assert dataset is not None
    scored = score(dataset)
    warnings = colours(scored, None, SupervisionSettings())
    assert {k: (w.colour.tag, w.reasons) for k, w in warnings.items()} == {
        1: ("● 红", (RED_REASON,)),
        2: ("■ 蓝", (BLUE_REASON,)),
        3: ("▲ 黄", (YELLOW_REASON,)),
    }
    return scored, warnings


def late_round_store(where: Path | str, tmp_path: Path) -> Store:
    """The round store, its round due 2021-07-05 reported on time by 区教育局 only."""
    store = round_store(where, tmp_path)
    service = service_for(store)  # its clock: 2021-07-01, before the due date
    round_id = service.open_round(OFFICE, name=ROUND_NAME, as_of=AS_OF, due=DUE).id
    service.save_draft(EDU_REPORTER, round_id, EDU, TaskReport(1, progress="按计划推进"))
    service.submit(EDU_REPORTER, round_id, EDU)
    return store
