"""上传数据: staff check a new workbook, review what changes, and publish it."""

from __future__ import annotations

import streamlit as st

from charts.completion import status_breakdown
from metrics.changes import compare
from metrics.headline import headline, rate_delta
from metrics.progress import score
from metrics.rollup import overall
from metrics.store import StaleVersion, StoreError
from metrics.views import attention_items, summary_paragraph
from ui.auth import sign_in_form, sign_out_button, signed_in_staff
from ui.data_source import counts_of, current, store
from ui.downloads import XLSX_MIME, template_download_button
from ui.figures import show
from ui.headline_cards import headline_cards
from ui.review import checked_upload, show_changes, show_problems

st.title("上传数据")
loaded = current()
downloads = st.container(horizontal=True, wrap=True)
with downloads:
    template_download_button(key="upload_template")
    st.download_button(
        "下载当前数据",
        data=loaded.path.read_bytes() if loaded.path.exists() else b"",
        file_name=f"整改进展_{loaded.version.replace(' · ', '_')}.xlsx",
        mime=XLSX_MIME,
        key="upload_current",
        help="从最新数据开始修改，避免覆盖别人刚发布的内容",
    )

staff = signed_in_staff()
if staff is None:
    st.info("上传和发布需要工作人员登录；查看看板不需要登录。")
    sign_in_form("upload_sign_in")
    st.stop()
sign_out_button("upload_sign_out")

upload = st.file_uploader("选择工作簿（.xlsx）", type=["xlsx"], key="upload_file")
if upload is None:
    st.stop()
data = upload.getvalue()
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
    st.stop()

new = score(result.dataset)
st.subheader("发布后的变化")
if loaded.scored is not None:
    show_changes(compare(loaded.scored, new))
st.subheader("预览：发布后的总览")
preview = headline(new)
before_rate = headline(loaded.scored) if loaded.scored is not None else None
headline_cards(
    preview,
    len(attention_items(new)),
    rate_delta(before_rate, preview) if before_rate else None,
    key="upload_preview_cards",
)
st.markdown(summary_paragraph(new))
show(status_breakdown(overall(new)), "upload_preview_breakdown")

with st.form("upload_publish"):
    note = st.text_input("发布说明", placeholder="如：更新5月底数据", key="upload_note")
    publish = st.form_submit_button("发布", type="primary")
if publish:
    try:
        version = store().publish(
            data,
            actor=staff,
            file_name=upload.name,
            note=note.strip(),
            counts=counts_of(result),
            expected_current=loaded.version_id,
        )
    except StaleVersion as exc:
        st.error(str(exc))
    except StoreError as exc:
        st.error(f"未发布：{exc}")
    else:
        st.success(f"已发布为版本 v{version.id}。所有人刷新或下一次操作时即可看到。")
