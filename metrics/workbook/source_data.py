"""The bundled data in text form (``data/source/*.toml``) and the workbooks built from it.

The TOML files are the reviewable source of truth; ``data/indicators.xlsx`` (the
bundled workbook) and ``data/template.xlsx`` (the blank template) are generated from
them by ``scripts/build_workbook.py``, and ``check`` proves the committed workbooks
still agree with the text.

Formats (keys are the contract's English field names):

* ``meta.toml``: top-level ``title``, ``organisation``, ``as_of``, ``feedback_date``,
  ``reported_total``, ``reported_completed`` (the ``MetaKey.field`` names) and an
  optional ``[notes]`` table with a Chinese explanation per key;
* ``tasks.toml``: ``[[task]]`` entries keyed by the 任务 fields;
* ``report_text.toml`` (optional): ``[[paragraph]]`` entries keyed by the 报告段落
  fields (``part``, ``heading``, ``text``, ``source``, ``note``), in document order;
* ``indicators*.toml`` (read in natural file-name order): ``[[indicator]]`` entries
  keyed by the 指标 fields plus ``observations = [{date, value, note}, ...]``, which
  become the 数据 rows in indicator order, then listed order.

Structural mistakes (unknown keys, wrong shapes, duplicate ids) raise ``SourceError``
listing every problem; doubtful content (an unknown 状态, an indicator pointing at a
missing task) is returned as ``SourceData.warnings``. Value types are checked by
``metrics.workbook.template`` when the workbook is written.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from metrics.contract import (
    INDICATORS,
    META_KEYS,
    OBSERVATIONS,
    REPORT_TEXT,
    TASKS,
    Direction,
    TaskStatus,
)
from metrics.workbook.template import write_template, write_workbook
from metrics.workbook.workbook_diff import diff_workbooks, read_cell_values

__all__ = (
    "INDICATORS_WORKBOOK",
    "TEMPLATE_WORKBOOK",
    "SourceData",
    "SourceError",
    "build",
    "check",
    "indicator_files",
    "load_source",
)

META_FILE: Final = "meta.toml"
TASKS_FILE: Final = "tasks.toml"
INDICATOR_FILES: Final = "indicators*.toml"
REPORT_TEXT_FILE: Final = "report_text.toml"
INDICATORS_WORKBOOK: Final = "indicators.xlsx"
TEMPLATE_WORKBOOK: Final = "template.xlsx"

_META_FIELDS: Final = tuple(key.field for key in META_KEYS)
_TASK_FIELDS: Final = tuple(column.field for column in TASKS.columns)
_INDICATOR_FIELDS: Final = tuple(column.field for column in INDICATORS.columns)
_PARAGRAPH_FIELDS: Final = tuple(column.field for column in REPORT_TEXT.columns)
_OBSERVATION_FIELDS: Final = tuple(
    column.field for column in OBSERVATIONS.columns if column.field != "indicator_id"
)

Row = Mapping[str, object]
PathArg = str | os.PathLike[str]


class SourceError(ValueError):
    """The TOML source cannot be turned into a workbook; lists every problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True, slots=True)
class SourceData:
    meta: Mapping[str, object]
    meta_notes: Mapping[str, str]
    tasks: tuple[Row, ...]
    indicators: tuple[Row, ...]
    observations: tuple[Row, ...]
    paragraphs: tuple[Row, ...] = ()
    warnings: tuple[str, ...] = ()


def indicator_files(source_dir: PathArg) -> list[Path]:
    """``indicators*.toml`` in natural order (indicators_2 before indicators_10)."""

    def key(path: Path) -> list[tuple[int, int | str]]:
        parts = re.split(r"(\d+)", path.name)
        return [(1, int(part)) if part.isdigit() else (0, part) for part in parts]

    return sorted(Path(source_dir).glob(INDICATOR_FILES), key=key)


def load_source(source_dir: PathArg) -> SourceData:
    """Read meta.toml, tasks.toml, report_text.toml (if there) and every
    indicators*.toml of ``source_dir``."""
    root = Path(source_dir)
    problems: list[str] = []
    meta, meta_notes = _read_meta(root / META_FILE, problems)
    tasks = _read_tasks(root / TASKS_FILE, problems)
    files = indicator_files(root)
    if not files:
        problems.append(f"{root}: no {INDICATOR_FILES} file")
    indicators: list[Row] = []
    observations: list[Row] = []
    for path in files:
        _read_indicators(path, indicators, observations, problems)
    paragraphs = _read_paragraphs(root / REPORT_TEXT_FILE, problems)
    _check_unique("task", TASKS_FILE, tasks, problems)
    _check_unique("indicator", INDICATOR_FILES, indicators, problems)
    if problems:
        raise SourceError(problems)
    return SourceData(
        meta=meta,
        meta_notes=meta_notes,
        tasks=tuple(tasks),
        indicators=tuple(indicators),
        observations=tuple(observations),
        paragraphs=tuple(paragraphs),
        warnings=tuple(_warnings(tasks, indicators)),
    )


def build(source_dir: PathArg, out_dir: PathArg) -> tuple[Path, Path]:
    """Write ``indicators.xlsx`` and ``template.xlsx`` into ``out_dir`` from the TOML."""
    data = load_source(source_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    bundled, template = out / INDICATORS_WORKBOOK, out / TEMPLATE_WORKBOOK
    write_workbook(
        bundled,
        tasks=data.tasks,
        indicators=data.indicators,
        observations=data.observations,
        paragraphs=data.paragraphs,
        meta=data.meta,
        meta_notes=data.meta_notes,
    )
    write_template(template)
    return bundled, template


def check(source_dir: PathArg, committed_dir: PathArg) -> list[str]:
    """Differences between the committed workbooks and freshly built ones; [] if none."""
    committed = Path(committed_dir)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="build_workbook_") as scratch:
        build(source_dir, scratch)
        for name in (INDICATORS_WORKBOOK, TEMPLATE_WORKBOOK):
            existing = committed / name
            if not existing.is_file():
                lines.append(f"{existing}: missing")
                continue
            diff = diff_workbooks(
                read_cell_values(existing),
                read_cell_values(Path(scratch) / name),
                expected_label="committed",
                actual_label="generated",
            )
            lines.extend(f"{name}: {line}" for line in diff)
    return lines


# ---------------------------------------------------------------------------
# Reading


def _load_toml(path: Path, problems: list[str]) -> dict[str, object] | None:
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except FileNotFoundError:
        problems.append(f"{path}: file not found")
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{path}: invalid TOML: {exc}")
    return None


def _unknown(where: str, entry: Mapping[str, object], allowed: Sequence[str]) -> list[str]:
    extra = [key for key in entry if key not in allowed]
    if not extra:
        return []
    return [f"{where}: unknown key(s) {extra}; allowed: {list(allowed)}"]


def _read_meta(path: Path, problems: list[str]) -> tuple[dict[str, object], dict[str, str]]:
    document = _load_toml(path, problems)
    if document is None:
        return {}, {}
    notes_raw = document.pop("notes", {})
    problems.extend(_unknown(path.name, document, (*_META_FIELDS, "notes")))
    meta = {key: value for key, value in document.items() if key in _META_FIELDS}
    notes: dict[str, str] = {}
    if not isinstance(notes_raw, dict):
        problems.append(f"{path.name}: [notes] must be a table")
        return meta, notes
    problems.extend(_unknown(f"{path.name} [notes]", notes_raw, _META_FIELDS))
    for key, note in notes_raw.items():
        if not isinstance(note, str):
            problems.append(f"{path.name} [notes]: {key} must be a string")
        elif key in _META_FIELDS:
            notes[key] = note
    return meta, notes


def _entries(
    path: Path, document: Mapping[str, object], name: str, problems: list[str]
) -> list[dict[str, object]]:
    problems.extend(_unknown(path.name, document, (name,)))
    entries = document.get(name, [])
    if not isinstance(entries, list):
        problems.append(f"{path.name}: {name} must be an array of tables [[{name}]]")
        return []
    result: list[dict[str, object]] = []
    for number, entry in enumerate(entries, start=1):
        if isinstance(entry, dict):
            result.append(entry)
        else:
            problems.append(f"{path.name}: {name} #{number} is not a table")
    return result


def _label(path: Path, kind: str, number: int, entry: Mapping[str, object]) -> str:
    return f"{path.name}: {kind} #{number} (id={entry.get('id')!r})"


def _read_tasks(path: Path, problems: list[str]) -> list[Row]:
    document = _load_toml(path, problems)
    if document is None:
        return []
    tasks: list[Row] = []
    for number, entry in enumerate(_entries(path, document, "task", problems), 1):
        problems.extend(_unknown(_label(path, "task", number, entry), entry, _TASK_FIELDS))
        tasks.append({k: v for k, v in entry.items() if k in _TASK_FIELDS})
    return tasks


def _read_paragraphs(path: Path, problems: list[str]) -> list[Row]:
    if not path.exists():
        return []
    document = _load_toml(path, problems)
    if document is None:
        return []
    paragraphs: list[Row] = []
    for number, entry in enumerate(_entries(path, document, "paragraph", problems), 1):
        problems.extend(_unknown(f"{path.name}: paragraph #{number}", entry, _PARAGRAPH_FIELDS))
        paragraphs.append({k: v for k, v in entry.items() if k in _PARAGRAPH_FIELDS})
    return paragraphs


def _read_indicators(
    path: Path,
    indicators: list[Row],
    observations: list[Row],
    problems: list[str],
) -> None:
    document = _load_toml(path, problems)
    if document is None:
        return
    allowed = (*_INDICATOR_FIELDS, "observations")
    for number, entry in enumerate(_entries(path, document, "indicator", problems), 1):
        where = _label(path, "indicator", number, entry)
        problems.extend(_unknown(where, entry, allowed))
        indicators.append({k: v for k, v in entry.items() if k in _INDICATOR_FIELDS})
        listed = entry.get("observations", [])
        if not isinstance(listed, list):
            problems.append(f"{where}: observations must be an array of tables")
            continue
        for index, observation in enumerate(listed, start=1):
            if not isinstance(observation, dict):
                problems.append(f"{where}: observation #{index} is not a table")
                continue
            problems.extend(
                _unknown(f"{where} observation #{index}", observation, _OBSERVATION_FIELDS)
            )
            row: dict[str, object] = {"indicator_id": entry.get("id")}
            row.update((k, v) for k, v in observation.items() if k in _OBSERVATION_FIELDS)
            observations.append(row)


def _check_unique(kind: str, file: str, entries: Sequence[Row], problems: list[str]) -> None:
    seen: list[object] = []
    for number, entry in enumerate(entries, start=1):
        key = entry.get("id")
        if key is None:
            problems.append(f"{file}: {kind} #{number} has no id")
        elif key in seen:
            problems.append(f"{file}: {kind} id {key!r} appears more than once")
        else:
            seen.append(key)


def _warnings(tasks: Sequence[Row], indicators: Sequence[Row]) -> list[str]:
    lines: list[str] = []
    statuses = [status.value for status in TaskStatus]
    directions = [direction.value for direction in Direction]
    task_ids = {task.get("id") for task in tasks}
    for task in tasks:
        status = task.get("status")
        if status is not None and status not in statuses:
            lines.append(f"task {task.get('id')!r}: status {status!r} not in {statuses}")
    for indicator in indicators:
        label = f"indicator {indicator.get('id')!r}"
        direction = indicator.get("direction")
        if direction is not None and direction not in directions:
            lines.append(f"{label}: direction {direction!r} not in {directions}")
        if indicator.get("task_id") not in task_ids:
            lines.append(f"{label}: task_id {indicator.get('task_id')!r} has no task")
    return lines
