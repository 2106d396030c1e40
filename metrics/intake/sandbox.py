"""The parse of an upload in a child process with a memory and a time limit.

A crash, an abort inside python-calamine or a timeout becomes a clear message, and the
calling process (the dashboard server) carries on. The child
(``python -m metrics.intake.parse_child``) is started before the package checks run,
so that its interpreter start and imports overlap them; it is killed if the upload is
refused.

Two modes: ``ParseChild(limits)`` loads and validates a data workbook (``parse``);
``ParseChild(limits, sheets=[…])`` only reads the raw rows of the named sheets
(``read_sheets``), for workbooks the parent interprets itself (a unit's workbook).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence

from metrics.intake.checks import IntakeRefused
from metrics.intake.limits import IntakeLimits
from metrics.intake.transport import decode_result, decode_sheets
from metrics.problems import Problem, Severity
from metrics.workbook.loader import LoadResult
from metrics.workbook.reader import RawWorkbook

CRASHED = (
    "读取该文件时解析程序异常退出（可能是内存不足或文件结构异常），已停止，"
    "服务不受影响。请检查文件，或在 Excel 中另存为 .xlsx 后重新上传"
)


def refused(message: str) -> LoadResult:
    """A result with one error and no data: the file was not accepted."""
    return LoadResult(None, (Problem(Severity.ERROR, "", None, None, message),))


class ParseChild:
    """A started parse child, waiting for the workbook on its stdin.

    ``sheets``: the child reads only these sheets' raw rows (``read_sheets``) instead
    of loading a data workbook (``parse``); each child answers the mode it was started in.
    """

    def __init__(self, limits: IntakeLimits, *, sheets: Sequence[str] | None = None) -> None:
        self.limits = limits
        env = dict(os.environ)  # the child imports the installed ``metrics`` package
        command = [
            sys.executable,
            "-m",
            "metrics.intake.parse_child",
            str(limits.parse_memory_bytes),
        ]
        if sheets is not None:
            command.append(json.dumps(list(sheets)))  # ASCII: safe in any locale
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )

    def parse(self, data: bytes) -> LoadResult:
        """Send the workbook, wait (at most ``parse_seconds``) and read the answer."""
        try:
            stdout = self._exchange(data)
        except IntakeRefused as exc:
            return refused(str(exc))
        result = decode_result(stdout) if stdout is not None else None
        return result if result is not None else refused(CRASHED)

    def read_sheets(self, data: bytes) -> RawWorkbook:
        """The raw rows of the sheets named at start (missing sheets absent), cells
        JSON-safe (``transport.json_cell``); ``IntakeRefused`` with a Chinese message when
        the file cannot be read, the child took too long or died."""
        stdout = self._exchange(data)
        answer = decode_sheets(stdout) if stdout is not None else None
        if answer is None:
            raise IntakeRefused(CRASHED)
        if isinstance(answer, str):
            raise IntakeRefused(answer)
        return answer

    def _exchange(self, data: bytes) -> bytes | None:
        """The child's answer; None when it died; ``IntakeRefused`` when it took too long."""
        process = self._process
        try:
            stdout, _ = process.communicate(input=data, timeout=self.limits.parse_seconds)
        except subprocess.TimeoutExpired:
            self.stop()
            raise IntakeRefused(
                f"读取该文件超过 {self.limits.parse_seconds:g} 秒仍未完成，已停止。"
                "文件可能过大或结构异常：请删除多余内容，或在 Excel 中另存为 .xlsx 后重新上传"
            ) from None
        return stdout if process.returncode == 0 else None

    def stop(self) -> None:
        """Kill the child (the upload was refused, or it took too long) and reap it."""
        process = self._process
        if process.poll() is None:
            process.kill()
        process.communicate()


def parse_in_child(data: bytes, limits: IntakeLimits) -> LoadResult:
    """Parse in a separate interpreter, memory and time capped."""
    return ParseChild(limits).parse(data)
