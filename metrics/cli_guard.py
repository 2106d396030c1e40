"""What every command line of the project shares, in a module that imports nothing
heavy (``python -m briefing`` starts Chromium before anything else is loaded): the
guard that turns errors into Chinese messages and exit statuses, and the version
argument type."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

EXIT_OK = 0
EXIT_FAILED = 1


def guarded(
    run: Callable[[], int],
    *,
    expected: tuple[type[Exception], ...] = (),
    prefix: str = "失败",
) -> int:
    """Run a command for staff: UTF-8 output, and never a traceback. ``expected``
    errors carry a Chinese message and are printed after ``prefix``."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    try:
        return run()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into `head` and the like
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED
    except expected as exc:
        print(f"{prefix}：{exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the last guard
        print(
            f"内部错误（{type(exc).__name__}）：{exc}。请把文件和此信息发给技术人员",
            file=sys.stderr,
        )
        return EXIT_FAILED


def version_number(text: str) -> int:
    """An argparse type: "3", "v3" or "V3" → 3."""
    try:
        number = int(text.strip().removeprefix("v").removeprefix("V"))
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"“{text}”不是版本号（应为正整数，如 3）")
    return number
