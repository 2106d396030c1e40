"""Published versions and the audit log in words: the history page's tables, a publish's
changes in one line, and one audit entry as Markdown (what happened meanwhile).

The history page is open to visitors, so the tables name people through ``Names``:
visitors see an account's display name (its role when it has none), never the name it
signs in with, nor the system user a command-line publish was made as.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from metrics.publishing import split_note
from metrics.store.accounts import Account
from metrics.store.versions import SYSTEM_ACTOR, AuditEntry, Version, beijing_time
from report.literal import md

SOMEONE = "工作人员"  # an actor visitors may not see by name


@dataclass(frozen=True, slots=True)
class Names:
    """How actors and channels are shown. ``accounts``: the local accounts by name;
    ``reveal``: the reader is the office, who see "显示名（账号）" and everything recorded."""

    accounts: Mapping[str, Account] = field(default_factory=dict)
    reveal: bool = False

    def actor(self, actor: str) -> str:
        account = self.accounts.get(actor)
        if account is not None:
            shown = account.display_name
            if self.reveal:
                return f"{shown}（{actor}）" if shown and shown != actor else actor
            return shown or account.role.label
        if self.reveal or actor == SYSTEM_ACTOR:
            return actor
        return public_actor(actor)

    def channel(self, channel: str) -> str:
        """ "命令行，系统用户 deploy" for the office, "命令行" for visitors; "—" unknown."""
        if not channel:
            return "—"
        return channel if self.reveal else channel.split("，", 1)[0]


def public_actor(actor: str) -> str:
    """An actor that is no local account, for visitors: the name before any bracket
    ("张三（zhangsan@huiji.gov.cn）" → "张三", as organisation sign-on and command-line
    round actors are recorded); an e-mail address or nothing left → "工作人员"."""
    name = actor.split("（", 1)[0].split("(", 1)[0].strip()
    return name if name and "@" not in name else SOMEONE


def versions_frame(
    versions: Sequence[Version], current_id: int | None, names: Names | None = None
) -> pd.DataFrame:
    who = names or Names()
    rows = []
    for v in versions:
        words, channel = split_note(v.note)
        rows.append(
            {
                "版本": f"v{v.id}" + ("（当前）" if v.id == current_id else ""),
                "发布人": who.actor(v.actor),
                "时间": beijing_time(v.created_at),
                "说明": words,
                "文件": v.file_name,
                "完成": f"{v.counts.get('completed', '—')}/{v.counts.get('total', '—')}",
                "变化": change_summary(v.counts),
                "方式": who.channel(channel),
            }
        )
    return pd.DataFrame(rows)


def audit_frame(entries: Sequence[AuditEntry], names: Names | None = None) -> pd.DataFrame:
    who = names or Names()
    rows = []
    for e in entries:
        words, channel = split_note(e.note)
        rows.append(
            {
                "时间": beijing_time(e.at),
                "操作人": who.actor(e.actor),
                "操作": e.action,
                "版本": f"v{e.version_id}",
                "原版本": f"v{e.previous_id}" if e.previous_id else "—",
                "说明": words,
                "方式": who.channel(channel),
            }
        )
    return pd.DataFrame(rows)


def change_summary(counts: Mapping[str, int]) -> str:
    """What a publish changed, from the counts kept with the version ("—" if unknown)."""
    if "status_changes" not in counts:
        return "—"
    parts = [
        f"状态变化 {counts['status_changes']}",
        f"指标变化 {counts.get('indicator_changes', 0)}",
    ]
    if counts.get("reopened"):
        parts.append(f"改回未完成 {counts['reopened']}")
    if counts.get("added"):
        parts.append(f"新增 {counts['added']}")
    if counts.get("removed"):
        parts.append(f"删除 {counts['removed']}")
    return "，".join(parts)


def event_markdown(entry: AuditEntry) -> str:
    """One audit entry for Markdown (shown to signed-in staff): actor and note escaped,
    time in Beijing time, the channel after the note."""
    did = {"发布": "发布了", "回退": "回退到", "初始化": "初始化为"}.get(entry.action, entry.action)
    words, channel = split_note(entry.note)
    note = f"，说明：“{md(words)}”" if words else "，未写说明"
    via = f"（{md(channel)}）" if channel else ""
    return (
        f"{md(entry.actor)} 于 {beijing_time(entry.at)}（北京时间）{did} **v{entry.version_id}**"
        + note
        + via
    )
