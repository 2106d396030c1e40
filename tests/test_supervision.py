"""督办三色 (issue #20, part 1): every rule and its edges, the settings, the rounds
facts, the units ranking, ``summary --json`` and the bundled data."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from metrics.contract import Direction, ExtensionDecision, TaskStatus
from metrics.model import Dataset, Indicator, Meta, Observation, Task
from metrics.rounds.model import Decision, DecisionKind, Round, Submission, SubmissionState
from metrics.rounds.model import TaskReport as Report
from metrics.scoring.counting import Counting
from metrics.scoring.progress import Scored, score
from metrics.scoring.summary import summarise
from metrics.supervision.facts import round_facts, rounds_facts
from metrics.supervision.model import RoundFacts, RoundsFacts, TaskWarning, WarningColour
from metrics.supervision.ranking import unit_ranking
from metrics.supervision.rules import active_rules, colours, effective_settings
from metrics.supervision.settings import (
    BLUE_DAYS_ENV,
    RED_ROUNDS_ENV,
    YELLOW_LATE_ENV,
    SupervisionSettings,
)
from metrics.values.units import parse_unit
from metrics.workbook.loader import load_workbook
from report.status import tag
from report.units import UNIT_WARNING_COLUMNS, unit_warning_table
from tests.rounds_data import EDU, EDU_REPORTER, HOUSING, OFFICE, Clock, round_store, service_for
from tests.test_app_pages import open_page

D = datetime.date
AS_OF = D(2021, 5, 31)
META = Meta("t", "o", as_of=AS_OF, feedback_date=D(2021, 1, 1))
RULES = SupervisionSettings()  # the defaults: 20 days, two rounds, every yellow rule


def task(
    id_: int,
    status: TaskStatus = TaskStatus.IN_PROGRESS,
    deadline: datetime.date | None = None,
    lead: str = "甲",
    **kw: object,
) -> Task:
    return Task(id_, "c", "p", f"任务{id_}", status, lead_unit=lead, deadline=deadline, **kw)  # type: ignore[arg-type]  # optional fields by name


# An indicator of task 1, 0 → 100 from 2021-01-01 to 2021-12-31: at 2021-05-31 about 41%
# of the year is gone, so 20 done is behind (r ≈ 0.49: 严重滞后).
BEHIND = Indicator(
    "X",
    1,
    "指标",
    parse_unit("个"),
    Direction.HIGHER_IS_BETTER,
    baseline=0.0,
    baseline_date=D(2021, 1, 1),
    target=100.0,
    target_date=D(2021, 12, 31),
)


def scored(
    *tasks: Task,
    indicators: tuple[Indicator, ...] = (),
    observations: tuple[Observation, ...] = (),
    meta: Meta = META,
    counting: Counting | None = None,
) -> Scored:
    return score(Dataset(meta, tasks, indicators, observations), counting or Counting())


def only(found: dict[int, TaskWarning]) -> TaskWarning:
    (warning,) = found.values()
    return warning


# -- deadlines: red and blue -----------------------------------------------------------------


def test_overdue_is_red_with_the_deadline_in_words() -> None:
    warning = only(colours(scored(task(1, deadline=D(2021, 5, 30))), settings=RULES))
    assert warning.colour is WarningColour.RED
    assert warning.text == "红色：已超过整改时限（2021年5月30日）"


def test_deadline_on_the_as_of_date_is_blue_not_red() -> None:
    warning = only(colours(scored(task(1, deadline=AS_OF)), settings=RULES))
    assert warning.colour is WarningColour.BLUE
    assert warning.reasons == ("截至日期已到整改时限（2021年5月31日）",)


@pytest.mark.parametrize(("days", "coloured"), [(20, True), (21, False), (0, True)])
def test_blue_within_n_days_inclusive(days: int, coloured: bool) -> None:
    deadline = AS_OF + datetime.timedelta(days=days)
    found = colours(scored(task(1, deadline=deadline)), settings=RULES)
    assert (1 in found) is coloured
    if coloured and days:
        assert (
            found[1].text == f"蓝色：距整改时限（{deadline.year}年6月{deadline.day}日）还有{days}天"
        )


def test_blue_days_zero_switches_blue_off() -> None:
    rules = SupervisionSettings(blue_days=0)
    assert colours(scored(task(1, deadline=AS_OF)), settings=rules) == {}


def test_no_deadline_no_blue_and_no_red() -> None:
    assert colours(scored(task(1)), settings=RULES) == {}


def asked(until: datetime.date, decision: ExtensionDecision | None = None) -> Task:
    """Task 1 due 2021-04-30 asking for ``until``."""
    return Task(
        1,
        "c",
        "p",
        "任务1",
        TaskStatus.EXTENSION_REQUESTED,
        lead_unit="甲",
        deadline=D(2021, 4, 30),
        extension_to=until,
        extension_decision=decision,
    )


def test_a_granted_extension_moves_the_deadline() -> None:
    pending = asked(D(2021, 6, 10))
    assert only(colours(scored(pending), settings=RULES)).colour is WarningColour.RED
    refused = asked(D(2021, 6, 10), ExtensionDecision.REFUSED)
    assert only(colours(scored(refused), settings=RULES)).colour is WarningColour.RED
    granted = asked(D(2021, 6, 10), ExtensionDecision.GRANTED)
    warning = only(colours(scored(granted), settings=RULES))
    assert warning.colour is WarningColour.BLUE
    assert warning.reasons == (
        "距延期后的整改时限（2021年6月10日，原整改时限2021年4月30日）还有10天",
    )
    late = asked(D(2021, 5, 20), ExtensionDecision.GRANTED)
    assert only(colours(scored(late), settings=RULES)).reasons == (
        "已超过延期后的整改时限（2021年5月20日，原整改时限2021年4月30日）",
    )


def test_complete_tasks_get_no_colour() -> None:
    past = D(2021, 1, 1)
    data = scored(
        task(1, TaskStatus.DONE, past), task(2, TaskStatus.ONGOING, past), task(3, deadline=past)
    )
    assert set(colours(data, settings=RULES)) == {3}
    strict = scored(task(2, TaskStatus.ONGOING, past), counting=Counting(ongoing_as_done=False))
    assert only(colours(strict, settings=RULES)).colour is WarningColour.RED
    basically = scored(task(4, TaskStatus.BASICALLY_DONE, past))
    assert only(colours(basically, settings=RULES)).colour is WarningColour.RED


# -- yellow ------------------------------------------------------------------------------------


def behind_now() -> Scored:
    return scored(
        task(1, deadline=AS_OF + datetime.timedelta(days=10)),
        indicators=(BEHIND,),
        observations=(Observation("X", D(2021, 5, 31), 20.0),),
    )


def test_indicators_behind_are_yellow_and_beat_blue() -> None:
    warning = only(colours(behind_now(), settings=RULES))
    assert warning.text == "黄色：进度滞后指标1个"
    off = SupervisionSettings(yellow_behind=False)
    assert only(colours(behind_now(), settings=off)).colour is WarningColour.BLUE


def round_(name: str, as_of: datetime.date, **facts: object) -> RoundFacts:
    return RoundFacts(name, as_of, as_of + datetime.timedelta(days=5), **facts)  # type: ignore[arg-type]


def test_a_late_report_of_any_unit_of_the_task_is_yellow() -> None:
    shared = task(1, lead="区住建局", responsible_units="区教育局、区财政局")
    latest = round_("2021年5月进展", AS_OF, late_units=frozenset({"区 教育局"}))
    warning = only(colours(scored(shared), RoundsFacts((latest,)), RULES))
    assert warning.reasons == ("区教育局未按时报送“2021年5月进展”（截止2021年6月5日）",)
    off = SupervisionSettings(yellow_late_report=False)
    assert colours(scored(shared), RoundsFacts((latest,)), off) == {}


def test_a_returned_close_request_in_the_latest_round_is_yellow() -> None:
    earlier = round_("2021年4月进展", D(2021, 4, 30), returned_closes=frozenset({1}))
    latest = round_("2021年5月进展", AS_OF, returned_closes=frozenset({1}))
    warning = only(colours(scored(task(1)), RoundsFacts((latest,)), RULES))
    assert warning.reasons == ("销号申请在“2021年5月进展”被退回",)
    # Only the latest round counts: an earlier return alone colours nothing.
    assert colours(scored(task(1)), RoundsFacts((earlier, round_("5月", AS_OF))), RULES) == {}


def test_yellow_in_two_rounds_in_a_row_is_red() -> None:
    rounds = RoundsFacts(
        (
            round_("2021年4月进展", D(2021, 4, 30), late_units=frozenset({"甲"})),
            round_("2021年5月进展", AS_OF, late_units=frozenset({"甲"})),
        )
    )
    warning = only(colours(scored(task(1)), rounds, RULES))
    assert warning.colour is WarningColour.RED
    assert warning.reasons == ("连续两轮黄色（“2021年4月进展”、“2021年5月进展”）",)
    off = SupervisionSettings(red_after_yellow_rounds=0)
    assert only(colours(scored(task(1)), rounds, off)).colour is WarningColour.YELLOW
    three = SupervisionSettings(red_after_yellow_rounds=3)
    assert only(colours(scored(task(1)), rounds, three)).colour is WarningColour.YELLOW


def test_an_earlier_round_is_recomputed_from_the_figures_of_its_date() -> None:
    """25 of 100: on track at 2021-03-31 (24.5% of the year gone), behind at 2021-05-31
    (41.2% gone)."""
    data = scored(
        task(1),
        indicators=(BEHIND,),
        observations=(
            Observation("X", D(2021, 3, 31), 25.0),
            Observation("X", D(2021, 5, 31), 25.0),
        ),
    )
    march = RoundsFacts((round_("3月", D(2021, 3, 31)), round_("5月", AS_OF)))
    assert only(colours(data, march, RULES)).colour is WarningColour.YELLOW
    # With only the May figure, March had no figure (无数据: not behind) either.
    april = RoundsFacts((round_("4月", D(2021, 4, 30)), round_("5月", AS_OF)))
    stale = scored(
        task(1),
        indicators=(BEHIND,),
        observations=(Observation("X", D(2021, 2, 28), 1.0), Observation("X", AS_OF, 20.0)),
    )
    warning = only(colours(stale, april, RULES))
    assert warning.colour is WarningColour.RED  # 1 of 100 by 2021-02-28 was behind too
    assert warning.reasons == ("连续两轮黄色（“4月”、“5月”）",)


def test_red_lists_every_red_rule() -> None:
    rounds = RoundsFacts(
        (
            round_("4月", D(2021, 4, 30), returned_closes=frozenset({1})),
            round_("5月", AS_OF, returned_closes=frozenset({1})),
        )
    )
    warning = only(colours(scored(task(1, deadline=D(2021, 5, 1))), rounds, RULES))
    assert warning.reasons == ("已超过整改时限（2021年5月1日）", "连续两轮黄色（“4月”、“5月”）")


# -- settings -----------------------------------------------------------------------------------


def test_settings_from_the_environment() -> None:
    settings, problems = SupervisionSettings.from_env({})
    assert settings == RULES and not problems
    settings, problems = SupervisionSettings.from_env(
        {BLUE_DAYS_ENV: "15", RED_ROUNDS_ENV: "0", YELLOW_LATE_ENV: "0"}
    )
    assert (settings.blue_days, settings.red_after_yellow_rounds) == (15, 0)
    assert not settings.yellow_late_report and settings.yellow_behind and not problems


@pytest.mark.parametrize(
    ("variable", "raw"),
    [
        (BLUE_DAYS_ENV, "abc"),
        (BLUE_DAYS_ENV, "-5"),
        (BLUE_DAYS_ENV, "400"),
        (BLUE_DAYS_ENV, "２０"),
        (RED_ROUNDS_ENV, "1"),
        (YELLOW_LATE_ENV, "maybe"),
    ],
)
def test_a_bad_setting_keeps_its_default_and_says_so(variable: str, raw: str) -> None:
    settings, problems = SupervisionSettings.from_env({variable: raw})
    assert settings == RULES
    (problem,) = problems
    assert variable in problem and "已使用默认值" in problem


def test_meta_keys_override_the_deployment() -> None:
    meta = Meta("t", "o", AS_OF, AS_OF, blue_days=5, red_after_yellow_rounds=3)
    rules = effective_settings(scored(task(1), meta=meta), SupervisionSettings(blue_days=30))
    assert (rules.blue_days, rules.red_after_yellow_rounds) == (5, 3)
    lines = active_rules(rules)
    assert lines[0] == (
        "红色：已超过整改时限（申请延期获同意的，按延期后的时限），或连续三轮黄色（“概况”设定）"
    )
    assert lines[2] == "蓝色：距整改时限5天以内（含当天）（“概况”设定）"


def test_the_active_rules_in_words() -> None:
    assert active_rules(RULES) == (
        "红色：已超过整改时限（申请延期获同意的，按延期后的时限），或连续两轮黄色",
        "黄色：有指标进度滞后（慢于序时进度），或责任单位逾期未报送最近一轮进展，"
        "或销号申请在最近一轮被退回",
        "蓝色：距整改时限20天以内（含当天）",
        "已完成、长期坚持的任务不标颜色；一项任务只标最紧急的一种颜色（红、黄、蓝依次）",
    )
    quiet = SupervisionSettings(
        blue_days=0,
        red_after_yellow_rounds=0,
        yellow_behind=False,
        yellow_late_report=False,
        yellow_returned_close=False,
    )
    assert active_rules(quiet, Counting(ongoing_as_done=False))[1:] == (
        "黄色：不启用",
        "蓝色：不启用",
        "已完成的任务不标颜色；一项任务只标最紧急的一种颜色（红、黄、蓝依次）",
    )


def test_each_colour_has_a_symbol_and_a_word() -> None:
    assert [c.tag for c in WarningColour] == ["● 红", "▲ 黄", "■ 蓝"]
    assert tag(WarningColour.YELLOW) == "▲ 黄"


# -- rounds facts -------------------------------------------------------------------------------

ROUND = Round(1, "2021年6月进展", D(2021, 6, 30), D(2021, 7, 5), 1, False, "办", "2021-07-01")


def submission(id_: int, unit: str, at: str, *items: Report) -> Submission:
    return Submission(id_, 1, unit, id_, items, "人", at, "网页", SubmissionState.SUBMITTED)


def decision(id_: int, submission_id: int, task_id: int, kind: DecisionKind) -> Decision:
    return Decision(id_, submission_id, task_id, kind, "办", "2021-07-06T00:00:00+00:00", "")


def test_late_units_in_beijing_time() -> None:
    units = ["甲", "乙", "丙"]
    sent = [
        submission(1, "甲", "2021-07-05T15:30:00+00:00"),  # 23:30 on the 5th in Beijing
        submission(2, "乙", "2021-07-05T16:30:00+00:00"),  # 00:30 on the 6th: late
    ]
    assert round_facts(ROUND, units, sent, [], D(2021, 7, 5)).late_units == frozenset()
    facts = round_facts(ROUND, units, sent, [], D(2021, 7, 6))
    assert facts.late_units == frozenset({"乙", "丙"})


def test_the_latest_decision_on_a_close_request_counts() -> None:
    close = Report(1, TaskStatus.DONE)
    other = Report(2, progress="进展")
    sent = [submission(1, "甲", "2021-07-01T00:00:00+00:00", close, other)]
    returned = [
        decision(1, 1, 1, DecisionKind.RETURN),
        decision(2, 1, 2, DecisionKind.RETURN),
    ]
    facts = round_facts(ROUND, ["甲"], sent, returned, D(2021, 7, 2))
    assert facts.returned_closes == frozenset({1})  # (2) asked no 销号
    resent = [*sent, submission(2, "甲", "2021-07-02T00:00:00+00:00", close)]
    accepted = [*returned, decision(3, 2, 1, DecisionKind.ACCEPT)]
    assert not round_facts(ROUND, ["甲"], resent, accepted, D(2021, 7, 2)).returned_closes


def test_rounds_facts_from_the_store(tmp_path: Path) -> None:
    store = round_store(tmp_path / "store", tmp_path)
    clock = Clock(datetime.datetime(2021, 7, 1, 2, 0, tzinfo=datetime.UTC))
    service = service_for(store, clock)
    round_id = service.open_round(
        OFFICE, name="2021年6月进展", as_of=D(2021, 6, 30), due=D(2021, 7, 5)
    ).id
    service.save_draft(EDU_REPORTER, round_id, EDU, Report(1, progress="进展"))
    service.submit(EDU_REPORTER, round_id, EDU)
    clock.advance(days=7)
    facts = rounds_facts(service.db, service.dataset(), clock())
    (only_round,) = facts.rounds
    assert only_round.name == "2021年6月进展"
    assert only_round.late_units == frozenset({HOUSING, "区财政局", "区委"})
    data = score(service.dataset(), Counting())
    found = colours(data, facts, RULES)
    # (1) led by 区教育局 reported on time; (2) and (3) have a late unit; (4) is complete.
    assert sorted(found) == [2, 3]
    assert all(w.colour is WarningColour.YELLOW for w in found.values())


# -- units ranking, summary, bundled data ------------------------------------------------------


def test_units_rank_by_red_then_yellow_then_completion() -> None:
    past = D(2021, 5, 1)
    data = scored(
        task(1, TaskStatus.DONE, lead="甲"),
        task(2, deadline=past, lead="乙"),
        task(3, lead="丙"),
        task(4, TaskStatus.DONE, lead="丁"),
        task(5, lead="丁"),
        task(6, lead="戊"),
        indicators=(BEHIND,),
        observations=(Observation("X", AS_OF, 20.0),),
    )
    warnings = colours(data, settings=RULES)
    ranking = unit_ranking(data, warnings)
    assert [(r.rank, r.group.key, r.red, r.yellow) for r in ranking] == [
        (1, "甲", 0, 0),
        (2, "丁", 0, 0),
        (3, "丙", 0, 0),
        (3, "戊", 0, 0),
        (5, "乙", 1, 0),
    ]
    table = unit_warning_table(ranking)
    assert list(table.columns) == list(UNIT_WARNING_COLUMNS)
    assert list(table["● 红色"]) == [0, 0, 0, 0, 1]


def test_units_with_yellow_rank_after_those_without() -> None:
    data = scored(
        task(1, lead="甲"),
        task(2, lead="乙"),
        indicators=(BEHIND,),
        observations=(Observation("X", AS_OF, 20.0),),
    )
    ranking = unit_ranking(data, colours(data, settings=RULES))
    assert [(r.group.key, r.yellow) for r in ranking] == [("乙", 0), ("甲", 1)]


def test_summary_json_carries_each_tasks_colour_and_the_ranking() -> None:
    data = scored(task(1, deadline=D(2021, 5, 1), lead="乙"), task(2, deadline=AS_OF, lead="甲"))
    result = json.loads(json.dumps(summarise(data, None, RULES), ensure_ascii=False))
    first, second = result["tasks"]
    assert first["warning"] == {
        "colour": "红",
        "symbol": "●",
        "reasons": ["已超过整改时限（2021年5月1日）"],
        "text": "红色：已超过整改时限（2021年5月1日）",
    }
    assert second["warning"]["colour"] == "蓝"
    assert result["supervision"]["counts"] == {"红": 1, "黄": 0, "蓝": 1}
    assert result["supervision"]["settings"]["blue_days"] == 20
    assert result["supervision"]["rounds"] is False
    assert [(u["rank"], u["name"], u["red"]) for u in result["unit_ranking"]] == [
        (1, "甲", 0),
        (2, "乙", 1),
    ]


def test_the_bundled_tasks_get_no_colour(bundled_workbook: Path) -> None:
    """At 2021-05-31 the five open tasks have no deadline and no indicator behind."""
    dataset = load_workbook(bundled_workbook).dataset
    assert dataset is not None
    assert colours(score(dataset, Counting()), settings=RULES) == {}


def test_the_units_page_shows_red_and_yellow(
    monkeypatch: pytest.MonkeyPatch, bundled_workbook: Path
) -> None:
    app = open_page(monkeypatch, bundled_workbook, "pages/units.py")
    table = app.dataframe[0].value
    assert list(table.columns) == list(UNIT_WARNING_COLUMNS)
    assert table["● 红色"].sum() == 0 and table["▲ 黄色"].sum() == 0
    assert table["任务数"].sum() == 35
    assert list(table["完成率"]) == sorted(table["完成率"], reverse=True)
    assert any("红色：已超过整改时限" in m.value for m in app.markdown)
