"""Digits that are not ASCII ("²", "٣", "𐩀") are refused in words, never by a ValueError."""

from __future__ import annotations

import pytest

from metrics.values.cells import CellError, read_count
from metrics.workbook.ooxml.cell_scan import _row_number


@pytest.mark.parametrize("raw", ["𐩀", "٣", "１２３４５６７８９０", "3.5"])
def test_a_count_of_odd_digits_is_refused_in_words(raw: str) -> None:
    with pytest.raises(CellError, match="不是整数"):
        read_count(raw)


@pytest.mark.parametrize("raw", [-1.0, -1, "-1"])
def test_a_negative_count_is_called_negative_as_the_cell_shows_it(raw: object) -> None:
    """Not "“-1.0”不是整数": -1 is a whole number, only below zero."""
    with pytest.raises(CellError, match=r"^“-1”是负数：请填写 0 或正整数"):
        read_count(raw)


@pytest.mark.parametrize("raw, expected", [("35", 35), ("３５项", 35), (35.0, 35), ("0", 0)])
def test_counts_still_read(raw: object, expected: int) -> None:
    assert read_count(raw) == expected


@pytest.mark.parametrize("raw", ["²", "𐩀", "٣"])
def test_an_odd_row_number_in_a_sheet_counts_on(raw: str) -> None:
    assert _row_number(raw, 7) == 8
