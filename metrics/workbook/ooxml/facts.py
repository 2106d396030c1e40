"""What the OOXML scanner reports: the facts, the cell issues and the Chinese messages.

Also ``column_letter`` (1 -> "A") and the sheet-size limits of Excel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

IssueKind: TypeAlias = Literal["error", "formula_without_value"]
SheetState: TypeAlias = Literal["visible", "hidden", "veryHidden"]

DETAIL_MAX_CHARS: Final = 200

MAX_ROW: Final = 1_048_576
MAX_COL: Final = 16_384

# User-facing messages (Chinese, shown to staff as is).
MSG_NOT_XLSX: Final = "文件不是有效的 .xlsx（Excel 2007 及以上）工作簿"
MSG_EMPTY: Final = "文件是空的（0 字节），不是有效的 .xlsx 工作簿"
MSG_CFB: Final = (
    "文件不是 .xlsx 压缩包，而是 OLE2 复合文档：可能是设置了打开密码的工作簿，"
    "或是改了扩展名的旧版 .xls 文件。请去除密码或在 Excel 中另存为 .xlsx 后重新上传"
)
MSG_CORRUPT: Final = "文件已损坏，无法作为 .xlsx 工作簿读取"
MSG_NO_WORKBOOK: Final = "文件中找不到工作簿主体（xl/workbook.xml），不是有效的 .xlsx 工作簿"
MSG_DTD: Final = "文件包含 DTD/实体声明，出于安全原因拒绝读取"
MSG_TOO_LARGE: Final = "文件中的部件“{part}”解压后超过 200 MB，出于安全原因拒绝读取"
MSG_TOTAL_TOO_LARGE: Final = "文件解压后的总大小超过 1 GB，出于安全原因拒绝读取"
MSG_BAD_XML: Final = "文件中的部件“{part}”不是格式正确的 XML，文件可能已损坏"
MSG_BAD_ENCODING: Final = "文件中的部件“{part}”使用了无法识别的字符编码，文件可能已损坏"
MSG_ENCRYPTED_MEMBER: Final = "文件中的部件“{part}”被加密，无法读取"
MSG_UNSUPPORTED_COMPRESSION: Final = "文件中的部件“{part}”使用了不支持的压缩方式"
MSG_NO_SHEET_REL: Final = "工作簿中工作表“{sheet}”的关系记录缺失，文件可能已损坏"
MSG_NO_SHEET_PART: Final = "找不到工作表“{sheet}”的数据部件（{part}），文件可能已损坏"
MSG_SHEET_NO_NAME: Final = "工作簿中有一个工作表没有名称，文件可能已损坏"
MSG_CANNOT_OPEN: Final = "无法打开文件：{path}"


class XlsxScanError(ValueError):
    """The package cannot be understood; the message is Chinese and meant for staff."""


@dataclass(frozen=True, slots=True)
class CellIssue:
    """A cell whose value python-calamine would silently report as an empty string."""

    sheet: str
    row: int
    column: int
    kind: IssueKind
    detail: str


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """A worksheet as listed in the workbook."""

    name: str
    part: str
    state: SheetState


@dataclass(frozen=True, slots=True)
class XlsxFacts:
    """Workbook-level facts plus the cell issues of the scanned sheets."""

    date1904: bool
    sheets: tuple[SheetInfo, ...]
    cell_issues: tuple[CellIssue, ...]


def column_letter(index: int) -> str:
    """Return the Excel column letters for a 1-based column index (1 -> "A", 27 -> "AA")."""
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError("column index must be an int")
    if not 1 <= index <= MAX_COL:
        raise ValueError(f"column index must be between 1 and {MAX_COL}, got {index}")
    letters: list[str] = []
    while index:
        index, rem = divmod(index - 1, 26)
        letters.append(chr(ord("A") + rem))
    return "".join(reversed(letters))
