"""Which statuses count as complete: a deployment setting, as offices count.

By default 已完成 and 长期坚持 are complete (the bundled 85.7% = 30 / 35). With
``ZHENGGAI_COUNT_ONGOING_AS_DONE=0`` only 已完成 counts and 长期坚持 is listed beside it.
基本完成 and 申请延期 are never complete. A malformed value keeps the default and is
logged once per process (``Counting.from_env`` returns the message for pages to show).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from metrics.contract import TaskStatus

COUNT_ONGOING_ENV: Final = "ZHENGGAI_COUNT_ONGOING_AS_DONE"
_TRUE: Final = frozenset({"1", "true", "yes", "on", "是"})
_FALSE: Final = frozenset({"0", "false", "no", "off", "否"})

_log = logging.getLogger(__name__)
_LOGGED: set[str] = set()


@dataclass(frozen=True, slots=True)
class Counting:
    ongoing_as_done: bool = True  # 长期坚持 counts as complete

    def counts(self, status: TaskStatus) -> bool:
        """Whether a task with ``status`` is complete."""
        return status is TaskStatus.DONE or (self.ongoing_as_done and status is TaskStatus.ONGOING)

    @property
    def rule_text(self) -> str:
        """ "完成 = 已完成 + 长期坚持" or "完成 = 已完成（长期坚持不计为完成）"."""
        if self.ongoing_as_done:
            return "完成 = 已完成 + 长期坚持"
        return "完成 = 已完成（长期坚持不计为完成）"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> tuple[Counting, tuple[str, ...]]:
        """The setting, and a Chinese message when it is malformed (the default is used)."""
        env = os.environ if environ is None else environ
        raw = env.get(COUNT_ONGOING_ENV, "").strip()
        if not raw:
            return cls(), ()
        folded = raw.lower()
        if folded in _TRUE:
            return cls(True), ()
        if folded in _FALSE:
            return cls(False), ()
        shown = raw if len(raw) <= 20 else raw[:20] + "…"
        return cls(), (
            f"设置 {COUNT_ONGOING_ENV}={shown!r} 无效（应为 1 或 0），"
            "已使用默认值 1：长期坚持计为完成",
        )

    @classmethod
    def logged_from_env(cls, environ: Mapping[str, str] | None = None) -> Counting:
        """``from_env``, each problem logged once per process."""
        counting, problems = cls.from_env(environ)
        for problem in problems:
            if problem not in _LOGGED:
                _LOGGED.add(problem)
                _log.warning("%s", problem)
        return counting


# The default rule (长期坚持 complete), for defaults of functions and dataclasses.
DEFAULT_COUNTING: Final = Counting()
