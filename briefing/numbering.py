"""Heading numbers as GB/T 9704 writes them: 一、 （一） 1. （1）."""

from __future__ import annotations

CHINESE_ORDINALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (headings never need more)."""
    if n <= 10:
        return CHINESE_ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_ORDINALS[tens - 1]
    return f"{head}十{CHINESE_ORDINALS[ones - 1] if ones else ''}"


class Numbered:
    """A heading's number as the standard writes it at each level."""

    @staticmethod
    def level1(n: int) -> str:
        return f"{chinese_number(n)}、"

    @staticmethod
    def level2(n: int) -> str:
        return f"（{chinese_number(n)}）"

    @staticmethod
    def level3(n: int) -> str:
        return f"{n}."

    @staticmethod
    def level4(n: int) -> str:
        return f"（{n}）"
