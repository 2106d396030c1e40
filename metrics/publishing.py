"""Publishing a workbook: the pure part shared by the upload page and
``python -m metrics publish``.

The counts kept with a version (shown on the history page) are computed here, once:
the completion figures of the new data (``completion_counts``) and, when the version
the publish is made against has usable data, how much changed against it
(``metrics.scoring.changes.Changes.counts``). ``publish_checked`` publishes a file that
has already been through the intake (the page checked it while staff reviewed it);
``publish_workbook`` does the whole path for scripts: intake, comparison with the
version current when the check started (or the one named), publish.

The audit says how each publish was made: the note is recorded with the channel in
brackets at its end (``recorded_note``): "五月数据（网页）", "（命令行，系统用户 deploy）".
``split_note`` takes it apart again for the history page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from metrics.intake.untrusted import load_untrusted
from metrics.problems import Problem
from metrics.scoring.changes import Changes, compare
from metrics.scoring.progress import Scored, score
from metrics.scoring.rollup import overall
from metrics.store.backend import Connection
from metrics.store.versions import Store, StoreError, Version
from metrics.workbook.loader import LoadResult, load_workbook

WEB = "网页"
COMMAND_LINE = "命令行"


def recorded_note(note: str, channel: str) -> str:
    """The note as the audit keeps it: the publisher's words, then the channel."""
    return f"{note.strip()}（{channel}）"


def split_note(note: str) -> tuple[str, str]:
    """``(words, channel)`` of a recorded note; the channel is "" for notes recorded
    before channels were (a note's own last bracket is not taken for one)."""
    if note.endswith("）"):
        start = note.rfind("（")
        inside = note[start + 1 : -1]
        if start >= 0 and (inside == WEB or inside.split("，", 1)[0] == COMMAND_LINE):
            return note[:start], inside
    return note, ""


def completion_counts(result: LoadResult) -> dict[str, int]:
    """Total, completed and in-progress tasks of a loaded workbook ({} with errors)."""
    if result.dataset is None:
        return {}
    c = overall(score(result.dataset)).completion
    return {"total": c.total, "completed": c.completed, "in_progress": c.in_progress}


def version_counts(result: LoadResult, changes: Changes | None) -> dict[str, int]:
    """The counts stored with a published version."""
    return completion_counts(result) | (changes.counts() if changes is not None else {})


def publish_checked(
    store: Store,
    data: bytes,
    result: LoadResult,
    changes: Changes | None,
    *,
    actor: str,
    file_name: str,
    note: str,
    expected_current: int | None,
    within: Callable[[Connection, int], None] | None = None,
    channel: str = WEB,
) -> Version:
    """Publish ``data`` (``result``: its intake, without errors) on top of
    ``expected_current``; raises ``StaleVersion`` when that is no longer current.
    ``within``: see ``Store.publish``. ``channel``: how it was published, recorded with
    the note (the upload page and the round review: 网页; the command line says so)."""
    if not result.ok:
        raise StoreError("文件有错误，不能发布")
    return store.publish(
        data,
        actor=actor,
        file_name=file_name,
        note=recorded_note(note, channel),
        counts=version_counts(result, changes),
        expected_current=expected_current,
        within=within,
    )


@dataclass(frozen=True, slots=True)
class Review:
    """A file checked and compared, ready to publish against ``basis_id``."""

    result: LoadResult
    basis_id: int | None  # the version compared against and expected to be current
    changes: Changes | None  # None when the basis is missing or unusable

    @property
    def problems(self) -> tuple[Problem, ...]:
        return self.result.problems


def review_workbook(store: Store, data: bytes, *, basis_id: int | None) -> Review:
    """Check ``data`` through the upload intake and compare it with version ``basis_id``."""
    result = load_untrusted(data)
    changes = None
    if result.dataset is not None and basis_id is not None:
        old = scored_version(store, basis_id)
        if old is not None:
            changes = compare(old, score(result.dataset))
    return Review(result, basis_id, changes)


def publish_workbook(
    store: Store,
    data: bytes,
    *,
    file_name: str,
    actor: str,
    note: str,
    expected_current: int | None,
    channel: str = WEB,
) -> Version:
    """Intake, comparison with ``expected_current`` and publish, as the upload page does.
    Raises ``StoreError`` (``StaleVersion``, ``NotAllowed`` …) when nothing was published;
    a file with errors raises ``StoreError`` too (use ``review_workbook`` for the list)."""
    review = review_workbook(store, data, basis_id=expected_current)
    return publish_checked(
        store,
        data,
        review.result,
        review.changes,
        actor=actor,
        file_name=file_name,
        note=note,
        expected_current=expected_current,
        channel=channel,
    )


def scored_version(store: Store, version_id: int) -> Scored | None:
    """A stored version's data, scored (None if missing or unusable). Stored files were
    checked on the way in, so they are read directly, as the dashboard reads them."""
    version = store.version(version_id)
    if version is None:
        return None
    try:
        result = load_workbook(store.read(version))
    except (StoreError, OSError):
        return None
    return score(result.dataset) if result.dataset is not None else None
