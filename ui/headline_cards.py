"""The headline cards of ``report.headline_cards`` on a page (the overview, and the preview
of an upload)."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from metrics.periods.figures import Comparison
from metrics.scoring.headline import Headline, headline, rate_delta
from metrics.scoring.progress import Scored
from report.headline_cards import Card, card_width, headline_cards, met_note
from report.literal import md
from report.period_change import comparison_sentence, count_card_delta, rate_card_delta


def show_cards(cards: Sequence[Card], note: str, key: str) -> None:
    """Cards that wrap: six in a row on a laptop, two per row on a phone, a card wider
    when its figure needs it (never cut: ``report.headline_cards.card_width``); ``note``
    (``report.headline_cards.met_note``) is a caption under them when not empty."""
    row = st.container(horizontal=True, wrap=True, gap="small", key=key)
    for card in cards:
        row.metric(
            card.label,
            card.value,
            card.delta,
            help=card.help,
            border=True,
            width=card_width(card),
            delta_arrow="auto" if card.moved else "off",
            delta_color="normal" if card.moved else "off",
        )
    if note:
        st.caption(note)


def overview_cards(
    figures: Headline, attention: int, comparison: Comparison | None, *, key: str
) -> None:
    """The overview's cards: the rate and 已完成 compared with 上期 when there is one
    (``ui.periods.comparison_of``), and under them the sentence that names 上期 and
    says how the rate, 基本完成, 申请延期 and the 督办 colour counts moved."""
    if comparison is None:
        show_cards(headline_cards(figures, attention), met_note(figures), key)
        return
    before, after = comparison.before, comparison.after
    cards = headline_cards(
        figures,
        attention,
        rate_card_delta(comparison),
        completed_change=count_card_delta(before.completed, after.completed, comparison),
    )
    show_cards(cards, met_note(figures), key)
    st.markdown(md(comparison_sentence(comparison)))


def headline_section(figures: Headline, attention: int, before: Scored | None, *, key: str) -> None:
    """The cards of ``figures``, the completion rate compared with ``before`` (the
    previous version, or the version an upload is reviewed against) when there is one."""
    rate_change = rate_delta(headline(before), figures) if before is not None else None
    show_cards(headline_cards(figures, attention, rate_change), met_note(figures), key)
