"""What the theme in ``.streamlit/config.toml`` cannot set: readable captions, and on a
phone a page title that leaves the first screen to the content.

Streamlit draws ``st.caption`` in the theme's text colour at 60 % opacity: #1d2330 on
white comes out as #777b83, 4.24:1, under WCAG 2.1 AA's 4.5:1 for normal text (less on
the sidebar's grey), and inline code in a caption faded with it to 3:1. No theme option
sets the caption colour, so one style sheet (sent with every page by the sidebar and by
the sign-in-only page) draws captions opaque in the palette's secondary text colour,
``MUTED_INK``: 6.0:1 on white, 5.5:1 on the sidebar. tests/browser/test_accessibility.py
checks every page with axe-core; tests/test_palette.py checks the ratios.
"""

from __future__ import annotations

import streamlit as st

from report.palette import MUTED_INK

# Two attribute selectors outrank Streamlit's single generated class on the same element.
# On a phone the page title is not the first screen's main content: a smaller title and
# less room above it bring "需要关注" up (a 20-character title took 3 lines, 194 px).
PHONE_TITLE_REM = 1.625
PHONE_TOP_REM = 4.0  # below Streamlit's 3.75 rem header, which holds the menu button
PAGE_CSS = (
    '[data-testid="stApp"] [data-testid="stCaptionContainer"]'
    f" {{ opacity: 1; color: {MUTED_INK}; }}"
    " @media (max-width: 640px) {"
    ' [data-testid="stApp"] [data-testid="stMainBlockContainer"]'
    f" {{ padding-top: {PHONE_TOP_REM}rem; }}"
    ' [data-testid="stApp"] [data-testid="stHeading"] h1'
    f" {{ font-size: {PHONE_TITLE_REM}rem; line-height: 1.3; padding-top: 0.25rem; }}"
    " }"
)


def apply_page_style() -> None:
    """Send the page style (a style-only ``st.html`` takes no room on the page)."""
    st.html(f"<style>{PAGE_CSS}</style>")
