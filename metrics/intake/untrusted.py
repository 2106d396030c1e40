"""``load_untrusted(data)``: the one door for files from outside (uploads, and
``python -m metrics check``); every upload is hostile until checked.

1. the file type and the zip package are checked against the limits (``checks``,
   ``limits``) before any spreadsheet library sees the file;
2. the parse runs in a child process with a memory and a time limit (``sandbox``).

The same ``metrics.workbook.loader`` then validates what was read, so what was checked is
what is shown.
"""

from __future__ import annotations

from metrics.intake.checks import IntakeRefused, check_package, describe_content
from metrics.intake.limits import IntakeLimits
from metrics.intake.sandbox import ParseChild, refused
from metrics.workbook.loader import LoadResult


def load_untrusted(data: bytes, limits: IntakeLimits | None = None) -> LoadResult:
    """Check, then parse and validate in a child process. Never raises for bad input."""
    limits = limits or IntakeLimits.from_env()
    if len(data) > limits.max_upload_bytes or describe_content(data) is not None:
        try:  # refused at once: no child for it
            check_package(data, limits)
        except IntakeRefused as exc:
            return refused(str(exc))
    child = ParseChild(limits)  # starts while the package is checked
    try:
        check_package(data, limits)
    except IntakeRefused as exc:
        child.stop()
        return refused(str(exc))
    except BaseException:
        child.stop()
        raise
    return child.parse(data)
