"""AppTest of the upload and history pages: sign-in, review, publish, rollback."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics.accounts import Accounts
from metrics.store import STORE_ENV, Store
from tests.builders import meta, write_valid
from tests.hostile import Hostile, catalogue
from ui.data_source import WORKBOOK_ENV

DASHBOARD = str(Path(__file__).resolve().parent.parent / "dashboard.py")
PASSWORD = "correct horse battery"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def store_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store"
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    Accounts(root).add("张三", PASSWORD)
    return root


def open_page(page: str) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.run()  # first run through st.navigation bootstraps the store
    app.switch_page(page)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def publish_small_version(store_root: Path, tmp_path: Path) -> Store:
    """李四 publishes the small 3-task workbook (66.7%) as v2, straight into the store."""
    store = Store(store_root)
    store.publish(
        write_valid(tmp_path / "n.xlsx").read_bytes(),
        actor="李四",
        file_name="n.xlsx",
        note="五月",
        counts={},
        expected_current=1,
    )
    return store


def sign_in(app: AppTest, prefix: str, password: str = PASSWORD) -> None:
    app.text_input(key=f"{prefix}_name").set_value("张三")
    app.text_input(key=f"{prefix}_password").set_value(password)
    app.button(key=f"FormSubmitter:{prefix}_form-登录").click().run()


def test_upload_needs_a_signed_in_staff_member(store_root: Path) -> None:
    app = open_page("pages/upload.py")
    assert "需要工作人员登录" in app.info[0].value
    assert not app.get("file_uploader")
    sign_in(app, "upload_sign_in", password="wrong password!")
    assert "账号或密码不正确" in app.error[0].value
    assert not app.get("file_uploader")


def test_upload_review_and_publish(store_root: Path, tmp_path: Path) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    assert any("文件不超过 10 MB" in c.value for c in app.caption)  # the limits, up front
    new = write_valid(tmp_path / "new.xlsx").read_bytes()
    app.get("file_uploader")[0].set_value(("new.xlsx", new, XLSX)).run()
    assert not app.exception
    text = "\n".join(m.value for m in app.markdown)
    assert "整改完成率：85.7% → **66.7%**" in text
    preview = next(m for m in app.metric if m.label == "整改完成率")  # the preview cards
    assert preview.value == "66.7%" and preview.delta == "-19.0个百分点（较上一版本）"
    assert app.get("plotly_chart")  # the status breakdown of the new data
    app.text_input(key="upload_note").set_value("测试发布")
    app.button(key="FormSubmitter:upload_publish-发布").click().run()
    assert "已发布为版本 v2" in app.success[0].value
    store = Store(store_root)
    assert store.current().id == 2  # type: ignore[union-attr]
    assert store.audit()[0].actor == "张三" and store.audit()[0].note == "测试发布"
    counts = store.current().counts  # type: ignore[union-attr]
    assert counts["total"] == 3 and counts["completed"] == 2
    assert counts["removed"] > 0  # 35 tasks became 3
    history = open_page("pages/history.py")
    summary = history.dataframe[0].value.iloc[0]["变化"]
    assert summary.startswith("状态变化 ") and f"删除 {counts['removed']}" in summary


def test_a_bad_upload_is_reported_and_not_published(store_root: Path, tmp_path: Path) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    bad = write_valid(tmp_path / "bad.xlsx", meta=meta(报告任务数=9)).read_bytes()
    app.get("file_uploader")[0].set_value(("bad.xlsx", bad, XLSX)).run()
    assert "不能发布" in app.error[0].value
    report = app.dataframe[0].value
    assert report.iloc[0]["表"] == "概况" and report.iloc[0]["行"] == 6
    assert Store(store_root).current().id == 1  # type: ignore[union-attr]


def test_a_renamed_csv_is_refused(store_root: Path) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    app.get("file_uploader")[0].set_value(("data.xlsx", "编号,任务\n1,甲\n".encode(), XLSX)).run()
    assert not app.exception
    assert "CSV" in app.dataframe[0].value.iloc[0]["问题"]
    assert Store(store_root).current().id == 1  # type: ignore[union-attr]


def test_history_lists_versions_and_rolls_back(store_root: Path, tmp_path: Path) -> None:
    app = open_page("pages/history.py")  # bootstraps v1
    store = publish_small_version(store_root, tmp_path)
    app.run()
    versions = app.dataframe[0].value
    assert list(versions["版本"]) == ["v2（当前）", "v1"]
    app.selectbox(key="history_version").set_value(1).run()
    assert "85.7%" in "\n".join(m.value for m in app.markdown)
    sign_in(app, "history_sign_in")
    app.text_input(key="history_note").set_value("数据有误")
    app.button(key="FormSubmitter:history_rollback-回退到 v1").click().run()
    assert store.current().id == 1  # type: ignore[union-attr]
    assert store.audit()[0].action == "回退" and store.audit()[0].actor == "张三"


def test_a_damaged_stored_file_is_reported_not_a_traceback(store_root: Path) -> None:
    open_page("pages/history.py")  # bootstraps v1
    store = Store(store_root)
    current = store.current()
    assert current is not None
    (store.files / f"{current.sha256}.xlsx").write_bytes(b"tampered")
    st.cache_resource.clear()  # as after a server restart: nothing loaded in memory yet
    overview = AppTest.from_file(DASHBOARD, default_timeout=60)
    overview.run()
    assert not overview.exception
    assert "校验值不符" in overview.dataframe[0].value.iloc[0]["问题"]
    history = AppTest.from_file(DASHBOARD, default_timeout=60)
    history.switch_page("pages/history.py")
    history.run()
    assert not history.exception, [e.value for e in history.exception]
    assert any("缺失或已损坏" in e.value for e in history.error)


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Hostile]:
    return {h.name: h for h in catalogue(tmp_path_factory.mktemp("hostile"))}


HOSTILE_NAMES = [
    "zip bomb by ratio",
    "zip bomb behind a declared-size lie",
    "billion laughs",
    "quadratic blow-up",
    "external entity",
    "sheet claiming the whole grid",
    "16,384 columns",
    "a cell at XFD1048576",
    "a million real rows",
    "2,000 sheets",
    "a million-character cell",
    "truncated zip",
    "CRC-corrupted zip",
    "duplicate entry names",
    "path traversal",
    "renamed PNG",
    "renamed CSV",
    "renamed HTML",
    "encrypted workbook",
    "macro workbook",
    "formula without a saved value",
    "Excel error cell",
    "Strict Open XML",
    "invalid XML characters",
    "1904 dates",
]


@pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_uploads_end_in_words_and_change_nothing(
    store_root: Path, hostile_files: dict[str, Hostile], name: str
) -> None:
    hostile = hostile_files[name]
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    app.get("file_uploader")[0].set_value(("数据.xlsx", hostile.data, XLSX)).run()
    assert not app.exception, [e.value for e in app.exception]
    store = Store(store_root)
    assert store.current().id == 1  # type: ignore[union-attr]  # nothing published
    if hostile.accepted:
        assert not app.error
        assert "截至2021年5月31日" in "\n".join(m.value for m in app.markdown)
    else:
        assert "不能发布" in app.error[0].value
        report = app.dataframe[0].value
        assert report.iloc[0]["级别"] == "错误" and len(report.iloc[0]["问题"]) > 10
    # The server goes on serving everyone: the dashboard still shows the published data.
    overview = AppTest.from_file(DASHBOARD, default_timeout=60)
    overview.run()
    assert next(m for m in overview.metric if m.label == "整改完成率").value == "85.7%"


def test_the_hostile_catalogue_is_tested_whole(hostile_files: dict[str, Hostile]) -> None:
    assert sorted(hostile_files) == sorted(HOSTILE_NAMES)


def test_leaders_can_view_the_dashboard_as_of_an_older_version(
    store_root: Path, tmp_path: Path
) -> None:
    app = open_page("pages/history.py")  # bootstraps v1 (85.7%)
    publish_small_version(store_root, tmp_path)
    app.run()
    app.selectbox(key="history_version").set_value(1).run()
    app.button(key="history_view").click().run()
    assert not app.exception
    # On the overview now, for this session only: v1's figures, clearly marked as old.
    assert next(m for m in app.metric if m.label == "整改完成率").value == "85.7%"
    assert "正在查看历史版本 v1" in app.warning[0].value
    other = AppTest.from_file(DASHBOARD, default_timeout=60)  # another leader
    other.run()
    assert next(m for m in other.metric if m.label == "整改完成率").value == "66.7%"
    app.button(key="back_to_current").click().run()
    app.switch_page("pages/overview.py").run()  # AppTest reruns its own page after a click
    assert next(m for m in app.metric if m.label == "整改完成率").value == "66.7%"
    assert not app.warning


AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-only-cookie-secret-not-used-anywhere",
    "client_id": "dashboard",
    "client_secret": "test-only",
    "server_metadata_url": "https://idp.invalid/.well-known/openid-configuration",
}


def oidc_upload_page(user: dict[str, object]) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.secrets["auth"] = AUTH
    app.secrets["zhenggai"] = {"staff": ["Zhang.San@huiji.gov.cn"]}
    app.user = user
    app.run()
    app.switch_page("pages/upload.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_oidc_sign_in_button_when_the_organisation_sign_on_is_configured(
    store_root: Path,
) -> None:
    app = oidc_upload_page({"is_logged_in": False})
    assert app.button(key="upload_sign_in_oidc").label == "使用单位账号登录"
    assert not app.get("file_uploader")
    assert not app.text_input  # no local password form


def test_oidc_user_not_on_the_staff_list_cannot_upload(store_root: Path) -> None:
    app = oidc_upload_page({"is_logged_in": True, "name": "王五", "email": "wangwu@huiji.gov.cn"})
    assert "不在工作人员名单中" in app.warning[0].value
    assert not app.get("file_uploader")


def test_oidc_staff_publish_under_their_own_name(store_root: Path, tmp_path: Path) -> None:
    user = {"is_logged_in": True, "name": "张三", "email": "zhang.san@huiji.gov.cn"}
    app = oidc_upload_page(user)
    new = write_valid(tmp_path / "new.xlsx").read_bytes()
    app.get("file_uploader")[0].set_value(("new.xlsx", new, XLSX)).run()
    app.button(key="FormSubmitter:upload_publish-发布").click().run()
    assert "已发布为版本 v2" in app.success[0].value
    assert Store(store_root).audit()[0].actor == "张三（zhang.san@huiji.gov.cn）"
