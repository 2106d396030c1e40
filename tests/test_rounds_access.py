"""Who is who: OpenID Connect identities mapped to roles and units from secrets, and
every hostile evidence file refused through the round service and the 填报 page, with
nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from metrics.rounds.roles import Principal, Role
from metrics.rounds.service import RoundError
from metrics.store.accounts import Accounts
from metrics.store.versions import STORE_ENV, Store
from tests.hostile_evidence import catalogue
from tests.rounds_data import (
    AS_OF,
    DUE,
    EDU,
    EDU_REPORTER,
    HOUSING,
    OFFICE,
    round_store,
    service_for,
)
from ui.auth import REQUIRE_SIGNIN_ENV, oidc_principal
from ui.data_source import WORKBOOK_ENV

SECTION: dict[str, object] = {
    "staff": ["office@huiji.gov.cn"],
    "leaders": ["leader@huiji.gov.cn", "00uLEADER"],
    "units": {
        EDU: {"reporters": ["zhao@huiji.gov.cn"], "heads": ["head@huiji.gov.cn"]},
        HOUSING: {"reporters": ["zhao@huiji.gov.cn", "00uQIAN"]},
    },
}


def user(
    email: str, *, verified: bool = True, sub: str = "00uX", name: str = "某人"
) -> dict[str, object]:
    return {
        "is_logged_in": True,
        "email": email,
        "email_verified": verified,
        "sub": sub,
        "name": name,
    }


def test_oidc_roles_come_from_verified_claims_only() -> None:
    assert oidc_principal(user("office@huiji.gov.cn"), SECTION) == Principal(
        "某人（office@huiji.gov.cn）", Role.OFFICE
    )
    reporter = oidc_principal(user("zhao@huiji.gov.cn", name="小赵"), SECTION)
    assert reporter == Principal("小赵（zhao@huiji.gov.cn）", Role.UNIT, frozenset({EDU, HOUSING}))
    head = oidc_principal(user("head@huiji.gov.cn"), SECTION)
    assert head is not None and (head.role, head.units) == (Role.UNIT_HEAD, frozenset({EDU}))
    by_sub = oidc_principal(user("qian@other.example", sub="00uQIAN"), SECTION)
    assert by_sub is not None and by_sub.units == frozenset({HOUSING})
    leader = oidc_principal(user("x@y.z", sub="00uLEADER"), SECTION)
    assert leader is not None and leader.role is Role.LEADER
    # An unverified e-mail grants nothing; nor does a display name; nor a stranger.
    assert oidc_principal(user("office@huiji.gov.cn", verified=False), SECTION) is None
    assert (
        oidc_principal(user("stranger@huiji.gov.cn", name="office@huiji.gov.cn"), SECTION) is None
    )
    assert oidc_principal({"is_logged_in": False}, SECTION) is None
    assert oidc_principal(user("office@huiji.gov.cn"), {}) is None


def test_every_hostile_evidence_file_is_refused_and_nothing_stored(tmp_path: Path) -> None:
    service = service_for(round_store(tmp_path / "store", tmp_path))
    round_id = service.open_round(OFFICE, name="六月", as_of=AS_OF, due=DUE).id
    files_before = service.store.backend.files.names()
    cases = [case for case in catalogue() if case.limits == catalogue()[0].limits]
    assert len(cases) > 30
    for case in cases:
        service.evidence_limits = case.limits
        with pytest.raises(RoundError) as refused:
            service.add_evidence(EDU_REPORTER, round_id, EDU, 1, case.raw_name, case.data)
        for word in case.words:
            assert word in str(refused.value), (case.name, str(refused.value))
    assert service.store.backend.files.names() == files_before
    assert service.evidence_records(OFFICE, round_id, EDU) == []
    assert service.drafts(OFFICE, round_id, EDU) == {}


def unit_on_report_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Store, int, AppTest]:
    """小赵 of 区教育局 signed in on the 填报 page of an open round."""
    root = tmp_path / "store"
    monkeypatch.delenv(WORKBOOK_ENV, raising=False)
    monkeypatch.delenv(REQUIRE_SIGNIN_ENV, raising=False)
    monkeypatch.setenv(STORE_ENV, str(root))
    store = round_store(root, tmp_path)
    Accounts(root).add("小赵", "correct horse battery", role=Role.UNIT, units=(EDU,))
    round_id = service_for(store).open_round(OFFICE, name="六月", as_of=AS_OF, due=DUE).id
    app = AppTest.from_file(str(Path(__file__).parent.parent / "dashboard.py"), default_timeout=60)
    app.run()
    app.switch_page("pages/report.py")
    app.run()
    app.text_input(key="report_sign_in_name").set_value("小赵")
    app.text_input(key="report_sign_in_password").set_value("correct horse battery")
    app.button(key="FormSubmitter:report_sign_in_form-登录").click().run()
    return store, round_id, app


def test_hostile_evidence_on_the_page_says_why_and_the_page_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, round_id, app = unit_on_report_page(tmp_path, monkeypatch)
    key = f"report_{round_id}_{EDU}_1"
    html = next(c for c in catalogue() if c.code == "html")
    app.file_uploader(key=f"{key}_upload_0").set_value(
        (html.raw_name, html.data, "application/pdf")
    ).run()
    assert not app.exception
    assert any("网页" in e.value for e in app.error), [e.value for e in app.error]
    assert service_for(store).evidence_records(OFFICE, round_id, EDU) == []
    app.text_area(key=f"{key}_progress").set_value("照常填写").run()  # the page goes on
    assert service_for(store).drafts(OFFICE, round_id, EDU)[1].report.progress == "照常填写"


def test_a_hostile_unit_workbook_on_the_page_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, round_id, app = unit_on_report_page(tmp_path, monkeypatch)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    page = b"<html><body><script>alert(1)</script></body></html>"
    app.file_uploader(key=f"report_workbook_upload_{round_id}_{EDU}_0").set_value(
        ("区教育局-六月.xlsx", page, xlsx)
    ).run()
    assert not app.exception
    assert "文件有错误，未报送" in app.error[0].value
    assert any("网页" in m.value for m in app.markdown), [m.value for m in app.markdown]
    assert service_for(store).live_submission(OFFICE, round_id, EDU) is None
