"""Dates as staff type them into spreadsheets.

``parse_date`` accepts date/datetime objects, Excel serial numbers (1900 or 1904
system), and text such as "2021-05-31", "2021/5/31", "2021.5.31", "2021年5月31日",
"20210531" or "2021-05-31 08:00:00". Anything else raises ``DateError`` with a
Chinese message.
"""

from __future__ import annotations

import calendar
import datetime
import math
import numbers
import re
import unicodedata

from metrics.values.text import shorten

MIN_YEAR = 1900
MAX_YEAR = 2200
MAX_TEXT_LENGTH = 40
# Excel's largest serial is 9999-12-31: 2958465 in the 1900 system.
MAX_SERIAL_1900 = 2958465
MAX_SERIAL_1904 = MAX_SERIAL_1900 - 1462

_EXAMPLES = "如 2021-05-31 或 2021年5月31日"
_EXCEL_1900_EPOCH = datetime.date(1899, 12, 30)  # serial 61 -> 1900-03-01
_EXCEL_1904_EPOCH = datetime.date(1904, 1, 1)  # serial 0 -> 1904-01-01
_LOTUS_LEAP_DAY = 60  # 1900-02-29, which does not exist

_TIME = r"(?:(?:T|\s+)(?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_FULL_DATES = (
    re.compile(
        rf"(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_TIME}",
        re.ASCII,
    ),
    re.compile(
        rf"(?P<y>\d{{4}})\s*年\s*(?P<m>\d{{1,2}})\s*月\s*(?P<d>\d{{1,2}})\s*[日号]?{_TIME}",
        re.ASCII,
    ),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})", re.ASCII),
)
_COMPACT_YEAR_MONTH = re.compile(r"(\d{4})(\d{2})", re.ASCII)
_YEAR_MONTHS = (
    re.compile(r"(\d{4})[-/.](\d{1,2})", re.ASCII),
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月份?", re.ASCII),
    _COMPACT_YEAR_MONTH,
)
_SERIAL = re.compile(r"\d+(?:\.\d+)?", re.ASCII)


class DateError(ValueError):
    """A cell cannot be read as a date; ``str(error)`` is a Chinese message."""


def parse_date(raw: object, *, date1904: bool = False, allow_month: bool = False) -> datetime.date:
    """Read one cell as a date; raises DateError (Chinese message) on anything else.

    With ``allow_month=True`` a year and month alone ("2021年5月", "2021-05") is
    accepted and means the last day of that month.
    """
    if type(raw) is datetime.date:
        return _check_year(raw)
    if isinstance(raw, str):
        return _from_text(raw, date1904, allow_month)
    if isinstance(raw, datetime.datetime):
        return _check_year(raw.date())
    if isinstance(raw, datetime.date):
        return _check_year(datetime.date(raw.year, raw.month, raw.day))
    if raw is None:
        raise DateError(f"未填写日期：请填写日期，{_EXAMPLES}")
    if isinstance(raw, bool):
        raise DateError(f"逻辑值“{str(raw).upper()}”不是日期：请填写日期，{_EXAMPLES}")
    if isinstance(raw, numbers.Real):
        try:
            serial = float(raw)
        except (OverflowError, ValueError, TypeError):
            serial = math.inf
        return _from_serial(serial, date1904)
    raise DateError(f"无法识别的日期“{_shorten(str(raw))}”：请填写日期，{_EXAMPLES}")


def to_excel_serial(day: datetime.date, *, date1904: bool = False) -> int:
    """The Excel serial number of ``day`` (inverse of ``parse_date`` on serials)."""
    if date1904:
        return (day - _EXCEL_1904_EPOCH).days
    serial = (day - _EXCEL_1900_EPOCH).days
    return serial if serial > _LOTUS_LEAP_DAY else serial - 1


def _from_text(raw: str, date1904: bool, allow_month: bool) -> datetime.date:
    if len(raw) > MAX_TEXT_LENGTH:
        raise DateError(
            f"内容过长（共 {len(raw)} 个字符，最多 {MAX_TEXT_LENGTH} 个）："
            f"请只填写一个日期，{_EXAMPLES}"
        )
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-" and raw.isascii():
        try:
            return _check_year(datetime.date.fromisoformat(raw))
        except ValueError:
            pass  # the general path explains what is wrong
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise DateError(f"未填写日期：请填写日期，{_EXAMPLES}")
    for pattern in _FULL_DATES:
        match = pattern.fullmatch(text)
        if match is not None:
            return _make_date(int(match["y"]), int(match["m"]), int(match["d"]), text)
    return _from_partial_text(text, date1904, allow_month)


def _from_partial_text(text: str, date1904: bool, allow_month: bool) -> datetime.date:
    """Year-month text, or a serial number written as text."""
    for pattern in _YEAR_MONTHS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        year, month = int(match[1]), int(match[2])
        if pattern is _COMPACT_YEAR_MONTH and not (
            MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12
        ):
            continue  # six digits that are not a year and month: an Excel serial
        if not allow_month:
            raise DateError(f"只填写了年月“{text}”：请填写完整日期，如 {year}年{month}月1日")
        _check_month(year, month, text)
        return _make_date(year, month, calendar.monthrange(year, month)[1], text)
    if _SERIAL.fullmatch(text):
        return _from_serial(float(text), date1904)
    raise DateError(f"无法识别的日期“{_shorten(text)}”：请填写日期，{_EXAMPLES}")


def _make_date(year: int, month: int, day: int, text: str) -> datetime.date:
    _check_month(year, month, text)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise DateError(f"日期“{text}”不存在：{year}年{month}月只有 {last} 天，请检查日期")
    return datetime.date(year, month, day)


def _check_month(year: int, month: int, text: str) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _year_error(year)
    if not 1 <= month <= 12:
        raise DateError(f"日期“{text}”不存在：月份应为 1 至 12，请检查月份")


def _from_serial(serial: float, date1904: bool) -> datetime.date:
    """Excel serial number (a fraction is the time of day and is dropped)."""
    if math.isnan(serial):
        raise DateError(f"未填写日期或日期无效：请填写日期，{_EXAMPLES}")
    if math.isinf(serial):
        raise DateError(f"数字超出范围，不是有效的日期：请填写日期，{_EXAMPLES}")
    whole = math.floor(serial)
    low, high = (0, MAX_SERIAL_1904) if date1904 else (1, MAX_SERIAL_1900)
    if not low <= whole <= high:
        raise DateError(
            f"数字“{_number_text(serial)}”不是有效的日期"
            f"（Excel 日期序号应在 {low} 至 {high} 之间）："
            f"请填写日期，{_EXAMPLES}"
        )
    if MIN_YEAR <= whole <= MAX_YEAR:
        raise DateError(f"“{whole}”看起来是年份，不是完整日期：请填写完整日期，如 {whole}-12-31")
    if date1904:
        return _check_year(_EXCEL_1904_EPOCH + datetime.timedelta(days=whole))
    if whole == _LOTUS_LEAP_DAY:
        raise DateError("Excel 日期序号 60 对应 1900年2月29日，该日期不存在：请填写正确的日期")
    if whole < _LOTUS_LEAP_DAY:
        whole += 1  # before Excel's phantom 1900-02-29
    return _check_year(_EXCEL_1900_EPOCH + datetime.timedelta(days=whole))


def _check_year(day: datetime.date) -> datetime.date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise _year_error(day.year)
    return day


def _year_error(year: int) -> DateError:
    return DateError(
        f"年份 {year} 超出范围：请填写 {MIN_YEAR} 年至 {MAX_YEAR} 年之间的日期，{_EXAMPLES}"
    )


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else str(value)


def _shorten(text: str) -> str:
    """At most 30 characters of the stripped text, then "…" when cut."""
    return shorten(text.strip(), 31)
