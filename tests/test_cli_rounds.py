"""``python -m metrics round|unit-workbook|submit|review|evidence|store export`` and the
account roles of ``users``: a whole round from the command line, with the rights of the
account named by ``--actor`` (exit 0 done, 1 refused with Chinese reasons)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest

from metrics.cli import main
from metrics.contract import TaskStatus
from metrics.rounds.service import RoundService
from metrics.store.accounts import Accounts
from metrics.store.versions import Store
from metrics.workbook.loader import load_workbook
from tests.rounds_data import EDU, HOUSING, round_store

PASSWORD = "correct horse battery"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    root = tmp_path / "store"
    monkeypatch.setenv("ZHENGGAI_STORE", str(root))
    monkeypatch.delenv("ZHENGGAI_DATABASE_URL", raising=False)
    return round_store(root, tmp_path)


def run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse: a usage error
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_accounts_get_a_role_and_units_from_the_data(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(
        capsys, monkeypatch, "users", "add", "小赵", "--role", "unit", "--unit", EDU
    )
    assert (code, out.strip()) == (0, "已创建账号“小赵”：单位填报员（区教育局）"), err
    code, _, err = run(
        capsys, monkeypatch, "users", "add", "小李", "--role", "unit", "--unit", "区卫健委"
    )
    assert code == 1 and "单位“区卫健委”不在当前数据的牵头单位或责任单位中" in err
    code, _, err = run(capsys, monkeypatch, "users", "add", "小王", "--role", "unit")
    assert code == 1 and "必须指定所属单位" in err
    code, _, err = run(capsys, monkeypatch, "users", "add", "小周", "--role", "boss")
    assert code == 2 and "无法识别的角色" in err
    code, out, _ = run(capsys, monkeypatch, "users", "list")
    assert out.splitlines() == ["小赵\t单位填报员\t区教育局"]
    code, out, err = run(
        capsys, monkeypatch, "users", "role", "小赵", "--role", "unit_head", "--unit", EDU
    )
    assert (code, out.strip()) == (0, "已把账号“小赵”设为单位负责人（区教育局）"), err
    code, _, err = run(
        capsys, monkeypatch, "users", "role", "小赵", "--role", "leader", "--unit", EDU
    )
    assert code == 1 and "不属于某个单位" in err
    run(capsys, monkeypatch, "users", "role", "小赵", "--role", "unit", "--unit", EDU)
    accounts = Accounts(store.root)
    account = accounts.account("小赵")
    assert account is not None and account.units == (EDU,)
    assert accounts.account("小李") is None and accounts.account("小王") is None


def test_a_whole_round_from_the_command_line(
    store: Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, role, unit in (("小赵", "unit", EDU), ("小钱", "unit", HOUSING)):
        assert (
            run(capsys, monkeypatch, "users", "add", name, "--role", role, "--unit", unit)[0] == 0
        )
    assert run(capsys, monkeypatch, "users", "add", "张三")[0] == 0  # 整改办 by default

    code, out, err = run(
        capsys,
        monkeypatch,
        "round",
        "open",
        "--name",
        "2021年6月进展",
        "--as-of",
        "2021-06-30",
        "--due",
        "2021年7月5日",
    )
    assert (code, out.strip()) == (
        0,
        "已开启轮次“2021年6月进展”（截至 2021-06-30，报送截止 2021-07-05）",
    ), err
    # A unit account cannot open a round, nor report for another unit, by any command.
    code, _, err = run(
        capsys,
        monkeypatch,
        "round",
        "open",
        "--name",
        "七月",
        "--as-of",
        "2021-07-31",
        "--due",
        "2021-08-05",
        "--actor",
        "小赵",
    )
    assert code == 1 and "只有整改办可以开启填报轮次" in err
    pdf = tmp_path / "验收报告.pdf"
    pdf.write_bytes(PDF)
    code, _, err = run(
        capsys,
        monkeypatch,
        "evidence",
        "add",
        str(pdf),
        "--unit",
        HOUSING,
        "--task",
        "2",
        "--actor",
        "小赵",
    )
    assert code == 1 and "不能替“区住建局”填报" in err
    code, out, err = run(
        capsys,
        monkeypatch,
        "evidence",
        "add",
        str(pdf),
        "--unit",
        EDU,
        "--task",
        "1",
        "--actor",
        "小赵",
    )
    assert code == 0 and "已上传佐证材料“验收报告.pdf”（任务（1））" in out, err

    # 区教育局 fills in its workbook.
    book = tmp_path / "区教育局.xlsx"
    code, _, err = run(capsys, monkeypatch, "unit-workbook", "--unit", EDU, "--out", str(book))
    assert code == 0, err
    # An existing file is not overwritten without --force; an unwritable place is said so.
    code, _, err = run(capsys, monkeypatch, "unit-workbook", "--unit", EDU, "--out", str(book))
    assert code == 1 and "已存在，如需覆盖请加 --force" in err
    nowhere = tmp_path / "没有这个目录" / "x.xlsx"
    code, _, err = run(capsys, monkeypatch, "unit-workbook", "--unit", EDU, "--out", str(nowhere))
    assert code == 1 and "无法写入" in err and "Traceback" not in err
    filled = openpyxl.load_workbook(book)
    sheet = filled["任务"]
    headers = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[headers.index("任务编号")].value == 1:
            row[headers.index("申报状态")].value = "已完成"
            row[headers.index("本期进展")].value = "新增学位全部投入使用"
    figures = filled["指标"]
    headers = [c.value for c in figures[1]]
    for row in figures.iter_rows(min_row=2):
        if row[headers.index("指标编号")].value == "T01-01":
            row[headers.index("本期数值")].value = "1.5万"
    filled.save(book)
    code, _, err = run(
        capsys, monkeypatch, "submit", str(book), "--unit", HOUSING, "--actor", "小赵"
    )
    assert code == 1, err  # the workbook is 区教育局's, and 小赵 cannot report for 区住建局
    code, out, err = run(capsys, monkeypatch, "submit", str(book), "--unit", EDU, "--actor", "小赵")
    assert code == 0 and "已报送：区教育局第 1 次报送" in out, err

    code, out, _ = run(capsys, monkeypatch, "round", "status", "--json")
    status = json.loads(out)
    assert (status["reported"], status["total"]) == (1, 4)
    states = {u["unit"]: u["state"] for u in status["units"]}
    assert states[EDU] == "已报送" and states[HOUSING] == "未填报"

    code, _, err = run(capsys, monkeypatch, "review", "accept", "--unit", EDU, "--actor", "小钱")
    assert code == 1 and "只有整改办" in err
    code, _, err = run(capsys, monkeypatch, "review", "return", "--unit", EDU, "--actor", "张三")
    assert code == 1 and "写明原因" in err
    code, out, err = run(
        capsys,
        monkeypatch,
        "review",
        "accept",
        "--unit",
        EDU,
        "--actor",
        "张三",
        "--comment",
        "同意销号",
    )
    assert code == 0 and "已采纳“区教育局”的报送：任务（1）" in out, err

    code, out, err = run(
        capsys, monkeypatch, "round", "publish", "--actor", "张三", "--expect-version", "1"
    )
    assert code == 0 and "已发布为版本 v2" in out, err
    audit = store.audit()[0]
    assert audit.actor == "张三" and "区教育局第1次报送（任务（1））" in audit.note

    exported = tmp_path / "v2.xlsx"
    code, out, err = run(capsys, monkeypatch, "store", "export", "--out", str(exported))
    assert code == 0 and "已导出版本 v2" in out, err
    data = load_workbook(exported.read_bytes()).dataset
    assert data is not None
    task = data.task(1)
    assert task is not None and task.status is TaskStatus.DONE
    assert [o.value for o in data.observations if o.indicator_id == "T01-01"][-1] == 15000
    assert run(capsys, monkeypatch, "store", "export", "--out", str(exported))[0] == 1
    code, _, err = run(
        capsys, monkeypatch, "store", "export", "--version", "9", "--out", str(tmp_path / "x.xlsx")
    )
    assert code == 1 and "没有这个版本" in err


def test_an_operator_without_an_account_acts_as_the_office_on_record(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(
        capsys,
        monkeypatch,
        "round",
        "open",
        "--name",
        "六月",
        "--as-of",
        "2021-06-30",
        "--due",
        "2021-07-05",
        "--actor",
        "值班员",
    )
    assert code == 0, err
    code, _, err = run(capsys, monkeypatch, "round", "close", "--actor", "bad\nname")
    assert code == 2 and "控制字符" in err
    code, out, err = run(capsys, monkeypatch, "round", "close", "--actor", "值班员")
    assert (code, out.strip()) == (0, "本轮已结束"), err

    (closed,) = RoundService(store).rounds()
    assert closed.opened_by.startswith("值班员（命令行，系统用户 ") and not closed.is_open


def test_no_round_is_a_clear_refusal(
    store: Store, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run(capsys, monkeypatch, "round", "status")
    assert code == 1 and "当前没有进行中的填报轮次" in err and "Traceback" not in err
