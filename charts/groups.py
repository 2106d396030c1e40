"""What every completion chart says of a group: its name (a 问题 after its 方面's ordinal,
"一·1.…", whole or cut) and its tasks of each status, in one order.

No plotly here: the plotly builders (``charts.completion``), the overview's HTML bars
(``charts.bars_html``), the Word report's figures and the deck's status doughnut share these."""

from __future__ import annotations

import re
from typing import Final

from metrics.contract import TaskStatus
from metrics.scoring.rollup import Completion, Group
from metrics.values.formatting import format_number
from metrics.values.quantities import PERCENT
from metrics.values.text import shorten

# Segments of a status bar and its legend, in this order; a status with no task is left out.
STATUS_ORDER: Final = (
    TaskStatus.DONE,
    TaskStatus.ONGOING,
    TaskStatus.BASICALLY_DONE,
    TaskStatus.IN_PROGRESS,
    TaskStatus.EXTENSION_REQUESTED,
    TaskStatus.NOT_STARTED,
)
# A segment narrower than this share of its bar cannot hold "29项": it says it elsewhere.
NARROW_SEGMENT: Final = 0.09


def _ordinal_prefix(group: Group) -> str:
    """ "一·" for a problem under "（一）…": keeps equal problem numbers apart."""
    match = re.match(r"[（(]([一二三四五六七八九十]+)[)）]", group.parent.strip())
    return f"{match.group(1)}·" if match else ""


def problem_ordinal(group: Group) -> str:
    """ "一·1.理论指导实践有差距": a problem's whole name after its 方面 ordinal."""
    return _ordinal_prefix(group) + group.key.strip()


def problem_label(group: Group) -> str:
    """ "一·1.理论指导实践有差距…": short, for a plotly axis (the hover has it all)."""
    return _ordinal_prefix(group) + shorten(group.key.strip(), 13)


def status_counts(c: Completion) -> dict[TaskStatus, int]:
    """Tasks of each status, in :data:`STATUS_ORDER`, zero included."""
    counts = {
        TaskStatus.DONE: c.done,
        TaskStatus.ONGOING: c.ongoing,
        TaskStatus.BASICALLY_DONE: c.basically_done,
        TaskStatus.IN_PROGRESS: c.in_progress,
        TaskStatus.EXTENSION_REQUESTED: c.extension_requested,
        TaskStatus.NOT_STARTED: c.not_started,
    }
    return {status: counts[status] for status in STATUS_ORDER}


def share_text(count: int, total: int) -> str:
    """ "85.7%": ``count`` of ``total`` to one decimal; "—" when there is no task."""
    return format_number(round(100 * count / total, 1), PERCENT) if total else "—"
