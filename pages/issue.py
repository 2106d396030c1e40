"""问题详情: one task, reachable by a shareable link such as /issue?task=9."""

from __future__ import annotations

import streamlit as st

from report.views import parse_task_id
from ui.duban_view import duban_section
from ui.issue_view import issue_page
from ui.navigation_guard import require_app_navigation
from ui.page_header import scored_or_stop

require_app_navigation()

loaded, scored = scored_or_stop()
task_id = parse_task_id(st.query_params.get("task"))
issue_page(loaded, scored, task_id)
duban_section(loaded, scored, task_id)
