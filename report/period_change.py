"""较上期 in words, the same on the overview and in the bulletin: the card changes
("+2.9个百分点（较上期）", "+1 项（较上期）") and the sentence that names 上期 and says
how the rate, the counts beside it and the 督办 colour counts moved."""

from __future__ import annotations

from metrics.periods.basis import BasisKind
from metrics.periods.figures import Comparison, PeriodFigures
from metrics.scoring.headline import chinese_date, points_delta
from metrics.scoring.summary import rate_text
from metrics.supervision.model import WarningColour


def then_word(comparison: Comparison) -> str:
    """ "上期", or "上一版本" when the earlier state has the same 数据截至 date."""
    return "上一版本" if comparison.basis.kind is BasisKind.VERSION else "上期"


def basis_text(comparison: Comparison) -> str:
    """ "上期（“2021年7月进展”开启时，数据截至2021年6月30日）", "上期（数据截至…）",
    "上一版本（v3，数据截至日期相同）"."""
    basis = comparison.basis
    day = chinese_date(comparison.before.as_of)
    if basis.kind is BasisKind.ROUND:
        return f"上期（“{basis.round_name}”开启时，数据截至{day}）"
    if basis.kind is BasisKind.PERIOD:
        return f"上期（数据截至{day}）"
    return f"上一版本（v{basis.version_id}，数据截至日期相同）"


def rate_card_delta(comparison: Comparison) -> str | None:
    """The completion rate's change for its card; None when either rate is undefined."""
    return points_delta(comparison.before.rate, comparison.after.rate, then_word(comparison))


def count_card_delta(before: int, after: int, comparison: Comparison) -> str:
    """ "+1 项（较上期）", "-2 项（较上期）", "持平（较上期）"."""
    if before == after:
        return f"持平（较{then_word(comparison)}）"
    return f"{after - before:+d} 项（较{then_word(comparison)}）"


def comparison_sentence(comparison: Comparison) -> str:
    """ "与上期（…）相比：整改完成率由85.7%升至88.6%（+2.9个百分点）；已完成由30项增至31项；
    红色督办任务由3项减至1项；黄色督办任务2项，与上期持平。" """
    return f"与{basis_text(comparison)}相比：{changes_text(comparison)}。"


def changes_text(comparison: Comparison) -> str:
    """The changes alone, clauses joined by "；"."""
    before, after = comparison.before, comparison.after
    then = then_word(comparison)
    clauses = [
        rate_clause(before.rate, after.rate, then),
        count_clause("已完成", before.completed, after.completed, then),
        status_and_colour_clauses(before, after, then),
    ]
    return "；".join(clauses)


def status_and_colour_clauses(before: PeriodFigures, after: PeriodFigures, then: str) -> str:
    """基本完成 and 申请延期 when either side has any, then the colour counts (the
    bulletin says the rate and 已完成 in its own sentence)."""
    clauses = []
    if before.basically_done or after.basically_done:
        clauses.append(count_clause("基本完成", before.basically_done, after.basically_done, then))
    if before.extension_requested or after.extension_requested:
        clauses.append(
            count_clause("申请延期", before.extension_requested, after.extension_requested, then)
        )
    clauses.append(colour_clauses(before, after, then))
    return "；".join(clauses)


def colour_clauses(before: PeriodFigures, after: PeriodFigures, then: str) -> str:
    """Red and yellow always, blue when either side has any; one clause when neither
    side has any colour."""
    if not any(before.colours.values()) and not any(after.colours.values()):
        return f"红色、黄色、蓝色督办任务均为0项，与{then}持平"
    shown = [WarningColour.RED, WarningColour.YELLOW]
    if before.colours[WarningColour.BLUE] or after.colours[WarningColour.BLUE]:
        shown.append(WarningColour.BLUE)
    return "；".join(
        count_clause(f"{colour.label}督办任务", before.colours[colour], after.colours[colour], then)
        for colour in shown
    )


def rate_clause(
    before: float | None, after: float | None, then: str, word: str = "整改完成率"
) -> str:
    """ "整改完成率由85.7%升至88.6%（+2.9个百分点）", "整改完成率88.6%，与上期持平";
    ``word``: the rate's name ("整改率" in the bulletin, as the district's reports say)."""
    if before is None or after is None:
        return f"{word}为{rate_text(after)}"
    points = round((after - before) * 100, 1)
    if points == 0:
        return f"{word}{rate_text(after)}，与{then}持平"
    verb = "升至" if points > 0 else "降至"
    return f"{word}由{rate_text(before)}{verb}{rate_text(after)}（{points:+.1f}个百分点）"


def count_clause(word: str, before: int, after: int, then: str, measure: str = "项") -> str:
    """ "已完成由30项增至31项", "红色督办任务3项，与上期持平"."""
    if before == after:
        return f"{word}{after}{measure}，与{then}持平"
    verb = "增至" if after > before else "减至"
    return f"{word}由{before}{measure}{verb}{after}{measure}"
