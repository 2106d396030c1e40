"""The 说明 sheet, generated from the contract (the loader ignores it): the rules of
filling in, each sheet's columns with kind and hint, the 概况 keys, and the allowed
状态 and 方向 values."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

from metrics.contract import (
    INDICATORS,
    INSTRUCTIONS_SHEET,
    META,
    META_KEYS,
    OBSERVATIONS,
    OPTIONAL_SHEETS,
    PROGRESS,
    REPORT_TEXT,
    TASKS,
    Direction,
    MetaKey,
    SheetSpec,
    TaskStatus,
)
from metrics.workbook.template_sheets import SHEET_ORDER, Styles

_INSTRUCTIONS_TAB: Final = "A6A6A6"

_KIND_LABELS: Final[Mapping[str, str]] = MappingProxyType(
    {
        "text": "文本",
        "int": "整数",
        "date": "日期",
        "number": "数值",
        "status": "下拉选择",
        "direction": "下拉选择",
        "decision": "下拉选择",
    }
)
_DIRECTION_NOTES: Final[Mapping[str, str]] = MappingProxyType(
    {
        Direction.HIGHER_IS_BETTER.value: "数值越大越好，如完成率、覆盖率、投资额",
        Direction.LOWER_IS_BETTER.value: "数值越小越好，如 PM2.5 浓度、欠款金额",
        Direction.MONITOR_ONLY.value: "只看变化趋势，不设目标值，不评定进度",
    }
)


_STATUS_NOTES: Final[Mapping[TaskStatus, str]] = MappingProxyType(
    {
        TaskStatus.BASICALLY_DONE: "主体工作已完成，尚待验收或巩固；不计为完成",
        TaskStatus.EXTENSION_REQUESTED: "已申请延期：填写“申请延期至”，整改办的决定填“延期决定”",
        TaskStatus.ONGOING: "默认计为完成；部署设置 ZHENGGAI_COUNT_ONGOING_AS_DONE=0 时不计",
    }
)


def _count(choices: type[TaskStatus]) -> str:
    """六 for six statuses (the sentence names the number in words)."""
    return "零一二三四五六七八九十"[len(choices)]


def _instruction_lines() -> list[str]:
    status_values = "、".join(status.value for status in TaskStatus)
    complete = "和".join(status.value for status in TaskStatus if status.complete)
    optional = {spec.name for spec in OPTIONAL_SHEETS}
    data_sheets = "".join(f"“{name}”" for name in SHEET_ORDER[:-1] if name not in optional)
    optional_sheets = "".join(f"“{name}”" for name in SHEET_ORDER if name in optional)
    return [
        f"本工作簿是整改进展看板的数据来源。看板读取{data_sheets}四张表和可选的"
        f"{optional_sheets}表，本“{INSTRUCTIONS_SHEET}”表不会被读取。",
        "工作表顺序：" + "、".join(SHEET_ORDER) + "。请勿修改工作表名称和第 1 行的列名。",
        "每行填写一条记录；不要合并单元格，不要插入小计行。列的顺序可以调整，也可以增加自用列（看板不读取）。",
        f"“状态”“延期决定”“方向”请从下拉列表中选择。状态共{_count(TaskStatus)}种：{status_values}；"
        f"其中{complete}计为完成（部署设置可规定长期坚持不计为完成），基本完成和申请延期不计为完成。",
        "任务“申请延期”时，在“申请延期至”填写申请的新时限（应晚于整改时限），整改办的决定填在"
        "“延期决定”（同意 / 不同意 / 待定，空为待定）；同意后按新时限计算超期和督办颜色。"
        "这两列只有“申请延期”的任务可填。",
        "日期可写作 2021-05-31、2021/5/31 或 2021年5月31日。",
        "数值可写作 67.7、67.7%、9.62万、2500余 等形式，单位以“指标”表的单位列为准。"
        "只写一个数：不要写范围（如“三五家”“3-5”），不确切时写“3余”（3以上）或“约3”。",
        f"“{META.name}”表中的截至日期是所有按时间计算（进度、逾期、临近到期）的依据，"
        "看板不使用电脑的当前日期。",
        f"“{OBSERVATIONS.name}”表每次报送一行：同一指标在不同日期的数值逐行追加，"
        "不要覆盖旧值，历史由此累积。",
        f"“{PROGRESS.name}”表每轮每项任务的进展一行：新一轮的进展逐行追加，不要覆盖旧的。"
        "这张表可以没有（没有它的工作簿照常读取）；有这张表时，其必需列必须保留。",
        f"“{REPORT_TEXT.name}”表是 Word 报告中不属于某项任务的段落：整改工作开展情况（组织领导、"
        "方案、机制等）、下一步工作和结束语，一段一行，按行序排列；可以没有这张表。",
        "“必需列”为“是”的列必须保留，其中单元格能否留空见填写说明；为“否”的列可以删除。",
        f"蓝色表头为必需列，灰色表头为可选列。“{META.name}”表中“是否必填”为“是”的项目必须填写内容。",
    ]


def write_instructions(worksheet: Any, styles: Styles) -> None:
    worksheet.sheet_properties.tabColor = _INSTRUCTIONS_TAB
    for letter, width in zip("ABCD", (16, 10, 10, 70), strict=True):
        worksheet.column_dimensions[letter].width = width
    writer = _InstructionWriter(worksheet, styles)
    writer.text("整改进展看板 数据填写说明", font=styles.title_font)
    writer.blank()
    writer.section("填写要点")
    for number, line in enumerate(_instruction_lines(), start=1):
        writer.text(f"{number}. {line}")

    numerals = "一二三四五六七八九十"
    sections: list[tuple[str, Callable[[], None]]] = [
        (f"“{META.name}”表：每个项目一行，在“内容”列填写", writer.meta_keys),
        *(
            (f"“{spec.name}”表：{spec.description}", _table_rows(writer, spec))
            for spec in (TASKS, INDICATORS, OBSERVATIONS, PROGRESS, REPORT_TEXT)
        ),
        ("状态的取值（“任务”表）", writer.statuses),
        ("方向的取值（“指标”表）", writer.directions),
    ]
    for numeral, (title, body) in zip(numerals, sections, strict=False):
        writer.blank()
        writer.section(f"{numeral}、{title}")
        body()


def _table_rows(writer: _InstructionWriter, spec: SheetSpec) -> Callable[[], None]:
    return lambda: writer.columns(spec)


class _InstructionWriter:
    """Appends rows to the 说明 sheet (short lines that spill over, small tables)."""

    def __init__(self, worksheet: Any, styles: Styles) -> None:
        self.worksheet = worksheet
        self.styles = styles
        self.row = 0

    def text(self, line: str, *, font: Any = None) -> None:
        self.row += 1
        cell = self.worksheet.cell(row=self.row, column=1, value=line)
        cell.data_type = "s"
        if font is not None:
            cell.font = font

    def blank(self) -> None:
        self.row += 1

    def section(self, title: str) -> None:
        self.text(title, font=self.styles.bold)

    def table_row(self, cells: Sequence[str], *, header: bool = False) -> None:
        self.row += 1
        for index, text in enumerate(cells, start=1):
            if not text:
                continue
            cell = self.worksheet.cell(row=self.row, column=index, value=text)
            cell.data_type = "s"
            cell.alignment = self.styles.wrap_top
            if header:
                cell.font = self.styles.bold
                cell.fill = self.styles.section_fill

    def columns(self, spec: SheetSpec) -> None:
        self.table_row(("列名", "必需列", "格式", "填写说明"), header=True)
        for column in spec.columns:
            self.table_row(
                (
                    column.header,
                    "是" if column.required else "否（可删除）",
                    _KIND_LABELS.get(column.written_kind, column.written_kind),
                    column.hint,
                )
            )

    def meta_keys(self) -> None:
        self.table_row(("项目", "是否必填", "格式", "填写说明"), header=True)
        for key in META_KEYS:
            self.table_row(_meta_key_cells(key))

    def statuses(self) -> None:
        self.table_row(("状态", "计为完成", "", "说明"), header=True)
        for status in TaskStatus:
            self.table_row(
                (
                    status.value,
                    "是" if status.complete else "否",
                    "",
                    _STATUS_NOTES.get(status, ""),
                )
            )

    def directions(self) -> None:
        self.table_row(("方向", "", "", "含义"), header=True)
        for direction in Direction:
            self.table_row((direction.value, "", "", _DIRECTION_NOTES.get(direction.value, "")))


def _meta_key_cells(key: MetaKey) -> tuple[str, str, str, str]:
    return (
        key.label,
        "是" if key.required else "否",
        _KIND_LABELS.get(key.written_kind, key.written_kind),
        key.hint,
    )
