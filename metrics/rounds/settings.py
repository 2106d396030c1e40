"""Deployment settings of reporting rounds (environment variables, with defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass

MIN_EVIDENCE_ENV = "ZHENGGAI_CLOSE_MIN_EVIDENCE"
APPROVAL_ENV = "ZHENGGAI_UNIT_APPROVAL"
MAX_PROGRESS_CHARS = 5000
DEFAULT_MIN_EVIDENCE = 1


@dataclass(frozen=True, slots=True)
class RoundSettings:
    min_evidence_to_close: int = (
        DEFAULT_MIN_EVIDENCE  # files a 销号 request needs before it can be accepted
    )
    require_approval: bool = False  # new rounds: the unit's leader approves first

    @classmethod
    def from_env(cls) -> tuple[RoundSettings, list[str]]:
        """The settings, and a Chinese line for each malformed one (its default is used)."""
        problems: list[str] = []
        minimum = DEFAULT_MIN_EVIDENCE
        raw = os.environ.get(MIN_EVIDENCE_ENV, "").strip()
        if raw:
            if raw.isdigit() and int(raw) <= 100:
                minimum = int(raw)
            else:
                problems.append(
                    f"环境变量 {MIN_EVIDENCE_ENV}={raw!r} 不是 0 到 100 的整数，"
                    f"已使用默认值 {minimum}"
                )
        approval = os.environ.get(APPROVAL_ENV, "").strip().lower()
        if approval not in ("", "0", "1", "true", "false", "yes", "no"):
            problems.append(f"环境变量 {APPROVAL_ENV}={approval!r} 应为 1 或 0，已按 0 处理")
        return cls(minimum, approval in ("1", "true", "yes")), problems
