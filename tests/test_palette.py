"""Every colour pair that carries text reaches WCAG 2.1 AA (4.5:1 for normal text).

axe-core checks the pages' HTML in the browser (tests/browser/test_accessibility.py) but
cannot see the background of text inside plotly's SVG (it reports it as "incomplete"),
nor the exports: so the palette's text pairs are checked here, numerically.
"""

from __future__ import annotations

import importlib
import pkgutil
import tomllib
from pathlib import Path

import pytest

import report
from report.palette import (
    AA_NORMAL_TEXT,
    BAND_SHADES,
    BLUE,
    GREY,
    HEADER_NAVY,
    INK,
    MUTED,
    MUTED_INK,
    ROW_BAND,
    WHITE,
    Swatch,
    contrast_ratio,
    relative_luminance,
)
from ui.theme import PAGE_CSS

REPO_ROOT = Path(__file__).resolve().parent.parent
THEME = tomllib.loads((REPO_ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))[
    "theme"
]


def all_swatches() -> list[tuple[str, Swatch]]:
    """Every swatch any ``report`` module defines in a table (status → swatch): the
    palette's, and those of modules that add their own statuses."""
    found: dict[tuple[str, str, str], tuple[str, Swatch]] = {}
    for info in pkgutil.iter_modules(report.__path__, "report."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, Swatch):
                        found[(item.label, item.colour, item.text_colour)] = (
                            f"{info.name}.{name}[{key}]",
                            item,
                        )
    return sorted(found.values(), key=lambda pair: pair[0])


SWATCHES = all_swatches()


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ffffff", "#777777") == contrast_ratio("#777777", "#ffffff")
    # What axe-core measured on the pages before: a caption and the white-on-grey badge.
    assert contrast_ratio("#777b83", WHITE) == pytest.approx(4.24, abs=0.01)
    assert contrast_ratio(WHITE, "#8C8C8C") == pytest.approx(3.36, abs=0.01)
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)
    with pytest.raises(ValueError, match="rrggbb"):
        relative_luminance("#fff")


def test_the_swatch_tables_are_found() -> None:
    labels = {swatch.label for _, swatch in SWATCHES}
    assert {"已达标", "严重滞后", "无目标", "灰", "红", "已完成", "未启动"} <= labels


@pytest.mark.parametrize(("where", "swatch"), SWATCHES, ids=[w for w, _ in SWATCHES])
def test_badge_text_is_readable_on_its_status_colour(where: str, swatch: Swatch) -> None:
    """Badges on the pages and in the offline report, labels inside chart bars and
    matrix squares, data labels on slides: ``text_colour`` on ``colour``."""
    ratio = contrast_ratio(swatch.text_colour, swatch.colour)
    assert ratio >= AA_NORMAL_TEXT, (
        f"{where} {swatch.tag}: {swatch.text_colour} on {swatch.colour} is {ratio:.2f}:1"
    )


def test_the_grey_badge_keeps_its_grey() -> None:
    """灰 (no deadline) stays a neutral grey: its text turned dark, not its colour."""
    grey = next(s for _, s in SWATCHES if s.label == "灰")
    assert (grey.colour, grey.text_colour) == (GREY, INK)


TEXT_PAIRS = [
    # (what, text, background)
    ("chart text, page text", INK, WHITE),
    ("chart axis titles and small labels, page captions", MUTED_INK, WHITE),
    ("labels inside the ranking bars", WHITE, BLUE),
    ("document secondary text", MUTED, WHITE),
    ("offline report table headings, slide table bands", INK, ROW_BAND),
    ("slide table bands, secondary text", MUTED, ROW_BAND),
    ("Excel summary heading rows", WHITE, HEADER_NAVY),
    *(("labels beside bullet-chart bands", INK, shade) for shade in BAND_SHADES),
]


@pytest.mark.parametrize(("what", "text", "background"), TEXT_PAIRS, ids=[p[0] for p in TEXT_PAIRS])
def test_text_colours_are_readable(what: str, text: str, background: str) -> None:
    ratio = contrast_ratio(text, background)
    assert ratio >= AA_NORMAL_TEXT, f"{what}: {text} on {background} is {ratio:.2f}:1"


def test_the_theme_matches_the_palette() -> None:
    assert THEME["base"] == "light"
    assert THEME["textColor"].lower() == INK.lower()
    assert THEME["backgroundColor"].lower() == WHITE.lower()


@pytest.mark.parametrize("background", ["backgroundColor", "secondaryBackgroundColor"])
def test_captions_are_readable_on_the_page_and_the_sidebar(background: str) -> None:
    """Captions are drawn opaque in MUTED_INK (ui.theme): on the page and on the
    sidebar's grey."""
    assert f"color: {MUTED_INK}" in PAGE_CSS and "opacity: 1" in PAGE_CSS
    assert contrast_ratio(MUTED_INK, THEME[background]) >= AA_NORMAL_TEXT
    assert contrast_ratio(THEME["textColor"], THEME[background]) >= AA_NORMAL_TEXT
