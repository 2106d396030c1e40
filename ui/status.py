"""Statuses on the dashboard's pages: the badges of ``report.status`` in one line."""

from __future__ import annotations

import enum

import streamlit as st

from report.literal import html_text
from report.status import badge, legend_html, swatch, tag

__all__ = ["badge", "legend_html", "status_line", "swatch", "tag"]


def status_line(*statuses: enum.Enum, title: str | None = None, text: str | None = None) -> None:
    """One line: an optional bold title, the status badges, then a remark.

    Workbook text (``title``, ``text``) is escaped here, and the line is rendered as
    HTML that we wrote ourselves (``st.html``), never as Markdown.
    """
    parts = []
    if title:
        parts.append(f"<b>{html_text(title)}</b>")
    parts.extend(badge(status) for status in statuses)
    if text:
        parts.append(html_text(text))
    st.html(f'<div class="zg-status-line">{"　".join(parts)}</div>')
