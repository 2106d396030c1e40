"""The headline cards: the few figures a leader reads first, the same on the overview, in
the upload preview, on the deck's overview slide and in the offline report.

``headline_cards`` lists the cards; each output renders the list its own way
(``ui.headline_cards``: ``st.metric``; ``briefing.deck``: text boxes; ``briefing.html_report``:
HTML). A slide has less room, so ``compact=True`` words the same figures more tightly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from metrics.scoring.headline import Headline
from report.text_width import text_em

# On the dashboard (``st.metric``): six cards in a row at 1280 px, two at 390 px; a card
# whose value, label or change would not fit is made wider instead of cutting it ("160 / …").
CARD_WIDTH = 160  # px
CARD_PADDING = 34  # px: 1 rem each side and the border
VALUE_PX, LABEL_PX, DELTA_PX = 36, 14, 14  # font sizes of the value, label and change
HELP_ICON_PX = 22  # the "?" after a label with help
DELTA_ARROW_PX = 20
MET_HELP = "已有数据的目标中已达到目标值的个数；尚无数据的目标（多为计划数）不计入。"


@dataclass(frozen=True, slots=True)
class Card:
    label: str  # "整改完成率"
    value: str  # "85.7%"
    delta: str | None = None  # "+2.9个百分点（较上一版本）"; None when there is none
    help: str | None = None  # the tooltip on the dashboard

    @property
    def moved(self) -> bool:
        """The delta is a change with a direction ("+2.9…", "-1.0…"), not "持平"."""
        return self.delta is not None and self.delta[:1] in "+-"


def card_width(card: Card) -> int:
    """The card's width in px: ``CARD_WIDTH``, or as wide as its longest line needs."""
    label = text_em(card.label) * LABEL_PX + (HELP_ICON_PX if card.help else 0)
    value = text_em(card.value) * VALUE_PX
    delta = text_em(card.delta) * DELTA_PX + DELTA_ARROW_PX if card.delta else 0.0
    needed = math.ceil(max(label, value, delta) * 1.03) + CARD_PADDING
    return max(CARD_WIDTH, needed)


def headline_cards(
    figures: Headline,
    attention: int | None = None,
    rate_change: str | None = None,
    *,
    compact: bool = False,
    completed_change: str | None = None,
) -> list[Card]:
    """整改完成率, 已完成, 正在整改, 指标已达标, 超期任务, then 需关注 when ``attention``
    (the number of attention items) is given. ``rate_change`` is the completion rate's
    change since the previous version or 上期 (``metrics.scoring.headline.rate_delta``,
    ``report.period_change.rate_card_delta``), ``completed_change`` the 已完成 count's."""
    if compact:
        cards = [
            Card("整改完成率", figures.rate_text, rate_change),
            Card("已完成", f"{figures.completed}/{figures.total}项"),
            Card("正在整改", f"{figures.in_progress}项"),
            Card("指标已达标", figures.met_text.replace(" ", ""), help=MET_HELP),
            Card("超期", f"{figures.overdue}项"),
        ]
        if attention is not None:
            cards.append(Card("需关注", f"{attention}条"))
        return cards
    cards = [
        Card("整改完成率", figures.rate_text, rate_change),
        Card(f"已完成（共 {figures.total} 项）", f"{figures.completed} 项", completed_change),
        Card("正在整改", f"{figures.in_progress} 项"),
        Card("指标已达标", figures.met_text, help=MET_HELP),
        Card("超期任务", f"{figures.overdue} 项"),
    ]
    if attention is not None:
        cards.append(Card("需关注", f"{attention} 条"))
    return cards


def met_note(figures: Headline) -> str:
    """The remark under the cards, so that "指标已达标 2 / 5 个" is not read as 2 out of
    every target: how many targets have no data yet; "" when every target has data."""
    without = figures.without_data_text
    return f"指标已达标只计已有数据的目标；{without}。" if without else ""
