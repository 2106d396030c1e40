"""The upload page's flow: check the file, compare it with the version it is reviewed
against, preview the overview, publish, and say when someone else published meanwhile.

The page reads the upload box (keyed by ``upload_box_key``) and calls ``review_upload``;
the steps themselves are in ``ui.review``.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from metrics.intake.limits import IntakeLimits
from metrics.model import Dataset
from metrics.rounds.upload_checks import upload_warnings
from metrics.scoring.changes import compare
from metrics.scoring.progress import score
from metrics.store.accounts import open_accounts_from_env
from report.literal import md
from ui.auth import office_or_sign_in, sign_out_button
from ui.data_source import Loaded
from ui.downloads import XLSX_MIME, template_download_button
from ui.review import (
    checked_upload,
    forget_review,
    publish_form,
    review_basis,
    sha256,
    show_changes,
    show_count_warnings,
    show_moved_on,
    show_preview,
    show_problems,
    show_published_message,
    upload_round,
)
from ui.rounds_access import round_service, rounds_available


def upload_downloads(loaded: Loaded) -> None:
    """The blank template and the current data, side by side."""
    with st.container(horizontal=True, wrap=True):
        template_download_button(key="upload_template")
        st.download_button(
            "下载当前数据",
            data=loaded.path.read_bytes() if loaded.path.exists() else b"",
            file_name=f"整改进展_{loaded.version.replace(' · ', '_')}.xlsx",
            mime=XLSX_MIME,
            key="upload_current",
            help="从最新数据开始修改，避免覆盖别人刚发布的内容",
        )


def staff_or_sign_in() -> str | None:
    """The signed-in staff member (with the sign-out button and the message of the last
    publish), or None after showing the sign-in form."""
    staff = office_or_sign_in("upload_sign_in", "上传和发布")
    if staff is None:
        return None
    sign_out_button("upload_sign_out")
    show_published_message()
    return staff


def round_warnings(new: Dataset) -> list[str]:
    """What publishing ``new`` would do to reporting rounds and unit accounts."""
    if not rounds_available():
        return []
    accounts = [a for a in open_accounts_from_env().accounts() if a.units]
    return upload_warnings(round_service().db, new, accounts)


def upload_size_mb() -> int:
    """The workbook upload box's limit in whole MB (the intake checks the exact bytes)."""
    limits, _ = IntakeLimits.checked_from_env()
    return max(1, -(-limits.max_upload_bytes // (1024 * 1024)))


def upload_box_key() -> str:
    """The upload box's key: a new one after each publish empties the box."""
    return f"upload_file_{upload_round()}"


def review_upload(upload: UploadedFile | None, loaded: Loaded, staff: str) -> None:
    """Everything below the upload box, for the file in it (``loaded``: the current data)."""
    limits, setting_problems = IntakeLimits.checked_from_env()
    for setting_problem in setting_problems:  # a malformed ZHENGGAI_* setting: say so, go on
        st.error(f"服务器设置有误，请技术人员修正：{md(setting_problem)}")
    st.caption(limits.describe())
    if upload is None:
        forget_review()
        return
    data = upload.getvalue()
    digest = sha256(data)
    with st.status("正在检查文件……", expanded=False) as progress:
        st.write("识别文件类型、检查压缩包和大小限制，在独立进程中读取……")
        result = checked_upload(data)
        progress.update(
            label="检查完成" if result.ok else "检查未通过",
            state="complete" if result.ok else "error",
        )

    if result.problems:
        st.subheader(f"检查结果：错误 {len(result.errors)} 个，警告 {len(result.warnings)} 个")
        show_problems(result.problems, "upload_problems")
    if result.dataset is None:
        st.error("文件有错误，不能发布。请按上表修改后重新上传。")
        return

    # Compared with the version the review was first shown against, not whatever is
    # current in this run: publishing is checked against that same version.
    basis = review_basis(digest, loaded)
    new = score(result.dataset)
    changes = compare(basis.scored, new) if basis.scored is not None else None
    show_count_warnings(result)
    for warning in round_warnings(result.dataset):
        st.warning(md(warning))
    st.subheader("发布后的变化")
    if changes is not None:
        show_changes(changes, basis, loaded)
    st.subheader("预览：发布后的总览")
    show_preview(basis, new)
    notice = st.container()  # above the form; filled once the outcome of 发布 is known
    refused = publish_form(
        data, upload.name, staff=staff, basis=basis, result=result, changes=changes
    )
    if refused is not None or basis.version_id != loaded.version_id:
        with notice:
            show_moved_on(digest, basis, loaded, refused)
