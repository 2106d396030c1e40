"""Published versions and the audit log in words: the history page's tables, a publish's
changes in one line, and one audit entry as Markdown (what happened meanwhile)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from metrics.store.versions import AuditEntry, Version, beijing_time
from report.literal import md


def versions_frame(versions: Sequence[Version], current_id: int | None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "版本": f"v{v.id}" + ("（当前）" if v.id == current_id else ""),
                "发布人": v.actor,
                "时间": beijing_time(v.created_at),
                "说明": v.note,
                "文件": v.file_name,
                "完成": f"{v.counts.get('completed', '—')}/{v.counts.get('total', '—')}",
                "变化": change_summary(v.counts),
            }
            for v in versions
        ]
    )


def audit_frame(entries: Sequence[AuditEntry]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "时间": beijing_time(e.at),
                "操作人": e.actor,
                "操作": e.action,
                "版本": f"v{e.version_id}",
                "原版本": f"v{e.previous_id}" if e.previous_id else "—",
                "说明": e.note,
            }
            for e in entries
        ]
    )


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
    """One audit entry for Markdown: actor and note escaped, time in Beijing time."""
    did = {"发布": "发布了", "回退": "回退到", "初始化": "初始化为"}.get(entry.action, entry.action)
    note = f"，说明：“{md(entry.note)}”" if entry.note else "，未写说明"
    return (
        f"{md(entry.actor)} 于 {beijing_time(entry.at)}（北京时间）{did} **v{entry.version_id}**"
        + note
    )
