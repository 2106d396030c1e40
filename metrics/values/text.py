"""Cutting text to a length, the one way every layer does it."""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(text: object, limit: int, *, ellipsis: str = ELLIPSIS, fold_space: bool = False) -> str:
    """At most ``limit`` characters of ``text`` (the ellipsis included), ending in
    ``ellipsis`` when cut; ``fold_space`` first turns every run of white space into one
    space (for one-line labels)."""
    value = "" if text is None else str(text)
    if fold_space:
        value = " ".join(value.split())
    if len(value) <= limit:
        return value
    return value[: max(0, limit - len(ellipsis))] + ellipsis
