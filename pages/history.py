"""历史版本: every published version, its file, and rollback."""

from __future__ import annotations

import streamlit as st

from ui.data_source import current
from ui.history_view import history_page
from ui.navigation_guard import require_app_navigation

require_app_navigation()

st.title("历史版本")
history_page(current())
