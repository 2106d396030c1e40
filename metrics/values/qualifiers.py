"""Qualifier words written with a figure: 余、多、约、近、左右、以上 … and where they go.

``Qualifier`` keeps the word, its place ("6200余亩": after the number) and the scale word
the figure was written with, so that ``format_number`` words the figure as the report did.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from metrics.values.units import (
    SCALE_WORDS,
)


class Sense(enum.StrEnum):
    """What a qualifier word says about the number it goes with."""

    MORE = "more"  # more than: 余、多、逾、超、超过、以上、至少、不少于、不低于
    ABOUT = "about"  # about: 约、大约、大概、近、将近、接近、左右、上下
    AT_MOST = "at_most"  # at most: 以下


class Place(enum.StrEnum):
    """Where a qualifier word goes when the figure is shown."""

    BEFORE = "before"  # before the number: "约60亿元", "近2倍", "超过100万人次"
    BEFORE_SCALE = "before_scale"  # between the number and its scale word: "十余万人次"
    AFTER_NUMBER = "after_number"  # after the number and its scale word: "6200余亩", "三十万余次"
    AFTER_UNIT = "after_unit"  # after the unit: "60亿元左右", "100人以上"


QUALIFIER_WORDS: Mapping[str, Sense] = MappingProxyType(
    {
        **dict.fromkeys(
            ("余", "多", "逾", "超", "超过", "以上", "至少", "不少于", "不低于"), Sense.MORE
        ),
        **dict.fromkeys(("约", "大约", "大概", "近", "将近", "接近", "左右", "上下"), Sense.ABOUT),
        "以下": Sense.AT_MOST,
    }
)


@dataclass(frozen=True, slots=True)
class Qualifier:
    """A qualifier word as written with a figure ("6200余亩": 余 after the number).

    ``scale`` is the scale word the figure was written with ("万" for "十余万" and
    "三十万余"), so that 100000 人次 written "十余万" is shown "10余万人次" (more than ten
    万) and 300000 written "三十万余" is shown "30万余" (a little over thirty 万): where
    the word sits is part of the figure.
    """

    word: str
    place: Place
    scale: str = ""

    def __post_init__(self) -> None:
        if self.word not in QUALIFIER_WORDS:
            raise ValueError(f"not a qualifier word: {self.word!r}")
        if self.scale and self.scale not in SCALE_POWERS:
            raise ValueError(f"not a scale word: {self.scale!r}")

    @property
    def sense(self) -> Sense:
        return QUALIFIER_WORDS[self.word]


SCALE_POWERS: Mapping[str, int] = MappingProxyType(dict(SCALE_WORDS))

# What a bare "approximate" flag means when no word is known: "约" before the number.
ABOUT = Qualifier("约", Place.BEFORE)
