"""The parse of an upload in a child process with a memory and a time limit.

A crash, an abort inside python-calamine or a timeout becomes a clear message, and the
calling process (the dashboard server) carries on. The child
(``python -m metrics.intake.parse_child``) is started before the package checks run,
so that its interpreter start and imports overlap them; it is killed if the upload is
refused.
"""

from __future__ import annotations

import os
import subprocess
import sys

from metrics.intake.limits import IntakeLimits
from metrics.intake.transport import decode_result
from metrics.problems import Problem, Severity
from metrics.workbook.loader import LoadResult


def refused(message: str) -> LoadResult:
    """A result with one error and no data: the file was not accepted."""
    return LoadResult(None, (Problem(Severity.ERROR, "", None, None, message),))


class ParseChild:
    """A started parse child, waiting for the workbook on its stdin."""

    def __init__(self, limits: IntakeLimits) -> None:
        self.limits = limits
        env = dict(os.environ)  # the child imports the installed ``metrics`` package
        self._process = subprocess.Popen(
            [sys.executable, "-m", "metrics.intake.parse_child", str(limits.parse_memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )

    def parse(self, data: bytes) -> LoadResult:
        """Send the workbook, wait (at most ``parse_seconds``) and read the answer."""
        process = self._process
        try:
            stdout, _ = process.communicate(input=data, timeout=self.limits.parse_seconds)
        except subprocess.TimeoutExpired:
            self.stop()
            return refused(
                f"读取该文件超过 {self.limits.parse_seconds:g} 秒仍未完成，已停止。"
                "文件可能过大或结构异常：请删除多余内容，或在 Excel 中另存为 .xlsx 后重新上传"
            )
        if process.returncode == 0:
            result = decode_result(stdout)
            if result is not None:
                return result
        return refused(
            "读取该文件时解析程序异常退出（可能是内存不足或文件结构异常），已停止，"
            "服务不受影响。请检查文件，或在 Excel 中另存为 .xlsx 后重新上传"
        )

    def stop(self) -> None:
        """Kill the child (the upload was refused, or it took too long) and reap it."""
        process = self._process
        if process.poll() is None:
            process.kill()
        process.communicate()


def parse_in_child(data: bytes, limits: IntakeLimits) -> LoadResult:
    """Parse in a separate interpreter, memory and time capped."""
    return ParseChild(limits).parse(data)
