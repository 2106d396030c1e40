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


def require_app_navigation() -> None:
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
