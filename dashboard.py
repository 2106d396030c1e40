"""整改进展看板 — entry point: ``streamlit run dashboard.py``.

Pages live in ``pages/`` and are registered here explicitly with ``st.navigation``
(so Streamlit's automatic page discovery is not used); their URL paths are short
ASCII words so that links survive being pasted into chat apps.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui.auth import sign_in_page, signed_in, signin_required
from ui.data_source import shown
from ui.sidebar import render_sidebar

# A local file: an emoji or Material icon here would make browsers fetch it from the web.
FAVICON = Path(__file__).parent / "assets" / "favicon.png"
st.set_page_config(page_title="整改进展看板", page_icon=str(FAVICON), layout="wide")

PAGES = [
    # (file in pages/, title, Material icon bundled with Streamlit, URL path)
    ("overview", "总览", "dashboard", ""),
    ("tasks", "整改任务", "checklist", "tasks"),
    ("issue", "问题详情", "search", "issue"),
    ("indicators", "指标", "monitoring", "indicators"),
    ("units", "单位评比", "leaderboard", "units"),
    ("export", "导出材料", "download", "export"),
    ("report", "填报", "edit_note", "report"),
    ("rounds", "填报审核", "fact_check", "rounds"),
    ("upload", "上传数据", "upload", "upload"),
    ("history", "历史版本", "history", "history"),
]
# With ZHENGGAI_REQUIRE_SIGNIN=1 a visitor who is not signed in gets the sign-in form
# and nothing else: no navigation, no figures, no drafts, no evidence, not even the
# sidebar's title. The page asked for (a shared /issue?task=9 link) opens after sign-in.
locked = signin_required() and signed_in() is None
navigation = st.navigation(
    [
        st.Page(
            f"pages/{name}.py",
            title=title,
            icon=f":material/{icon}:",
            url_path=path or None,
            default=not path,
        )
        for name, title, icon, path in PAGES
    ],
    position="hidden" if locked else "sidebar",
)
if locked:
    sign_in_page()
    st.stop()
render_sidebar(shown())
navigation.run()
