"""What 上期 is for the version shown.

1. By round (``round_basis``): the version that was current when the latest round
   behind the data opened, i.e. the newest round whose basis is older than the version
   shown. Everything published since that round opened is this period's progress, however
   many times the office published during it.
2. Without rounds (``chain_basis``): the newest earlier version (by the audit log) whose
   数据截至 date is earlier; failing that the previous version itself (a correction on
   the same date), which is then called 上一版本, not 上期.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Sequence
from dataclasses import dataclass

from metrics.rounds.model import Round


class BasisKind(enum.Enum):
    ROUND = "round"  # the version current when a round opened
    PERIOD = "period"  # an earlier version with an earlier as-of date
    VERSION = "version"  # the previous version, same as-of date


@dataclass(frozen=True, slots=True)
class Basis:
    version_id: int
    kind: BasisKind
    round_name: str = ""  # with ROUND: the round that opened on it
    round_opened_at: str = ""  # with ROUND: when (ISO, UTC)


@dataclass(frozen=True, slots=True)
class EarlierVersion:
    """One link of the audit chain behind the version shown, newest first."""

    version_id: int
    as_of: datetime.date


def round_basis(version_id: int, rounds: Sequence[Round]) -> Basis | None:
    """上期 by round for version ``version_id`` (None: no round opened before it)."""
    earlier = [r for r in rounds if r.basis_version < version_id]
    if not earlier:
        return None
    latest = max(earlier, key=lambda r: r.id)
    return Basis(latest.basis_version, BasisKind.ROUND, latest.name, latest.opened_at)


def chain_basis(as_of: datetime.date, chain: Sequence[EarlierVersion]) -> Basis | None:
    """上期 from the versions before the one shown (``chain``: newest first): the first
    with an earlier as-of date, else the previous version (None: no earlier version)."""
    for link in chain:
        if link.as_of < as_of:
            return Basis(link.version_id, BasisKind.PERIOD)
    if chain:
        return Basis(chain[0].version_id, BasisKind.VERSION)
    return None
