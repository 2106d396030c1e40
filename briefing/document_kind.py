"""The Word report's document type: 报告 or 通报 (a small module: the command line and
the export page import it before anything heavy)."""

from __future__ import annotations

import enum


class DocumentKind(enum.StrEnum):
    """What the document is: a 报告 sent up, or a 通报 made public or sent round."""

    REPORT = "报告"
    BULLETIN = "通报"

    @classmethod
    def of_title(cls, title: str) -> DocumentKind:
        """The kind the workbook's 标题 names ("……情况的通报" → 通报); 报告 otherwise."""
        return cls.BULLETIN if title.strip().endswith("通报") else cls.REPORT
