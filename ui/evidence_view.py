"""Evidence files on a page: a download button each, for people with rights only.

The bytes are read from the store only when the button is pressed (deferred data), and
served as an attachment with the type checked on the way in; images can be previewed as
images. Nobody else learns more than the file's name.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from metrics.rounds.model import Evidence
from metrics.rounds.roles import Principal, may_see_unit
from metrics.rounds.service import RoundService
from report.literal import md
from report.rounds import evidence_label


def evidence_list(
    service: RoundService,
    who: Principal | None,
    records: Sequence[Evidence],
    *,
    key: str,
    on_remove: Callable[[Evidence], None] | None = None,
    show_removed: bool = False,
) -> None:
    """Each record: a download button (with rights), else its name; ``on_remove`` adds a
    删除 button. Records removed from a draft are shown only with ``show_removed`` (a
    submission keeps the files it was sent with)."""
    for record in records:
        if record.removed_at is not None and not show_removed:
            continue
        label = evidence_label(record)
        if who is None or not may_see_unit(who, record.unit):
            st.caption(f"佐证材料：{md(label)}（登录并有权限后可下载）")
            continue
        with st.container(horizontal=True, vertical_alignment="center"):
            st.download_button(
                label,
                icon=":material/attach_file:",  # the bundled icon font, not an emoji
                data=_reader(service, who, record.id),
                file_name=record.name,
                mime=record.mime,
                key=f"{key}_get_{record.id}",
                on_click="ignore",
            )
            if record.mime.startswith("image/") and st.toggle(
                "预览", key=f"{key}_preview_{record.id}"
            ):
                st.image(service.evidence(who, record.id)[1], width=320)
            if on_remove is not None:
                st.button(
                    "删除",
                    key=f"{key}_remove_{record.id}",
                    on_click=on_remove,
                    args=(record,),
                )


def _reader(service: RoundService, who: Principal, evidence_id: int) -> Callable[[], bytes]:
    def read() -> bytes:
        return service.evidence(who, evidence_id)[1]  # rights checked again here

    return read
