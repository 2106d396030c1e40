"""``python -m briefing FILE --format docx|pptx|html|xlsx|png|svg|pdf --out PATH [--scope ...]``.

The same files as the dashboard's export page, for scheduled jobs. FILE goes through
the same intake as an upload. ``--format docx`` is the Word report (official-document
layout, with chart figures when Chromium is installed); ``--format docx --since vN`` is
the bulletin of what changed from version N of the store (``ZHENGGAI_DATABASE_URL`` or
``ZHENGGAI_STORE``, as the dashboard) to FILE. Chart images: ``--chart KEY`` picks one
chart (default: the completion-rate chart; ``--list-charts`` shows the keys) and
``--chart all`` writes every chart into the folder ``--out``. Exit status: 0 written, 1 failed (the
reason in Chinese on stderr), 2 usage error. Never a traceback.

The documents show each task's 督办 colour, computed once here: with the rounds facts
(late reports, returned 销号 requests) of the dashboard's store when one is configured
(``ZHENGGAI_DATABASE_URL``, or an existing store in ``ZHENGGAI_STORE`` / ``store/``)
and has rounds, from deadlines and indicators only otherwise or with ``--no-rounds``;
a store that cannot be read is said on stderr and the file is still written.

Start-up: for the Word report Chromium is started (``Renderer``) right after the
arguments are read, before the heavier imports and the workbook's intake, which run while
it starts. ``metrics.cli`` is not imported (its store and round commands bring psycopg and
openpyxl, a third of a second): the guard and the version type come from the light
``metrics.cli_guard``. ``--doc-type 报告|通报`` chooses the Word report's document type.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from briefing.document_kind import DocumentKind
from briefing.exports import DOCUMENT_FORMATS, IMAGE_FORMATS, ExportError, build_document
from briefing.images import INSTALL_HINT, ImageExportError, Renderer, find_chromium
from metrics.cli_guard import EXIT_FAILED, EXIT_OK, guarded, version_number
from metrics.scoring.progress import Scored, score
from metrics.scoring.scope import Scope, ScopeError, parse_scope
from metrics.supervision.model import RoundsFacts, TaskWarning

STORE_DATABASE = "store.sqlite3"  # the embedded store's database in its folder


def main(argv: Sequence[str] | None = None) -> int:
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["duban"]:  # python -m briefing duban …: a 督办单 (briefing.cli_duban)
        from briefing.cli_duban import main as duban

        return duban(given[1:])
    args = _parser().parse_args(given)
    renderer = _early_renderer(args)
    try:
        return guarded(
            lambda: _run(args, renderer),
            expected=(ExportError, ImageExportError, ScopeError),
            prefix="未生成",
        )
    finally:
        if renderer is not None:
            renderer.close()


def _early_renderer(args: argparse.Namespace) -> Renderer | None:
    """The Word report's renderer, Chromium starting from now on; None when no report
    with figures is asked for, or when it cannot start (``_report_docx`` says why)."""
    wanted = args.format == "docx" and args.since is None and args.out is not None
    if not wanted or args.list_charts or find_chromium() is None:
        return None
    try:
        return Renderer()
    except Exception:  # tried again, and explained, where the figures are made
        return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m briefing",
        description="整改进展看板：生成汇报材料（幻灯片、离线报告、Excel 汇总、图表图片）",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="数据工作簿（.xlsx）")
    parser.add_argument(
        "--format",
        choices=[*DOCUMENT_FORMATS, *IMAGE_FORMATS],
        help="docx Word 报告、pptx 幻灯片、html 离线报告、xlsx 汇总表，或 png/svg/pdf 图表图片",
    )
    parser.add_argument(
        "--since",
        type=version_number,
        metavar="vN",
        help="与 --format docx 一起用：生成从存储中的版本 vN 到 FILE 的变化通报",
    )
    parser.add_argument("--out", type=Path, help="输出文件（--chart all 时为文件夹）")
    parser.add_argument(
        "--scope", default="all", help="范围：all（默认）、方面:2、方面:名称片段、任务:1,9,10"
    )
    parser.add_argument(
        "--chart", default="overview_breakdown", help="图表（图片格式时）；all 为全部"
    )
    parser.add_argument(
        "--doc-type",
        choices=[kind.value for kind in DocumentKind],
        help="Word 报告的文种：报告 或 通报（默认按工作簿“概况”的标题）；标题、开头和结尾随之一致",
    )
    parser.add_argument(
        "--no-rounds",
        action="store_true",
        help="督办颜色不读取存储中的填报轮次，只按整改时限和指标计算",
    )
    parser.add_argument("--list-charts", action="store_true", help="列出可导出的图表后退出")
    return parser


def _run(args: argparse.Namespace, renderer: Renderer | None = None) -> int:
    from metrics.intake.untrusted import load_untrusted

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"无法打开文件“{args.file}”：{exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    result = load_untrusted(data)
    if result.dataset is None:
        for problem in result.problems:
            print(str(problem), file=sys.stderr)
        print(f"{args.file}：有 {len(result.errors)} 个错误，无法生成。", file=sys.stderr)
        return EXIT_FAILED
    scored = score(result.dataset)
    version = hashlib.sha256(data).hexdigest()[:8]
    if args.list_charts:
        return _list_charts(scored)
    if args.format is None or args.out is None:
        print("请用 --format 指明格式、--out 指明输出位置", file=sys.stderr)
        return 2
    if args.since is not None:
        if args.format != "docx":
            print("--since 只用于 --format docx（变化通报）", file=sys.stderr)
            return 2
        written = [_write(args.out, _bulletin(args.since, scored, args.file.name, version))]
    elif args.format == "docx":
        scope = parse_scope(args.scope, scored)
        kind = DocumentKind(args.doc_type) if args.doc_type else None
        warnings = _warnings(scored, rounds=not args.no_rounds)
        written = [_write(args.out, _report_docx(scored, scope, version, renderer, kind, warnings))]
    elif args.format in DOCUMENT_FORMATS:
        scope = parse_scope(args.scope, scored)
        warnings = _warnings(scored, rounds=not args.no_rounds)
        data = build_document(args.format, scored, scope, version=version, warnings=warnings)
        written = [_write(args.out, data)]
    else:
        written = _images(scored, args.format, args.chart, args.out)
    for path in written:
        print(f"已生成 {path}")
    return EXIT_OK


def _report_docx(
    scored: Scored,
    scope: Scope,
    version: str,
    renderer: Renderer | None = None,
    kind: DocumentKind | None = None,
    warnings: dict[int, TaskWarning] | None = None,
) -> bytes:
    """The Word report, with figures when Chromium is installed (said when not);
    ``renderer``: one already started (closed here)."""
    if renderer is None and find_chromium() is None:
        print(f"注意：未插入图表。{INSTALL_HINT}", file=sys.stderr)
        return build_document("docx", scored, scope, version=version, kind=kind, warnings=warnings)
    with renderer or Renderer() as started:
        return build_document(
            "docx", scored, scope, version=version, renderer=started, kind=kind, warnings=warnings
        )


def _warnings(scored: Scored, *, rounds: bool) -> dict[int, TaskWarning]:
    """The 督办 colours of every task, once for the document: with the store's rounds
    facts when ``rounds`` and the store has them (``_store_facts``), else from deadlines
    and indicators only; the deployment's rules (environment, 概况 keys)."""
    from metrics.supervision.rules import colours

    return colours(scored, _store_facts(scored) if rounds else None)


def _store_facts(scored: Scored) -> RoundsFacts | None:
    """The rounds facts of the dashboard's store, as the dashboard reads them, when a
    store is configured: ``ZHENGGAI_DATABASE_URL``, or a store folder (``ZHENGGAI_STORE``,
    default ``store/``) that already holds its database (none is created here). None
    without a store, without rounds, or when it cannot be read (said on stderr: the
    colours then come from deadlines and indicators only)."""
    import datetime

    from metrics.store.backend import DATABASE_URL_ENV
    from metrics.store.versions import StoreError, default_root, open_store_from_env
    from metrics.supervision.facts import rounds_facts

    if not os.environ.get(DATABASE_URL_ENV) and not (default_root() / STORE_DATABASE).is_file():
        return None
    try:
        store = open_store_from_env()
        now = datetime.datetime.now(datetime.UTC)
        facts = rounds_facts(store.backend.versions, scored.dataset, now)
    except Exception as exc:  # a report is still worth having: said, not fatal
        # A store error says what in Chinese; others are named by type only (a driver's
        # message may carry the database address).
        why = str(exc) if isinstance(exc, StoreError) else type(exc).__name__
        print(
            f"注意：无法读取存储中的填报轮次（{why}），督办颜色只按整改时限和指标计算。",
            file=sys.stderr,
        )
        return None
    return facts if facts.rounds else None


def _bulletin(since: int, scored: Scored, file_name: str, version: str) -> bytes:
    """The bulletin from version ``since`` of the dashboard's store to this file."""
    import datetime

    from briefing.exports import export_bulletin
    from metrics.periods.figures import period_figures
    from metrics.periods.reading import version_figures
    from metrics.publishing import scored_version
    from metrics.store.versions import open_store_from_env
    from metrics.supervision.facts import rounds_facts
    from metrics.supervision.rules import colours

    store = open_store_from_env()
    if store.version(since) is None:
        current = store.current()
        have = f"当前版本为 v{current.id}" if current is not None else "存储中还没有版本"
        raise ExportError(f"版本 v{since} 不存在（{have}）")
    old = scored_version(store, since)
    if old is None:
        raise ExportError(f"版本 v{since} 的文件缺失、已损坏或无法读取为数据：请联系技术人员")
    now = datetime.datetime.now(datetime.UTC)
    facts = rounds_facts(store.backend.versions, scored.dataset, now)
    figures = (
        version_figures(store, since, old, now),
        period_figures(scored, colours(scored, facts)),
    )
    return export_bulletin(
        old, scored, old_label=f"v{since}", new_label=file_name, version=version, figures=figures
    ).data


def _list_charts(scored: Scored) -> int:
    from briefing.chart_catalog import chart_catalog

    for chart in chart_catalog(scored):
        print(f"{chart.key}\t{chart.title}")
    return EXIT_OK


def _images(scored: Scored, fmt: str, chart_key: str, out: Path) -> list[Path]:
    from briefing.chart_catalog import chart_catalog
    from briefing.exports import render_chart

    charts = chart_catalog(scored)
    chosen = charts if chart_key == "all" else [c for c in charts if c.key == chart_key]
    if not chosen:
        raise ExportError(f"没有图表“{chart_key}”：用 --list-charts 查看可选的图表")
    written = []
    with Renderer() as renderer:
        for chart in chosen:
            image = render_chart(renderer, chart, scored, fmt)
            target = out / image.file_name if chart_key == "all" or out.is_dir() else out
            written.append(_write(target, image.data))
    return written


def _write(path: Path, data: bytes) -> Path:
    """Written to a temporary name and renamed: a half-written file never appears."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        raise ExportError(f"无法写入“{path}”：{exc.strerror}") from exc
    return path
