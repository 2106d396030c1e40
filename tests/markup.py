"""A workbook whose text is full of markup: HTML, Markdown, LaTeX, Streamlit directives,
links and images pointing at an outside address. Every piece must reach leaders exactly
as typed, and nothing may be fetched from that address.

``markup_workbook`` copies the bundled workbook and writes a different payload into
each kind of text cell, so a test can tell which field leaked.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

# TEST-NET-3 (RFC 5737): never routed; the browser fixture aborts any request to it.
OUTSIDE = "203.0.113.7"


def payload(tag: str) -> str:
    """Markup of every kind a renderer might interpret, labelled with ``tag``."""
    return (
        f"<b>{tag}粗</b><img src=http://{OUTSIDE}/{tag}.png>"
        f"![{tag}图](http://{OUTSIDE}/{tag}-md.png)[{tag}链](javascript:alert(1))"
        f" $x^{{2}}$ :material/home: :red[{tag}红] **{tag}星** www.{tag}.example.com"
        f" &amp; <a href=http://{OUTSIDE}/>a</a>"
    )


def markup_workbook(bundled: Path, out: Path) -> dict[str, str]:
    """Write the marked-up workbook to ``out``; returns {field: the text typed there}.

    Task 9 (正在整改, so it is on the overview's attention list) gets markup in every
    text column; its indicator T09-11 (roads finished, which has a target and so a
    bullet chart) in name, source and note; the 概况 in its title and organisation.
    """
    typed: dict[str, str] = {}
    wb = openpyxl.load_workbook(bundled)

    def put(sheet: str, key_column: str, key: object, column: str, field: str) -> None:
        ws = wb[sheet]
        headers = [cell.value for cell in ws[1]]
        key_at, column_at = headers.index(key_column), headers.index(column)
        for row in ws.iter_rows(min_row=2):
            if str(row[key_at].value) == str(key):
                text = payload(field)
                row[column_at].value = text
                typed[field] = text
                return
        raise AssertionError(f"{sheet}: no row with {key_column} = {key}")

    for column, field in (
        ("任务", "TT"),
        ("整改措施", "MM"),
        ("备注", "NN"),
        ("方面", "CC"),
        ("问题", "PP"),
        ("牵头单位", "UU"),
    ):
        put("任务", "编号", 9, column, field)
    for column, field in (("指标名称", "II"), ("来源", "SS"), ("备注", "IN")):
        put("指标", "指标编号", "T09-11", column, field)
    put("概况", "项目", "标题", "内容", "HT")
    put("概况", "项目", "报告单位", "内容", "HO")
    wb.save(out)
    return typed
