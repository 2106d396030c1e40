"""Tables of versions and of the audit log, for the history page."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from metrics.store import AuditEntry, Version


def versions_frame(versions: Sequence[Version], current_id: int | None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "版本": f"v{v.id}" + ("（当前）" if v.id == current_id else ""),
                "发布人": v.actor,
                "时间（UTC）": v.created_at.replace("T", " ")[:19],
                "说明": v.note,
                "文件": v.file_name,
                "完成": f"{v.counts.get('completed', '—')}/{v.counts.get('total', '—')}",
            }
            for v in versions
        ]
    )


def audit_frame(entries: Sequence[AuditEntry]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "时间（UTC）": e.at.replace("T", " ")[:19],
                "操作人": e.actor,
                "操作": e.action,
                "版本": f"v{e.version_id}",
                "原版本": f"v{e.previous_id}" if e.previous_id else "—",
                "说明": e.note,
            }
            for e in entries
        ]
    )
