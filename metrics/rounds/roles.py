"""Who may do what in a reporting round.

Four roles (``Role``): 领导 look, 单位填报员 report for their named units, 单位负责人
approve their unit's report before it reaches the office (when a round asks for it),
整改办 open rounds, review, publish. A ``Principal`` is a signed-in person with a role
and units; every write in ``metrics.rounds.service`` takes one and checks it there, in
the domain, so hiding a button is never the only protection.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from metrics.store.versions import StoreError


class Role(enum.StrEnum):
    LEADER = "leader"
    UNIT = "unit"
    UNIT_HEAD = "unit_head"
    OFFICE = "office"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Role:
        """A role from its English key or its Chinese label ("unit", "单位填报员")."""
        cleaned = text.strip()
        for role in cls:
            if cleaned in (role.value, role.label):
                return role
        choices = "、".join(f"{r.value}（{r.label}）" for r in cls)
        raise ValueError(f"无法识别的角色“{cleaned}”：可选 {choices}")


ROLE_LABELS: dict[Role, str] = {
    Role.LEADER: "领导",
    Role.UNIT: "单位填报员",
    Role.UNIT_HEAD: "单位负责人",
    Role.OFFICE: "整改办",
}

UNIT_ROLES = frozenset({Role.UNIT, Role.UNIT_HEAD})


class NotPermitted(StoreError):
    """The signed-in person may not do this; ``str(error)`` says why, in Chinese."""


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in person: the name recorded as actor, a role and (for unit roles) units.

    ``channel`` says how they act ("网页", "命令行"); ``on_behalf`` is set when an office
    member acts for a unit (uploading its workbook), so the record says so."""

    name: str
    role: Role
    units: frozenset[str] = field(default_factory=frozenset)
    channel: str = "网页"

    @property
    def label(self) -> str:
        """ "张三（区教育局 单位填报员）" — for records and messages."""
        where = "、".join(sorted(self.units))
        return f"{self.name}（{where + ' ' if where else ''}{self.role.label}）"

    def reports_for(self, unit: str) -> bool:
        return self.role is Role.UNIT and unit in self.units

    def heads(self, unit: str) -> bool:
        return self.role is Role.UNIT_HEAD and unit in self.units

    def belongs_to(self, unit: str) -> bool:
        """A unit account of ``unit`` (填报员 or 负责人)."""
        return self.role in UNIT_ROLES and unit in self.units


def require_office(who: Principal, doing: str) -> None:
    if who.role is not Role.OFFICE:
        raise NotPermitted(f"{who.label}不能{doing}：只有整改办可以{doing}")


def require_reporter(who: Principal, unit: str) -> None:
    """Reporting for ``unit``: its 填报员, or the office on the unit's behalf."""
    if who.role is Role.OFFICE or who.reports_for(unit):
        return
    raise NotPermitted(f"{who.label}不能替“{unit}”填报：只能填报本单位负责的任务")


def require_head(who: Principal, unit: str) -> None:
    if not who.heads(unit):
        raise NotPermitted(f"{who.label}不能审核“{unit}”的报送：只有该单位负责人可以审核")


def may_see_unit(who: Principal, unit: str) -> bool:
    """Drafts and evidence of ``unit``: the office, leaders, and the unit's own accounts."""
    return who.role in (Role.OFFICE, Role.LEADER) or who.belongs_to(unit)
