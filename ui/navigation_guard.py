"""Make sure a page runs inside the dashboard's own navigation.

Streamlit decides per process whether an app uses the old "pages/ folder" mode: until
``st.navigation`` has been called once, a folder named ``pages`` next to the entry
script switches it on. On a freshly started server, the first visitor who opens a
deep link (``/issue?task=9``) would then get the page script run on its own, with
Streamlit's automatic file-name navigation and without our sidebar. Every page calls
``require_app_navigation()`` first: in that situation it switches the old mode off
(``dashboard.py`` registers all pages explicitly) and reruns, so the entry script
runs and ``st.navigation`` takes over. The browser tests open deep links on a fresh
server to keep this honest.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

_RERUN_KEY = "navigation_guard_rerun"


def require_app_navigation() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        # Once per session: a server sets the flag back never, so this only matters under
        # streamlit.testing's AppTest, which resets it before every run; rerunning there
        # each time would drop the click that started the run.
        if not st.session_state.get(_RERUN_KEY):
            st.session_state[_RERUN_KEY] = True
            st.rerun()
