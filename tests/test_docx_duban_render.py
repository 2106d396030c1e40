"""A 督办单 rendered by LibreOffice: the official page of the Word report (GB/T 9704: A4,
a 156 × 225 mm text block 37 mm from the top and 28 mm from the left, the page number
below it), its title, number, addressee, items, requirements and signature, in Chinese
glyphs. A PNG of its first page is kept in test-output/docx/ to look at."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from briefing.docx_duban import build_duban_docx
from metrics.duban.model import DubanItem, DubanNotice, Level
from metrics.duban.service import DubanService
from metrics.scoring.progress import Scored, score
from metrics.store.versions import Store
from metrics.workbook.loader import load_workbook
from tests.libreoffice import fonts, page_count, page_png, page_text, page_words, to_pdf
from tests.rounds_data import OFFICE, Clock

MM = 72 / 25.4  # points per millimetre
ISSUED = datetime.datetime(2021, 6, 5, 2, 0, tzinfo=datetime.UTC)
# 区委 shares (7), the one open task of a named unit in the bundled data (the report
# names few units); the rule is made up for the test: the bundled tasks have no deadlines.
ITEMS = [DubanItem(7, Level.RED, ("红色：已超过整改时限（2021年5月31日）",))]


@pytest.fixture(scope="module")
def issued(
    bundled_workbook: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DubanNotice, Scored]:
    folder = tmp_path_factory.mktemp("duban-render")
    store = Store(folder / "store")
    store.bootstrap(bundled_workbook, {})
    notice = DubanService(store, clock=Clock(ISSUED)).issue(
        OFFICE, unit="区委", items=ITEMS, respond_by=datetime.date(2021, 6, 15)
    )
    data = load_workbook(bundled_workbook).dataset
    assert data is not None
    return notice, score(data)


@pytest.fixture(scope="module")
def duban_pdf(issued: tuple[DubanNotice, Scored], tmp_path_factory: pytest.TempPathFactory) -> Path:
    notice, scored = issued
    folder = tmp_path_factory.mktemp("duban-pdf")
    document = folder / "duban.docx"
    document.write_bytes(build_duban_docx(notice, scored))
    return to_pdf(document, folder)


def test_the_notice_prints_on_the_official_page(
    duban_pdf: Path, issued: tuple[DubanNotice, Scored], screenshot_dir: Path
) -> None:
    notice, _ = issued
    pages = page_count(duban_pdf)
    assert 1 <= pages <= 3
    text = "".join(page_text(duban_pdf, 1).split())
    assert text.startswith("巡视整改督办单" + notice.code)
    assert "区委：" in text and "1项整改任务进行红色督办（●）" in text
    assert "（7）防范化解重大风险任务艰巨" in text
    assert "督办等级：红色（●），已超过整改时限（2021年5月31日）。" in text
    everything = "".join("".join(page_text(duban_pdf, n).split()) for n in range(1, pages + 1))
    assert "请于2021年6月15日前将整改落实情况书面反馈" in everything
    assert everything.rstrip("—0123456789").endswith("巡视整改工作领导小组办公室2021年6月5日")

    # The text block: 28 mm from the left edge, at most 156 mm wide, 37 mm from the top.
    block_top, block_bottom = 37 * MM, (297 - 35) * MM
    left, right = 28 * MM, (210 - 26) * MM
    for page in range(1, pages + 1):
        words = page_words(duban_pdf, page)
        body = [w for w in words if w.y_max <= block_bottom + 1]
        assert body, f"page {page} is blank"
        assert min(w.x_min for w in body) >= left - 1.5, page
        assert max(w.x_max for w in body) <= right + 1.5, page
        assert min(w.y_min for w in body) >= block_top - 3 * MM, page
        below = {w.text for w in words if w.y_max > block_bottom + 1}
        assert below == {"—", str(page)}, (page, below)  # the page number alone
    assert any(abs(w.x_min - left) < 2 for w in page_words(duban_pdf, 1))  # flush left used
    assert "CJK" in fonts(duban_pdf) or "Song" in fonts(duban_pdf) or "Fang" in fonts(duban_pdf)
    folder = screenshot_dir.parent / "docx"
    folder.mkdir(parents=True, exist_ok=True)
    page_png(duban_pdf, 1, folder / "duban-page-1.png", dpi=100)
