"""The one entry point for every export, used by the export page and the command line.

Documents (``pptx``, ``html``, ``xlsx``, ``docx``) are built from the scored data and a
scope; chart images go through a ``Renderer`` (kaleido on the system Chromium), which
the Word report also uses for its figures when one is given. The bulletin (``docx``)
compares two versions.

The 督办 colours are passed in (``warnings``), never worked out here: the callers (the
export page, ``python -m briefing``) compute them once, with the rounds facts of the
store when it has rounds (``metrics.supervision``), and every document shows the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from briefing.chart_catalog import ExportChart, for_export
from briefing.document_kind import DocumentKind
from briefing.images import FORMATS, MIME, ImageExportError, Renderer
from briefing.names import export_name
from metrics.periods.figures import PeriodFigures
from metrics.scoring.progress import Scored
from metrics.scoring.scope import Scope
from metrics.supervision.model import TaskWarning

DOCUMENT_FORMATS: Final = ("docx", "pptx", "html", "xlsx")
IMAGE_FORMATS: Final = FORMATS
DOCUMENT_MIME: Final = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DOCUMENT_NAMES: Final = {
    "docx": "整改进展情况报告",
    "pptx": "整改进展汇报",
    "html": "整改进展报告",
    "xlsx": "整改进展汇总",
}
BULLETIN_NAME: Final = "整改进展通报"


class ExportError(RuntimeError):
    """``str(error)`` is a Chinese message for the user."""


@dataclass(frozen=True, slots=True)
class Exported:
    file_name: str
    mime: str
    data: bytes


def build_document(
    fmt: str,
    scored: Scored,
    scope: Scope,
    *,
    version: str,
    renderer: Renderer | None = None,
    kind: DocumentKind | None = None,
    warnings: Mapping[int, TaskWarning] | None = None,
) -> bytes:
    """``renderer``: the Word report's figures (without one it has none); ``kind``: the
    Word report as 报告 or 通报 (default: what the workbook's 标题 names); ``warnings``:
    the supervision colours of the tasks (``metrics.supervision.rules.colours``; an empty
    mapping when no task has one), shown in every document; None leaves them out."""
    if fmt == "docx":
        from briefing.docx_figures import render_figures
        from briefing.docx_report import build_report_docx

        figures = []
        if renderer is not None:
            try:
                figures = render_figures(renderer, scope.apply(scored))
            except ImageExportError as exc:
                raise ExportError(str(exc)) from exc
        return build_report_docx(
            scored, scope, version=version, figures=figures, kind=kind, warnings=warnings
        )
    if fmt == "pptx":
        from briefing.deck import build_deck

        return build_deck(scored, scope, version=version, warnings=warnings)
    if fmt == "html":
        from briefing.html_report import build_html

        return build_html(scored, scope, version=version, warnings=warnings).encode("utf-8")
    if fmt == "xlsx":
        from briefing.excel_summary import build_summary_xlsx

        return build_summary_xlsx(scored, scope, version=version, warnings=warnings)
    raise ExportError(f"不支持的格式“{fmt}”：可选 {'、'.join(DOCUMENT_FORMATS)}")


def export_document(
    fmt: str,
    scored: Scored,
    scope: Scope,
    *,
    version: str,
    renderer: Renderer | None = None,
    kind: DocumentKind | None = None,
    warnings: Mapping[int, TaskWarning] | None = None,
) -> Exported:
    """A document with its file name, e.g. 整改进展汇报_第一方面_2021-05-31.pptx,
    整改进展情况通报_2021-05-31.docx; ``warnings`` as ``build_document``."""
    data = build_document(
        fmt, scored, scope, version=version, renderer=renderer, kind=kind, warnings=warnings
    )
    name = DOCUMENT_NAMES[fmt]
    if fmt == "docx":
        name = f"整改进展情况{(kind or DocumentKind.of_title(scored.meta.title)).value}"
    what = name + ("" if scope.is_everything else f"_{scope.label()}")
    return Exported(export_name(what, scored.meta.as_of, fmt), DOCUMENT_MIME[fmt], data)


def render_chart(renderer: Renderer, chart: ExportChart, scored: Scored, fmt: str) -> Exported:
    """One chart as PNG (2x), SVG or PDF, named after what it shows and the data's date."""
    image_format = next((f for f in FORMATS if f == fmt), None)  # narrowed to a Format
    if image_format is None:
        raise ExportError(f"不支持的图片格式“{fmt}”：可选 PNG、SVG、PDF")
    figure, width, height = for_export(chart.build(), chart.title, scored)
    try:
        data = renderer.render(figure, image_format, width=width, height=height, scale=2)
    except ImageExportError as exc:
        raise ExportError(str(exc)) from exc
    return Exported(export_name(chart.title, scored.meta.as_of, fmt), MIME[fmt], data)


def export_bulletin(
    old: Scored,
    new: Scored,
    *,
    old_label: str,
    new_label: str,
    version: str,
    figures: tuple[PeriodFigures, PeriodFigures],
) -> Exported:
    """The bulletin from ``old`` to ``new``, e.g. 整改进展通报_v2至v3_2021-05-31.docx;
    ``figures``: the two periods' counts and colour counts (``build_bulletin_docx``)."""
    from briefing.docx_bulletin import build_bulletin_docx

    data = build_bulletin_docx(
        old, new, old_label=old_label, new_label=new_label, version=version, figures=figures
    )
    what = f"{BULLETIN_NAME}_{old_label}至{new_label}"
    return Exported(export_name(what, new.meta.as_of, "docx"), DOCUMENT_MIME["docx"], data)
