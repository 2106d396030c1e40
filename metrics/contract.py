"""The workbook contract: the Chinese sheet and column names staff fill in.

Everything about the *shape* of the workbook lives here, so the loader, the
writer of the template and the documentation all agree. Field names on the
Python side are English; the mapping is declared once per sheet.
"""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


class TaskStatus(enum.StrEnum):
    """A task's status, in the order of the drop-down. 基本完成 (the work is essentially
    done, not yet accepted) and 申请延期 (the unit asked for a later deadline: see the
    任务 columns 申请延期至 and 延期决定) are not complete."""

    DONE = "已完成"
    BASICALLY_DONE = "基本完成"
    IN_PROGRESS = "正在整改"
    EXTENSION_REQUESTED = "申请延期"
    ONGOING = "长期坚持"
    NOT_STARTED = "未启动"

    @property
    def complete(self) -> bool:
        """Complete under the default counting rule: 已完成 and 长期坚持. A deployment may
        count 长期坚持 as not complete (``metrics.scoring.counting.Counting``); scored
        tasks carry the deployment's answer (``TaskProgress.complete``)."""
        return self in (TaskStatus.DONE, TaskStatus.ONGOING)


class ExtensionDecision(enum.StrEnum):
    """The office's decision on a 申请延期 (任务.延期决定); an empty cell is 待定."""

    GRANTED = "同意"
    REFUSED = "不同意"
    PENDING = "待定"


class TargetKind(enum.StrEnum):
    """What the report calls an indicator's reference figure: a goal is only a goal
    where the report says so ("完成年度目标54微克/立方米"); "十四五期间规划区级道路43条"
    is a plan, "2021年计划6所学校投入使用" a schedule, "预计…40%" an expectation,
    "11条安置区周边道路中，2条已完工" a total, "每半年至少研究一次" a requirement."""

    GOAL = "目标"
    PLAN = "规划"
    SCHEDULE = "计划"
    EXPECTED = "预计"
    TOTAL = "共计"
    REQUIRED = "要求"


class ReportPart(enum.StrEnum):
    """Where a paragraph of 报告段落 goes in the Word report: the work done (the
    report's part 一: organisation, plan, mechanisms), the next steps (part 三) or the
    closing lines (contacts, "特此报告")."""

    WORK = "工作开展情况"
    NEXT = "下一步工作"
    CLOSING = "结束语"


class Direction(enum.StrEnum):
    HIGHER_IS_BETTER = "越大越好"
    LOWER_IS_BETTER = "越小越好"
    MONITOR_ONLY = "仅监测"


# What a cell of a column holds. Each kind has exactly one reader (the registry in
# ``metrics.workbook.cell_readers``) and is written to a workbook as the plain kind
# it maps to here (text, int, date, number, status, direction).
WRITTEN_KIND: Mapping[str, str] = MappingProxyType(
    {
        "text": "text",  # free text
        "indicator_id": "text",  # an indicator id: text, compared after NFKC and trimming
        "unit": "text",  # a unit: %, 亿元, 万人, 微克/立方米 …
        "int": "int",  # a whole number of things (0 allowed): 35, "３５项"
        "task_id": "int",  # a task number: 9, "(9)", "（9）"
        "date": "date",
        "number": "number",  # a figure in the indicator's unit: 67.7, 9.62万, 2500余
        "status": "status",
        "direction": "direction",
        "decision": "decision",  # 延期决定: 同意 / 不同意 / 待定
    }
)


@dataclass(frozen=True, slots=True)
class Column:
    header: str  # Chinese header in the workbook
    field: str  # English field name in Python
    required: bool = True  # the column must exist (values may still be optional)
    kind: str = "text"  # a key of WRITTEN_KIND: selects the loader's reader
    width: int = 14  # column width in the written workbook
    hint: str = ""  # one-line help shown in the 说明 sheet

    @property
    def written_kind(self) -> str:
        """The plain kind the template writes and describes (text, int, date …)."""
        return WRITTEN_KIND[self.kind]


@dataclass(frozen=True, slots=True)
class SheetSpec:
    name: str
    columns: tuple[Column, ...]
    description: str

    def column(self, field: str) -> Column:
        for col in self.columns:
            if col.field == field:
                return col
        raise KeyError(field)

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)


TASKS = SheetSpec(
    name="任务",
    description="每项整改任务一行。",
    columns=(
        Column(
            "编号",
            "id",
            kind="task_id",
            width=7,
            hint="正整数，如 9，也可写作 (9)、（9）；不能重复",
        ),
        Column("方面", "category", width=24, hint="巡视反馈的方面，如“（一）学习贯彻……”"),
        Column(
            "问题",
            "problem",
            width=24,
            hint="方面下的问题，如“3.以人民为中心的发展思想树的不牢”",
        ),
        Column("任务", "title", width=28, hint="整改任务名称，如“回迁安置进展缓慢”"),
        Column("整改措施", "measures", width=50, hint="一是……二是……的摘要"),
        Column("牵头单位", "lead_unit", width=16, hint="牵头单位名称，用于单位评比"),
        Column("责任单位", "responsible_units", width=18, hint="多个单位用顿号分隔"),
        Column("责任领导", "responsible_leader", width=12),
        Column(
            "整改时限",
            "deadline",
            kind="date",
            width=12,
            hint="日期，如 2021-06-30；可空",
        ),
        Column(
            "状态",
            "status",
            kind="status",
            width=10,
            hint="已完成 / 基本完成 / 正在整改 / 申请延期 / 长期坚持 / 未启动",
        ),
        Column("完成日期", "completed_on", kind="date", width=12, hint="日期；可空"),
        Column(
            "销号日期",
            "closed_on",
            kind="date",
            width=12,
            hint="验收销号日期；仅“已完成”可填",
        ),
        Column("备注", "note", width=40, hint="如何推断、口径说明等"),
        # Optional columns at the end (an older workbook without them loads as before).
        Column(
            "申请延期至",
            "extension_to",
            required=False,
            kind="date",
            width=12,
            hint="申请延期的新时限；仅“申请延期”的任务可填，应晚于整改时限",
        ),
        Column(
            "延期决定",
            "extension_decision",
            required=False,
            kind="decision",
            width=10,
            hint="同意 / 不同意 / 待定（空为待定）；同意后按申请延期至计算超期",
        ),
    ),
)

INDICATORS = SheetSpec(
    name="指标",
    description="每个量化指标一行，挂在某项任务下。",
    columns=(
        Column("指标编号", "id", kind="indicator_id", width=10, hint="唯一的文本编号，如 T09-03"),
        Column("任务编号", "task_id", kind="task_id", width=9, hint="所属任务的编号"),
        Column("指标名称", "name", width=28),
        Column("单位", "unit", kind="unit", width=12, hint="如 %、亿元、万人、个、微克/立方米"),
        Column(
            "方向",
            "direction",
            kind="direction",
            width=10,
            hint="越大越好 / 越小越好 / 仅监测",
        ),
        Column("基期值", "baseline", kind="number", width=10, hint="整改起点的数值；可空"),
        Column(
            "基期日期",
            "baseline_date",
            kind="date",
            width=12,
            hint="可空，默认取巡视反馈日期",
        ),
        Column("目标值", "target", kind="number", width=10, hint="仅监测指标不填"),
        Column(
            "目标日期",
            "target_date",
            kind="date",
            width=12,
            hint="目标应达成的日期；可空",
        ),
        Column("来源", "source", width=50, hint="报告原文中给出该数字的句子"),
        Column("备注", "note", required=False, width=40, hint="目标如何推算等说明"),
        Column(
            "目标性质",
            "target_kind",
            required=False,
            width=10,
            hint="目标 / 规划 / 计划 / 预计 / 共计 / 要求：报告怎样称这个数；空为目标",
        ),
    ),
)

OBSERVATIONS = SheetSpec(
    name="数据",
    description="每次报送的数值一行，历史逐行累积。",
    columns=(
        Column("指标编号", "indicator_id", kind="indicator_id", width=10),
        Column("日期", "date", kind="date", width=12, hint="数值所对应的截至日期"),
        Column(
            "数值",
            "value",
            kind="number",
            width=12,
            hint="如 67.7、67.7%、9.62万、2500余",
        ),
        Column("备注", "note", required=False, width=40),
    ),
)

META = SheetSpec(
    name="概况",
    description="键值对：项目 / 内容。",
    columns=(
        Column("项目", "key", width=14),
        Column("内容", "value", width=40),
        Column("说明", "note", required=False, width=50),
    ),
)

PROGRESS = SheetSpec(
    name="进展",
    description="每轮各单位报送的进展，一行一条，历史逐行累积。",
    columns=(
        Column("任务编号", "task_id", kind="task_id", width=9, hint="所属任务的编号"),
        Column("轮次", "round", width=16, hint="报送轮次，如“2021年6月进展”"),
        Column("日期", "date", kind="date", width=12, hint="进展所对应的截至日期"),
        Column("进展情况", "text", width=60, hint="本轮的整改进展，如“一是……二是……”"),
        Column("报送单位", "unit", width=16, hint="报送这条进展的单位"),
        Column(
            "佐证材料",
            "evidence",
            required=False,
            width=30,
            hint="佐证材料的文件名，多个用顿号“、”分隔",
        ),
        Column("备注", "note", required=False, width=30),
    ),
)

REPORT_TEXT = SheetSpec(
    name="报告段落",
    description="Word 报告中不来自任务和指标的段落，一段一行，按行序排列。",
    columns=(
        Column(
            "部分",
            "part",
            width=14,
            hint="工作开展情况 / 下一步工作 / 结束语：段落放在报告的哪一部分",
        ),
        Column(
            "小标题",
            "heading",
            width=20,
            hint="如“提高政治站位”，报告中编为“（一）提高政治站位。”；可空（不编号的段落）",
        ),
        Column("内容", "text", width=70, hint="段落正文"),
        Column("来源", "source", required=False, width=30, hint="出自报告原文何处"),
        Column("备注", "note", required=False, width=30),
    ),
)

INSTRUCTIONS_SHEET = "说明"

# The sheets every workbook must have (a missing one is an error).
DATA_SHEETS: tuple[SheetSpec, ...] = (TASKS, INDICATORS, OBSERVATIONS, META)
# Sheets a workbook may leave out: an older workbook without them loads as before.
# When one is there, its required columns are required like those of a data sheet.
OPTIONAL_SHEETS: tuple[SheetSpec, ...] = (PROGRESS, REPORT_TEXT)
# Every sheet the loader reads: the data sheets, then the optional ones.
CONTRACT_SHEETS: tuple[SheetSpec, ...] = DATA_SHEETS + OPTIONAL_SHEETS


@dataclass(frozen=True, slots=True)
class MetaKey:
    label: str
    field: str
    kind: str = "text"  # a key of WRITTEN_KIND, like a column's
    required: bool = True
    hint: str = ""

    @property
    def written_kind(self) -> str:
        return WRITTEN_KIND[self.kind]


META_KEYS: tuple[MetaKey, ...] = (
    MetaKey("标题", "title", hint="看板标题"),
    MetaKey("报告单位", "organisation"),
    MetaKey("截至日期", "as_of", kind="date", hint="所有按时间计算的依据，不使用当前时间"),
    MetaKey(
        "巡视反馈日期",
        "feedback_date",
        kind="date",
        hint="整改起点，指标未填基期日期时使用",
    ),
    MetaKey("报告任务数", "reported_total", kind="int", required=False),
    MetaKey("报告已完成数", "reported_completed", kind="int", required=False),
    MetaKey("巡视组", "inspection_team", required=False, hint="如 省委第四巡视组（报告开头用）"),
    MetaKey("巡视开始日期", "inspection_start", kind="date", required=False),
    MetaKey("巡视结束日期", "inspection_end", kind="date", required=False),
    MetaKey(
        "蓝色预警天数",
        "blue_days",
        kind="int",
        required=False,
        hint="距整改时限几天内标为蓝色（督办三色）：1～366，0 为不启用；空则用部署设置（默认 20）",
    ),
    MetaKey(
        "连续黄色转红轮数",
        "red_after_yellow_rounds",
        kind="int",
        required=False,
        hint="连续几轮黄色即标为红色：2～12，0 为不启用；空则用部署设置（默认 2）",
    ),
)

# Thresholds of the ratio actual / expected progress (modelled on Open SDG).
ON_TRACK_RATIO = 0.95
BEHIND_RATIO = 0.60
# A task due within this many days of the as-of date is flagged yellow.
DUE_SOON_DAYS = 30


def normalise_header(text: object) -> str:
    """Canonical form of a header cell: NFKC, no whitespace, no required-marker.

    Staff write " 编号 ", "编号*", "编 号", "指标编号（必填）" or full-width
    characters; all of them name the same column.
    """
    if not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFKC", text)
    folded = "".join(ch for ch in folded if not ch.isspace())
    folded = folded.strip("*")
    for opening, closing in (("(", ")"), ("[", "]")):
        cut = folded.find(opening)
        if cut > 0 and folded.endswith(closing):
            folded = folded[:cut]
    return folded.strip("*")
