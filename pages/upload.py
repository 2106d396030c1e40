"""上传数据: staff check a new workbook, review what changes, and publish it."""

from __future__ import annotations

import streamlit as st

from ui.data_source import current
from ui.navigation_guard import require_app_navigation
from ui.upload_flow import (
    review_upload,
    staff_or_sign_in,
    upload_box_key,
    upload_downloads,
    upload_size_mb,
)

require_app_navigation()

st.title("上传数据")
loaded = current()
upload_downloads(loaded)
staff = staff_or_sign_in()
if staff is None:
    st.stop()
upload = st.file_uploader(
    "选择工作簿（.xlsx）", type=["xlsx"], key=upload_box_key(), max_upload_size=upload_size_mb()
)
review_upload(upload, loaded, staff)
