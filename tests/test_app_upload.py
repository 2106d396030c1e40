"""AppTest of the upload and history pages: sign-in, review, publish, rollback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store, beijing_time
from report.literal import WORD_JOINER
from tests.builders import meta, valid_sheets, write_valid
from tests.hostile import Hostile, catalogue
from tests.lookups import current_version
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


def literal(text: str) -> str:
    """What Markdown shows for text escaped by ``report.literal.md``."""
    text = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text.replace("  \n", "\n"))
    return text.replace(WORD_JOINER, "")


def markdown_of(app: AppTest) -> str:
    """Markdown and captions on the page, as shown (escapes dropped)."""
    return literal("\n".join(m.value for m in [*app.markdown, *app.caption]))


def sign_in(app: AppTest, prefix: str, password: str = PASSWORD) -> None:
    app.text_input(key=f"{prefix}_name").set_value("张三")
    app.text_input(key=f"{prefix}_password").set_value(password)
    app.button(key=f"FormSubmitter:{prefix}_form-登录").click().run()


def test_upload_needs_a_signed_in_staff_member(store_root: Path) -> None:
    app = open_page("pages/upload.py")
    assert "需要工作人员登录" in app.info[0].value
    assert not app.file_uploader
    sign_in(app, "upload_sign_in", password="wrong password!")
    assert "账号或密码不正确" in app.error[0].value
    assert not app.file_uploader


def test_upload_review_and_publish(store_root: Path, tmp_path: Path) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    assert any("文件不超过 10 MB" in c.value for c in app.caption)  # the limits, up front
    new = write_valid(tmp_path / "new.xlsx").read_bytes()
    app.file_uploader[0].set_value(("new.xlsx", new, XLSX)).run()
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
    assert current_version(store).id == 2
    assert store.audit()[0].actor == "张三" and store.audit()[0].note == "测试发布（网页）"
    counts = current_version(store).counts
    assert counts["total"] == 3 and counts["completed"] == 2
    assert counts["removed"] > 0  # 35 tasks became 3
    history = open_page("pages/history.py")
    summary = history.dataframe[0].value.iloc[0]["变化"]
    assert summary.startswith("状态变化 ") and f"删除 {counts['removed']}" in summary


def test_a_bad_upload_is_reported_and_not_published(store_root: Path, tmp_path: Path) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    bad = write_valid(tmp_path / "bad.xlsx", meta=meta(截至日期="五月底")).read_bytes()
    app.file_uploader[0].set_value(("bad.xlsx", bad, XLSX)).run()
    assert "不能发布" in app.error[0].value
    report = app.dataframe[0].value
    assert report.iloc[0]["表"] == "概况" and report.iloc[0]["行"] == 4
    assert current_version(Store(store_root)).id == 1


def test_a_renamed_csv_is_refused(store_root: Path) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    app.file_uploader[0].set_value(("data.xlsx", "编号,任务\n1,甲\n".encode(), XLSX)).run()
    assert not app.exception
    assert "CSV" in app.dataframe[0].value.iloc[0]["问题"]
    assert current_version(Store(store_root)).id == 1


def test_history_lists_versions_and_rolls_back(store_root: Path, tmp_path: Path) -> None:
    app = open_page("pages/history.py")  # bootstraps v1
    store = publish_small_version(store_root, tmp_path)
    app.run()
    versions = app.dataframe[0].value
    assert list(versions["版本"]) == ["v2（当前）", "v1"]
    app.selectbox(key="history_version").set_value(1).run()
    assert "85.7%" in markdown_of(app)
    sign_in(app, "history_sign_in")
    app.text_input(key="history_note").set_value("数据有误")
    app.button(key="FormSubmitter:history_rollback-回退到 v1").click().run()
    assert current_version(store).id == 1
    assert store.audit()[0].action == "回退" and store.audit()[0].actor == "张三"
    assert store.audit()[0].note == "数据有误（网页）"


def test_history_shows_visitors_display_names_never_login_names(
    store_root: Path, tmp_path: Path
) -> None:
    """Visitors see an account's display name (its role when it has none) and the channel,
    never the login name nor the system user; the signed-in office sees both."""
    from metrics.publishing import recorded_note

    Accounts(store_root).add("zhangsan", PASSWORD, display_name="张三主任")
    app = open_page("pages/history.py")  # bootstraps v1
    store = publish_small_version(store_root, tmp_path)  # v2 by 李四: no account
    for actor, note, expected in (
        ("zhangsan", recorded_note("五月", "命令行，系统用户 deploy"), 2),
        ("张三", recorded_note("六月", "网页"), 3),
    ):
        store.publish(
            write_valid(tmp_path / f"{actor}.xlsx").read_bytes(),
            actor=actor,
            file_name="n.xlsx",
            note=note,
            counts={},
            expected_current=expected,
        )
    app.run()
    versions, audit = (frame.value for frame in app.dataframe[:2])
    assert list(versions["发布人"]) == ["整改办", "张三主任", "李四", "系统"]
    assert list(versions["说明"])[:2] == ["六月", "五月"]
    assert list(versions["方式"]) == ["网页", "命令行", "—", "—"]
    assert list(audit["操作人"])[:2] == ["整改办", "张三主任"]
    shown = markdown_of(app) + "".join(f.value.to_csv() for f in app.dataframe)
    assert "zhangsan" not in shown and "deploy" not in shown
    app.selectbox(key="history_version").set_value(1).run()
    sign_in(app, "history_sign_in")  # 张三, 整改办
    versions = app.dataframe[0].value
    assert list(versions["发布人"])[:2] == ["张三", "张三主任（zhangsan）"]
    assert list(versions["方式"])[:2] == ["网页", "命令行，系统用户 deploy"]


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
    app.file_uploader[0].set_value(("数据.xlsx", hostile.data, XLSX)).run()
    assert not app.exception, [e.value for e in app.exception]
    store = Store(store_root)
    assert current_version(store).id == 1  # nothing published
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
    assert not app.file_uploader
    assert not app.text_input  # no local password form


def test_oidc_user_not_on_the_staff_list_cannot_upload(store_root: Path) -> None:
    app = oidc_upload_page({"is_logged_in": True, "name": "王五", "email": "wangwu@huiji.gov.cn"})
    assert "不在工作人员名单中" in app.warning[0].value
    assert not app.file_uploader


def test_oidc_staff_publish_under_their_own_name(store_root: Path, tmp_path: Path) -> None:
    user = {
        "is_logged_in": True,
        "name": "张三",
        "email": "zhang.san@huiji.gov.cn",
        "email_verified": True,
    }
    app = oidc_upload_page(user)
    new = write_valid(tmp_path / "new.xlsx").read_bytes()
    app.file_uploader[0].set_value(("new.xlsx", new, XLSX)).run()
    app.button(key="FormSubmitter:upload_publish-发布").click().run()
    assert "已发布为版本 v2" in app.success[0].value
    assert Store(store_root).audit()[0].actor == "张三（zhang.san@huiji.gov.cn）"


# -- a review is a promise: no silent overwrite ------------------------------------------


def all_tasks_done(path: Path) -> bytes:
    """The small workbook with task 3 done too: 3 of 3 (100%)."""
    tasks = [dict(t) for t in valid_sheets()["tasks"]]
    tasks[2]["状态"] = "已完成"
    tasks[2].pop("整改时限", None)
    return write_valid(path, tasks=tasks, meta=meta(报告已完成数=3)).read_bytes()


def test_a_publish_in_between_is_refused_and_the_same_file_reviewed_again(
    store_root: Path, tmp_path: Path
) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    mine = all_tasks_done(tmp_path / "mine.xlsx")
    app.file_uploader[0].set_value(("mine.xlsx", mine, XLSX)).run()
    assert "整改完成率：85.7% → **100.0%**" in markdown_of(app)  # reviewed against v1
    # 李四 publishes v2 while 张三 is still reading the review …
    store = publish_small_version(store_root, tmp_path)
    li = store.audit()[0]
    # … and 张三 clicks 发布 a few seconds later.
    app.text_input(key="upload_note").set_value("张三的更新")
    app.button(key="FormSubmitter:upload_publish-发布").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.success
    assert [v.id for v in store.versions()] == [2, 1]  # nothing published on top of v2
    assert store.read(current_version(store)) != mine
    refusal = literal(app.error[0].value)
    assert "未发布" in refusal and "您核对的是 v1" in refusal and "v2" in refusal
    assert "李四" in refusal and "五月" in refusal
    assert f"{beijing_time(li.at)}（北京时间）发布了 **v2**" in refusal
    # One click: the same file, compared again with v2 (no new upload).
    app.button(key="upload_review_again").click().run()
    assert not app.exception and not app.error
    text = markdown_of(app)
    assert "与当前版本 v2 相比" in text
    assert "整改完成率：66.7% → **100.0%**" in text
    app.text_input(key="upload_note").set_value("张三的更新")
    app.button(key="FormSubmitter:upload_publish-发布").click().run()
    assert "已发布为版本 v3" in app.success[0].value
    latest = store.audit()[0]
    assert (latest.actor, latest.version_id, latest.previous_id) == ("张三", 3, 2)
    assert store.read(current_version(store)) == mine


def test_a_review_keeps_its_version_and_warns_when_it_moved_on(
    store_root: Path, tmp_path: Path
) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    app.file_uploader[0].set_value(
        ("mine.xlsx", all_tasks_done(tmp_path / "mine.xlsx"), XLSX)
    ).run()
    publish_small_version(store_root, tmp_path)
    app.run()  # any other interaction: the review on screen stays the one made against v1
    assert "整改完成率：85.7% → **100.0%**" in markdown_of(app)
    assert "与您开始核对时的版本 v1 相比（当前版本已是 v2）" in markdown_of(app)
    notice = literal(app.warning[0].value)
    assert "请注意" in notice and "李四" in notice and "v2" in notice
    assert app.button(key="upload_review_again")


def test_a_rollback_is_checked_against_the_version_the_page_showed(
    store_root: Path, tmp_path: Path
) -> None:
    app = open_page("pages/history.py")  # bootstraps v1
    store = publish_small_version(store_root, tmp_path)  # v2
    app.run()
    app.selectbox(key="history_version").set_value(1).run()
    sign_in(app, "history_sign_in")  # the rollback form is shown while v2 is current
    store.publish(
        write_valid(tmp_path / "june.xlsx", meta=meta(标题="六月")).read_bytes(),
        actor="王五",
        file_name="june.xlsx",
        note="更正",
        counts={},
        expected_current=2,
    )
    app.text_input(key="history_note").set_value("数据有误")
    app.button(key="FormSubmitter:history_rollback-回退到 v1").click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert current_version(store).id == 3  # 王五's v3 stays
    refusal = literal(app.error[0].value)
    assert "未回退" in refusal and "王五" in refusal and "v3" in refusal and "更正" in refusal
    # The page now shows v3 as current; a second click is a deliberate decision.
    app.button(key="FormSubmitter:history_rollback-回退到 v1").click().run()
    assert current_version(store).id == 1
    assert store.audit()[0].previous_id == 3


# -- 概况 counts: a status change alone publishes ------------------------------------------


def test_a_status_change_alone_publishes_with_a_prominent_warning(
    store_root: Path, tmp_path: Path
) -> None:
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    tasks = [dict(t) for t in valid_sheets()["tasks"]]
    tasks[2]["状态"] = "已完成"
    tasks[2].pop("整改时限", None)
    stale_count = write_valid(tmp_path / "s.xlsx", tasks=tasks).read_bytes()  # 概况 still says 2
    app.file_uploader[0].set_value(("s.xlsx", stale_count, XLSX)).run()
    assert not app.exception
    assert not app.error
    warning = literal(app.warning[0].value)
    assert "报告已完成数" in warning and "填的是 2" in warning and "有 3 项" in warning
    assert "看板以“任务”表为准" in warning and "第 7 行" in warning
    app.button(key="FormSubmitter:upload_publish-发布").click().run()
    assert "已发布为版本 v2" in app.success[0].value
    assert current_version(Store(store_root)).counts["completed"] == 3


# -- a malformed ZHENGGAI_* setting ------------------------------------------------------


def test_a_malformed_setting_is_reported_and_the_default_used(
    store_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZHENGGAI_MAX_UPLOAD_MB", "abc")
    monkeypatch.setenv("ZHENGGAI_PARSE_SECONDS", "1e999")
    app = open_page("pages/upload.py")
    sign_in(app, "upload_sign_in")
    errors = literal("\n".join(e.value for e in app.error))
    assert "ZHENGGAI_MAX_UPLOAD_MB=“abc”" in errors and "默认值 10 MB" in errors
    assert "ZHENGGAI_PARSE_SECONDS=“1e999”" in errors and "默认值 60 秒" in errors
    assert any("文件不超过 10 MB" in c.value for c in app.caption)
    new = write_valid(tmp_path / "new.xlsx").read_bytes()
    app.file_uploader[0].set_value(("new.xlsx", new, XLSX)).run()
    assert not app.exception, [e.value for e in app.exception]
    assert "整改完成率：85.7% → **66.7%**" in markdown_of(app)


# -- OpenID Connect: rights only from verified claims --------------------------------------


def oidc_page_for(user: dict[str, object]) -> AppTest:
    app = AppTest.from_file(DASHBOARD, default_timeout=60)
    app.secrets["auth"] = AUTH
    app.secrets["zhenggai"] = {"staff": ["Zhang.San@huiji.gov.cn", "idp|00u1abcd"]}
    app.user = user
    app.run()
    app.switch_page("pages/upload.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.mark.parametrize(
    "user",
    [
        {"name": "Zhang.San@huiji.gov.cn", "email": "wangwu@huiji.gov.cn"},
        {"name": "王五", "preferred_username": "Zhang.San@huiji.gov.cn"},
        {"name": "王五", "email": "zhang.san@huiji.gov.cn"},  # not verified
        {"name": "王五", "email": "zhang.san@huiji.gov.cn", "email_verified": False},
        {"name": "idp|00u1abcd", "sub": "idp|other"},
    ],
    ids=["display name", "preferred_username", "unverified", "verified false", "name as sub"],
)
def test_oidc_rights_never_come_from_names_or_unverified_emails(
    store_root: Path, user: dict[str, object]
) -> None:
    app = oidc_page_for({"is_logged_in": True, **user})
    assert "不在工作人员名单中" in app.warning[0].value
    assert not app.file_uploader


def test_oidc_staff_by_subject_id_can_upload(store_root: Path, tmp_path: Path) -> None:
    app = oidc_page_for({"is_logged_in": True, "name": "张三", "sub": "idp|00u1abcd"})
    assert app.file_uploader
    new = write_valid(tmp_path / "new.xlsx").read_bytes()
    app.file_uploader[0].set_value(("new.xlsx", new, XLSX)).run()
    app.button(key="FormSubmitter:upload_publish-发布").click().run()
    assert "已发布为版本 v2" in app.success[0].value
    assert Store(store_root).audit()[0].actor == "张三（idp|00u1abcd）"


def test_oidc_unverified_email_is_told_how_to_get_rights(store_root: Path) -> None:
    app = oidc_page_for(
        {"is_logged_in": True, "name": "王五", "email": "zhang.san@huiji.gov.cn", "sub": "u-42"}
    )
    warning = literal(app.warning[0].value)
    assert "未确认您的邮箱" in warning and "u-42" in warning
