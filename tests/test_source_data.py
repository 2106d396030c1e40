"""Checks of the hand-written source data against the public report it comes from.

``data/source/report.txt`` is the report (惠济区巡视整改进展情况), byte for byte;
``meta.toml``, ``tasks.toml`` and ``indicators.toml`` are the reviewable text form
of its data. Every string said to be quoted must be found in the report, and every
observed number must be written in the sentence given as its source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from metrics.contract import Direction, TaskStatus
from metrics.values.quantities import parse_quantity
from metrics.values.units import parse_unit
from metrics.workbook.source_data import indicator_files

SOURCE_DIR = Path(__file__).resolve().parent.parent / "data" / "source"
REPORT_SHA256 = "f3efe8f6236e495a85409e892a8995b92485407a6a12bcc8bc74579736393a37"

TASK_KEYS = {
    "id",
    "category",
    "problem",
    "title",
    "measures",
    "lead_unit",
    "responsible_units",
    "status",
    "completed_on",
    "note",
}
TASK_REQUIRED = {"id", "category", "problem", "title", "measures", "status", "note"}
INDICATOR_KEYS = {
    "target_kind",
    "id",
    "task_id",
    "name",
    "unit",
    "direction",
    "baseline",
    "baseline_date",
    "target",
    "target_date",
    "source",
    "note",
    "observations",
}
INDICATOR_REQUIRED = {"id", "task_id", "name", "unit", "direction", "source"}
OBSERVATION_KEYS = {"date", "value", "note"}
META_KEYS = {
    "title",
    "organisation",
    "as_of",
    "feedback_date",
    "reported_total",
    "reported_completed",
    "inspection_team",
    "inspection_start",
    "inspection_end",
    "notes",
}
INDICATOR_ID = re.compile(r"T(\d\d)-(\d\d)")
EARLIEST = dt.date(2020, 1, 1)  # the report's figures start with the year 2020


def squash(text: str) -> str:
    """``text`` without any whitespace."""
    return "".join(text.split())


@cache
def report() -> str:
    return (SOURCE_DIR / "report.txt").read_text(encoding="utf-8")


@cache
def report_squashed() -> str:
    return squash(report())


@cache
def _load(name: str) -> dict[str, Any]:
    with (SOURCE_DIR / name).open("rb") as handle:
        return tomllib.load(handle)


def meta() -> dict[str, Any]:
    return _load("meta.toml")


def tasks() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = _load("tasks.toml")["task"]
    return rows


def indicators() -> list[dict[str, Any]]:
    """Every indicator of every ``indicators*.toml``, in the generator's file order."""
    return [
        entry
        for path in indicator_files(SOURCE_DIR)
        for entry in _load(path.name).get("indicator", [])
    ]


def observations() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(ind, obs) for ind in indicators() for obs in ind.get("observations", [])]


def written_forms(value: object) -> list[str]:
    """Ways the report may write ``value``: "67.7", "30", "13050" or "13,050"."""
    if isinstance(value, str):
        return [squash(value)]
    assert isinstance(value, int | float) and not isinstance(value, bool)
    if float(value).is_integer():
        number = int(value)
        return [str(number), f"{number:,}"]
    return [repr(float(value))]


def _strings(entry: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for key, value in entry.items():
        if isinstance(value, str):
            found.append((key, value))
        elif isinstance(value, dict):
            found.extend((f"{key}.{k}", v) for k, v in _strings(value))
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    found.extend((f"{key}[].{k}", v) for k, v in _strings(item))
    return found


# ---------------------------------------------------------------------------
# report.txt


def test_report_is_the_published_text() -> None:
    data = (SOURCE_DIR / "report.txt").read_bytes()
    assert hashlib.sha256(data).hexdigest() == REPORT_SHA256
    assert report().startswith("根据省委统一部署")
    assert "截至目前,已完成整改30项,正在整改5项,整改率85.7%。" in report()


# ---------------------------------------------------------------------------
# meta.toml


def test_meta_keys_and_types() -> None:
    data = meta()
    assert set(data) <= META_KEYS
    assert META_KEYS - {"notes"} <= set(data)
    for key in ("title", "organisation"):
        assert isinstance(data[key], str) and data[key].strip()
    for key in ("as_of", "feedback_date", "inspection_start", "inspection_end"):
        assert type(data[key]) is dt.date, key
    for key in ("reported_total", "reported_completed"):
        assert type(data[key]) is int, key
    for key, note in data.get("notes", {}).items():
        assert key in META_KEYS - {"notes"}, key
        assert isinstance(note, str) and note.strip(), key


def test_meta_values_agree_with_report() -> None:
    data = meta()
    assert data["feedback_date"] == dt.date(2021, 2, 4)
    assert "并于2021年2月4日反馈了巡视意见" in report()
    assert data["reported_total"] == 35
    assert "细化为35项具体整改任务" in report()
    assert data["reported_completed"] == 30
    assert "中共惠济区委" in report()
    assert (data["inspection_team"], data["inspection_start"], data["inspection_end"]) == (
        "省委第四巡视组",
        dt.date(2020, 9, 13),
        dt.date(2020, 11, 10),
    )
    assert "省委第四巡视组于2020年9月13日至11月10日对我区进行了巡视" in report()
    assert data["organisation"] in report()
    # The report's latest dated event is 5月12日 and its latest statistics are 1—4月.
    assert dt.date(2021, 5, 12) <= data["as_of"] <= dt.date(2021, 6, 30)
    assert data["feedback_date"] < data["as_of"]


# ---------------------------------------------------------------------------
# tasks.toml


def test_task_keys_and_no_empty_strings() -> None:
    for task in tasks():
        assert set(task) <= TASK_KEYS, task["id"]
        assert set(task) >= TASK_REQUIRED, task["id"]
        for key, value in _strings(task):
            assert value.strip() == value and value, (task["id"], key)
        if "completed_on" in task:
            assert type(task["completed_on"]) is dt.date


def test_thirty_five_tasks_in_report_order() -> None:
    ids = [task["id"] for task in tasks()]
    assert ids == list(range(1, 36))
    positions = [report().index(f"({task['id']}){task['title']}") for task in tasks()]
    assert positions == sorted(positions)


def test_three_aspects_and_twelve_problems() -> None:
    categories = {task["category"] for task in tasks()}
    pairs = {(task["category"], task["problem"]) for task in tasks()}
    assert len(categories) == 3
    assert len(pairs) == 12
    assert "三大方面12个问题" in report()
    assert [c[:3] for c in sorted(categories)] == ["(一)", "(三)", "(二)"]


@pytest.mark.parametrize("key", ["category", "problem", "title"])
def test_headings_are_verbatim(key: str) -> None:
    missing = [
        (task["id"], task[key]) for task in tasks() if squash(task[key]) not in report_squashed()
    ]
    assert not missing


def test_title_follows_task_number_in_report() -> None:
    for task in tasks():
        assert squash(f"({task['id']}){task['title']}") in report_squashed()


def test_problem_keeps_its_number() -> None:
    for task in tasks():
        assert re.match(r"[1-5]\.", task["problem"]), task["id"]


def test_status_counts_match_report_totals() -> None:
    statuses = Counter(TaskStatus(task["status"]) for task in tasks())
    complete = sum(n for status, n in statuses.items() if status.complete)
    assert complete == meta()["reported_completed"] == 30
    assert statuses[TaskStatus.IN_PROGRESS] == 5
    assert statuses[TaskStatus.NOT_STARTED] == 0
    assert len(tasks()) == meta()["reported_total"] == 35


def test_open_tasks_are_the_ones_with_unfinished_wording() -> None:
    open_ids = {t["id"] for t in tasks() if t["status"] == TaskStatus.IN_PROGRESS}
    assert open_ids == {7, 9, 10, 24, 26}
    assert "正在对1名主要责任人立案审查" in report()
    assert "学校建设、道路修建等未整改完成问题,已完成阶段性整改" in report()
    ongoing = [t["id"] for t in tasks() if t["status"] == TaskStatus.ONGOING]
    assert ongoing == [30]
    assert "工作汇报形成制度,长期坚持" in report()


def test_completion_dates() -> None:
    dated = {t["id"]: t["completed_on"] for t in tasks() if "completed_on" in t}
    assert dated == {20: dt.date(2020, 11, 30)}
    assert "已于2020年11月底前完成审查调查工作" in report()
    for task in tasks():
        if "completed_on" in task:
            assert TaskStatus(task["status"]).complete


def test_measures_are_short_and_use_only_reported_figures() -> None:
    for task in tasks():
        assert len(task["measures"]) <= 320, task["id"]
        for number in re.findall(r"\d+(?:\.\d+)?", task["measures"]):
            assert number in report_squashed(), (task["id"], number)


def test_units_named_in_tasks_occur_in_report() -> None:
    for task in tasks():
        for key in ("lead_unit", "responsible_units"):
            for unit in task.get(key, "").split("、"):
                if unit:
                    core = unit.removeprefix("区")
                    assert core in report_squashed(), (task["id"], unit)


# ---------------------------------------------------------------------------
# indicators.toml


def test_indicator_keys_and_no_empty_strings() -> None:
    for ind in indicators():
        assert set(ind) <= INDICATOR_KEYS, ind["id"]
        assert set(ind) >= INDICATOR_REQUIRED, ind["id"]
        for key, value in _strings(ind):
            assert value.strip() == value and value, (ind["id"], key)
        for obs in ind.get("observations", []):
            assert set(obs) <= OBSERVATION_KEYS, ind["id"]
            assert {"date", "value"} <= set(obs), ind["id"]


def test_indicator_ids_unique_and_prefixed_by_task() -> None:
    ids = [ind["id"] for ind in indicators()]
    assert len(ids) == len(set(ids))
    task_ids = {task["id"] for task in tasks()}
    for ind in indicators():
        match = INDICATOR_ID.fullmatch(ind["id"])
        assert match, ind["id"]
        assert int(match[1]) == ind["task_id"], ind["id"]
        assert int(match[2]) >= 1, ind["id"]
        assert ind["task_id"] in task_ids, ind["id"]


def test_indicator_sequence_numbers_are_consecutive() -> None:
    by_task: dict[int, list[int]] = {}
    for ind in indicators():
        by_task.setdefault(ind["task_id"], []).append(int(ind["id"][-2:]))
    for task_id, numbers in by_task.items():
        assert numbers == list(range(1, len(numbers) + 1)), task_id


def test_directions_and_targets() -> None:
    for ind in indicators():
        direction = Direction(ind["direction"])
        if direction is Direction.MONITOR_ONLY:
            assert "target" not in ind, ind["id"]
            assert "target_date" not in ind, ind["id"]
        else:
            assert "target" in ind, ind["id"]
        if "target_date" in ind:
            assert "target" in ind, ind["id"]
            assert type(ind["target_date"]) is dt.date
        if "baseline_date" in ind:
            assert "baseline" in ind, ind["id"]
            assert type(ind["baseline_date"]) is dt.date
        for key in ("target", "baseline"):
            if key in ind:
                assert isinstance(ind[key], int | float), ind["id"]
                assert not isinstance(ind[key], bool), ind["id"]


def test_targets_are_in_the_source_or_explained() -> None:
    for ind in indicators():
        if "target" not in ind:
            continue
        assert ind.get("note"), ind["id"]
        in_source = any(form in squash(ind["source"]) for form in written_forms(ind["target"]))
        in_note = any(form in ind["note"] for form in written_forms(ind["target"]))
        assert in_source or in_note, ind["id"]


def test_every_indicator_has_data_or_a_target() -> None:
    """... or is an expectation ("预计") the report gives for a later date, explained."""
    for ind in indicators():
        expectation = "预计" in ind["source"] and "“预计”" in ind.get("note", "")
        assert ind.get("observations") or "target" in ind or expectation, ind["id"]


def test_units_parse() -> None:
    for ind in indicators():
        parse_unit(ind["unit"])


def test_observation_values_parse_in_the_indicator_unit() -> None:
    for ind, obs in observations():
        unit = parse_unit(ind["unit"])
        value = obs["value"]
        assert not isinstance(value, bool), ind["id"]
        quantity = parse_quantity(value)
        number = quantity.in_unit(unit)
        assert number >= 0, ind["id"]
        if isinstance(value, str):
            assert quantity.unit is None, (ind["id"], value)


def test_observation_dates() -> None:
    as_of = meta()["as_of"]
    for ind, obs in observations():
        assert type(obs["date"]) is dt.date, ind["id"]
        assert EARLIEST <= obs["date"] <= as_of, ind["id"]
    for ind in indicators():
        dates = [obs["date"] for obs in ind.get("observations", [])]
        assert len(dates) == len(set(dates)), ind["id"]


def test_sources_are_verbatim() -> None:
    missing = [ind["id"] for ind in indicators() if squash(ind["source"]) not in report_squashed()]
    assert not missing


def test_observed_figures_are_written_in_their_source() -> None:
    for ind, obs in observations():
        source = squash(ind["source"])
        forms = written_forms(obs["value"])
        assert any(form in source for form in forms), (ind["id"], obs["value"])


def test_observed_figures_are_followed_by_their_unit_word() -> None:
    """The figure is read with its unit: "9.62" in "9.62万人" for unit 万人."""
    exceptions = {
        "T03-07",  # 居全市第1 (rank)
        "T03-12",  # 近2倍 follows 入库数量
        "T06-04",  # 52微克/立方米
        "T34-01",  # 位列第一 (rank)
        "T24-05",  # 2起: 起 is recorded as 件
        "T25-02",  # 三个专项整改落实方案
        "T02-03",  # 三个观景节点
    }
    for ind, obs in observations():
        if ind["id"] in exceptions:
            continue
        source = squash(ind["source"])
        unit = ind["unit"]
        heads = [f"{form}{unit}" for form in written_forms(obs["value"])]
        if isinstance(obs["value"], str) and obs["value"][-1] in "余多":
            heads.append(f"{obs['value'][:-1]}{unit}{obs['value'][-1]}")
        assert any(head in source for head in heads), (ind["id"], heads)


def test_many_figures_extracted() -> None:
    assert len(observations()) > 100
    assert len(indicators()) > 110
    # Tasks whose text holds only dates, ordinals and names (no figure to extract).
    without_figures = {11, 15, 20, 23, 26, 27, 28, 30, 32, 33, 35}
    with_figures = {ind["task_id"] for ind in indicators()}
    assert with_figures == {task["id"] for task in tasks()} - without_figures


def test_approximate_values_keep_the_report_wording() -> None:
    approximate = {obs["value"] for _, obs in observations() if isinstance(obs["value"], str)}
    for word in ("2500余", "8000余", "9700余", "十余万", "三十万余", "约60", "十多"):
        assert word in approximate, word


# ---------------------------------------------------------------------------
# golden figures


def _find(name_part: str, task_id: int) -> dict[str, Any]:
    found = [ind for ind in indicators() if name_part in ind["name"] and ind["task_id"] == task_id]
    assert len(found) == 1, (name_part, [ind["id"] for ind in found])
    return found[0]


def test_golden_pm25() -> None:
    ind = _find("PM2.5", 6)
    assert ind["unit"] == "微克/立方米"
    assert ind["direction"] == Direction.LOWER_IS_BETTER
    assert ind["target"] == 54
    assert ind["target_date"] == dt.date(2020, 12, 31)
    assert [(o["date"], o["value"]) for o in ind["observations"]] == [(dt.date(2020, 12, 31), 52)]


def test_golden_resettlement_rate() -> None:
    ind = _find("回迁安置率", 9)
    assert ind["unit"] == "%"
    assert ind["direction"] == Direction.MONITOR_ONLY
    assert [o["value"] for o in ind["observations"]] == [67.7]


def test_golden_key_project_investment() -> None:
    ind = _find("省市重点项目完成投资", 5)
    assert ind["unit"] == "亿元"
    assert ind["direction"] == Direction.HIGHER_IS_BETTER
    assert ind["target"] == 211
    assert ind["baseline"] == 0
    assert ind["baseline_date"] == dt.date(2021, 1, 1)
    assert ind["target_date"] == dt.date(2021, 12, 31)
    assert [o["value"] for o in ind["observations"]] == [87.6]
    assert "预计全年省市重点项目完成投资211亿元" in report()
    assert round(87.6 / 0.415) == 211


def test_golden_schools() -> None:
    ind = _find("学校投入使用数", 10)
    assert (ind["target"], ind["unit"]) == (35, "所")
    assert [o["value"] for o in ind["observations"]] == [11]
    planned = _find("2021年计划投入使用学校", 10)
    assert (planned["target"], planned["target_date"]) == (6, dt.date(2021, 12, 31))
    assert "observations" not in planned


def test_problems_are_whole_report_headings() -> None:
    """A 问题 is its whole heading line in the report, final "。" dropped: the headings of
    problems 一.4 and 三.2 run to a second sentence, which belongs to the problem."""
    lines = set(report().splitlines())
    for task in tasks():
        assert f"{task['problem']}。" in lines, (task["id"], task["problem"])
    by_id = {task["id"]: task["problem"] for task in tasks()}
    assert (
        by_id[11]
        == by_id[12]
        == by_id[13]
        == (
            "4.落实意识形态工作责任制不够有力。区委抓意识形态工作主动性不强,意识形态主阵地弘扬"
            "正能量不够,没有完全形成齐抓共管的工作格局的问题"
        )
    )
    assert (
        by_id[31]
        == by_id[32]
        == by_id[33]
        == ("2.基层党组织建设存在薄弱环节。区委大抓基层的导向不够鲜明的问题")
    )


def test_expectations_are_not_targets() -> None:
    """ "公办占比40%" is what the report expects ("预计") for the end of 2021, not a goal:
    kept as a reference figure of kind 预计, without an observation, its note quoting 预计."""
    ind = _find("公办占比", 10)
    assert (ind["target"], ind["target_kind"]) == (40, "预计")
    assert "observations" not in ind
    assert "2021年底预计有9所幼儿园交付使用" in ind["source"]
    assert "“预计”" in ind["note"] and "40%" in ind["note"]


# What each kind of reference figure is called in its source sentence: a figure is a
# goal (目标) only where the report says so.
KIND_WORDS = {
    "目标": ("目标",),
    "规划": ("规划",),
    "计划": ("计划",),
    "预计": ("预计",),
    "共计": ("共", "中"),
    "要求": ("至少", "不低于"),
}


def test_every_reference_figure_is_what_its_sentence_calls_it() -> None:
    """All 18 reference figures reviewed against their sentences: 2 goals (完成年度目标),
    3 plans (“十四五”期间规划), 3 schedules (2021年计划), 4 expectations (预计),
    3 totals (交办的656个, 11条…中, 共谋划35所), 3 requirements (至少, 不低于)."""
    kinds: dict[str, int] = {}
    for ind in indicators():
        if "target" not in ind:
            continue
        kind = str(ind.get("target_kind", "目标"))
        kinds[kind] = kinds.get(kind, 0) + 1
        assert any(word in str(ind["source"]) for word in KIND_WORDS[kind]), ind["id"]
    assert kinds == {"目标": 2, "规划": 3, "计划": 3, "预计": 4, "共计": 3, "要求": 3}


def test_quoted_titles_and_organisations_in_measures_are_whole() -> None:
    """Names are never shortened: every 《…》 title in a task's measures stands in the
    report as written, and so do the organisation names the measures cite."""
    report_text = report()
    for task in tasks():
        for title in re.findall(r"《[^》]+》", task["measures"]):
            assert title in report_text, (task["id"], title)
    measures = {t["id"]: t["measures"] for t in tasks()}
    assert "国网河南省电力公司郑州供电公司" in measures[21]
    assert "涉黑涉恶腐败问题及违法犯罪线索" in measures[8]
