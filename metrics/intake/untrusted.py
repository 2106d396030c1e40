"""``load_untrusted(data)``: the one door for files from outside (uploads, and
``python -m metrics check``); every upload is hostile until checked.

1. the file type and the zip package are checked against the limits (``checks``,
   ``limits``) before any spreadsheet library sees the file;
2. the parse runs in a child process with a memory and a time limit (``sandbox``).

The same ``metrics.workbook.loader`` then validates what was read, so what was checked is
what is shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from metrics.intake.checks import IntakeRefused, check_package, describe_content
from metrics.intake.limits import IntakeLimits
from metrics.intake.sandbox import ParseChild, refused
from metrics.workbook.loader import LoadResult


def load_untrusted(data: bytes, limits: IntakeLimits | None = None) -> LoadResult:
    """Check, then parse and validate in a child process. Never raises for bad input."""
    try:
        child = checked_child(data, limits or IntakeLimits.from_env())
    except IntakeRefused as exc:
        return refused(str(exc))
    return child.parse(data)


def checked_child(
    data: bytes, limits: IntakeLimits, *, sheets: Sequence[str] | None = None
) -> ParseChild:
    """Step 1 for any reader of an outside file: the package checks, with the parse
    child (``sheets``: its rows mode) starting meanwhile. Raises ``IntakeRefused`` (the
    child stopped) when the file is refused; a file refused by its type or size alone
    never starts a child."""
    if len(data) > limits.max_upload_bytes or describe_content(data) is not None:
        check_package(data, limits)  # refused at once: no child for it
    child = ParseChild(limits, sheets=sheets)  # starts while the package is checked
    try:
        check_package(data, limits)
    except BaseException:
        child.stop()
        raise
    return child
