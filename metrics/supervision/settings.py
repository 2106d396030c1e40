"""The supervision rules as a deployment sets them (environment variables, with
defaults), and the 概况 keys that override them for one workbook.

``ZHENGGAI_BLUE_DAYS`` (20; 0 switches blue off), ``ZHENGGAI_RED_AFTER_YELLOW_ROUNDS``
(2: yellow in two rounds in a row is red; 0 switches the rule off) and three yellow
rules, each on unless set to 0: ``ZHENGGAI_YELLOW_BEHIND`` (indicators behind 序时进度),
``ZHENGGAI_YELLOW_LATE_REPORT`` (the unit's round report late),
``ZHENGGAI_YELLOW_RETURNED_CLOSE`` (a 销号 request returned). A malformed value keeps
its default; ``from_env`` returns a Chinese line for it, ``logged_from_env`` logs it once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Final

from metrics.model import Meta

BLUE_DAYS_ENV: Final = "ZHENGGAI_BLUE_DAYS"
RED_ROUNDS_ENV: Final = "ZHENGGAI_RED_AFTER_YELLOW_ROUNDS"
YELLOW_BEHIND_ENV: Final = "ZHENGGAI_YELLOW_BEHIND"
YELLOW_LATE_ENV: Final = "ZHENGGAI_YELLOW_LATE_REPORT"
YELLOW_RETURNED_ENV: Final = "ZHENGGAI_YELLOW_RETURNED_CLOSE"

DEFAULT_BLUE_DAYS: Final = 20
DEFAULT_RED_ROUNDS: Final = 2

_TRUE: Final = frozenset({"1", "true", "yes", "on"})
_FALSE: Final = frozenset({"0", "false", "no", "off"})

_log = logging.getLogger(__name__)
_LOGGED: set[str] = set()


@dataclass(frozen=True, slots=True)
class Bounds:
    """The values a whole-number rule takes: ``low``..``high``, and 0 (off) if ``zero_off``."""

    low: int
    high: int
    zero_off: bool = True

    def allows(self, value: int) -> bool:
        return (self.zero_off and value == 0) or self.low <= value <= self.high

    def why(self, value: object) -> str:
        zero = "，0 为不启用" if self.zero_off else ""
        return f"“{value}”不在允许的范围内：应为 {self.low} 到 {self.high} 之间的整数{zero}"


BLUE_DAYS_BOUNDS: Final = Bounds(1, 366)
RED_ROUNDS_BOUNDS: Final = Bounds(2, 12)

# 概况 field -> its bounds (checked when the workbook is read).
META_BOUNDS: Final[Mapping[str, Bounds]] = MappingProxyType(
    {"blue_days": BLUE_DAYS_BOUNDS, "red_after_yellow_rounds": RED_ROUNDS_BOUNDS}
)


@dataclass(frozen=True, slots=True)
class SupervisionSettings:
    blue_days: int = DEFAULT_BLUE_DAYS  # blue when due within this many days; 0: no blue
    red_after_yellow_rounds: int = DEFAULT_RED_ROUNDS  # yellow this many rounds in a row; 0: off
    yellow_behind: bool = True  # an indicator 进度滞后 or 严重滞后
    yellow_late_report: bool = True  # the round's due date passed without the unit's report
    yellow_returned_close: bool = True  # a 销号 request returned in the latest round
    # Where the numbers come from, for the rule list: "" (deployment) or "概况".
    blue_days_from: str = ""
    red_rounds_from: str = ""

    def with_meta(self, meta: Meta) -> SupervisionSettings:
        """These settings with the workbook's 概况 keys (蓝色预警天数, 连续黄色转红轮数)
        put over them."""
        changed = self
        if meta.blue_days is not None and BLUE_DAYS_BOUNDS.allows(meta.blue_days):
            changed = replace(changed, blue_days=meta.blue_days, blue_days_from="概况")
        rounds = meta.red_after_yellow_rounds
        if rounds is not None and RED_ROUNDS_BOUNDS.allows(rounds):
            changed = replace(changed, red_after_yellow_rounds=rounds, red_rounds_from="概况")
        return changed

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None
    ) -> tuple[SupervisionSettings, tuple[str, ...]]:
        """The settings, and a Chinese line for each malformed one (its default is used)."""
        env = os.environ if environ is None else environ
        problems: list[str] = []
        blue = _whole(env, BLUE_DAYS_ENV, BLUE_DAYS_BOUNDS, DEFAULT_BLUE_DAYS, problems)
        rounds = _whole(env, RED_ROUNDS_ENV, RED_ROUNDS_BOUNDS, DEFAULT_RED_ROUNDS, problems)
        settings = cls(
            blue,
            rounds,
            yellow_behind=_switch(env, YELLOW_BEHIND_ENV, problems),
            yellow_late_report=_switch(env, YELLOW_LATE_ENV, problems),
            yellow_returned_close=_switch(env, YELLOW_RETURNED_ENV, problems),
        )
        return settings, tuple(problems)

    @classmethod
    def logged_from_env(cls, environ: Mapping[str, str] | None = None) -> SupervisionSettings:
        """``from_env``, each problem logged once per process."""
        settings, problems = cls.from_env(environ)
        for problem in problems:
            if problem not in _LOGGED:
                _LOGGED.add(problem)
                _log.warning("%s", problem)
        return settings


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 20 else raw[:20] + "…")


def _whole(
    env: Mapping[str, str], name: str, bounds: Bounds, default: int, problems: list[str]
) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if raw.isascii() and raw.isdecimal() and len(raw) <= 4 and bounds.allows(int(raw)):
        return int(raw)
    zero = "，0 为不启用" if bounds.zero_off else ""
    problems.append(
        f"设置 {name}={_shown(raw)} 无效（应为 {bounds.low} 到 {bounds.high} 之间的整数{zero}），"
        f"已使用默认值 {default}"
    )
    return default


def _switch(env: Mapping[str, str], name: str, problems: list[str]) -> bool:
    raw = env.get(name, "").strip()
    if not raw or raw.lower() in _TRUE:
        return True
    if raw.lower() in _FALSE:
        return False
    problems.append(f"设置 {name}={_shown(raw)} 无效（应为 1 或 0），已使用默认值 1（启用）")
    return True
