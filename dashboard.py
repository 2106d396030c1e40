"""整改进展看板 — entry point: ``streamlit run dashboard.py``.

Pages live in ``pages/`` and are registered here explicitly with ``st.navigation``
(so Streamlit's automatic page discovery is not used).
"""

from __future__ import annotations

import streamlit as st

from ui.downloads import template_download_button

st.set_page_config(page_title="整改进展看板", page_icon="📋", layout="wide")

navigation = st.navigation(
    [
        st.Page("pages/overview.py", title="总览", icon="📊", default=True),
    ]
)
with st.sidebar:
    template_download_button()
navigation.run()
