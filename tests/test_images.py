"""Chart images from kaleido on the system Chromium: valid files, Chinese really drawn.

These tests need /usr/bin/chromium and fonts-noto-cjk (installed by .ci/run); they fail,
never skip, without them.
"""

from __future__ import annotations

import io
from pathlib import Path

import plotly.graph_objects as go
import pytest
from PIL import Image, ImageChops

from briefing.chart_catalog import chart_catalog
from briefing.exports import render_chart
from briefing.images import ImageExportError, Renderer, find_chromium
from metrics.scoring.progress import Scored


def text_only(text: str) -> go.Figure:
    fig = go.Figure()
    fig.add_annotation(text=text, x=0.5, y=0.5, showarrow=False, font={"size": 40})
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return fig


def pixels(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


def test_chinese_glyphs_are_drawn(renderer: Renderer) -> None:
    """Blank vs text: something is drawn. Two different words vs each other: real glyphs
    differ, while missing-glyph boxes ("tofu") would look the same for both."""
    size = {"width": 400, "height": 120, "scale": 1}
    blank = pixels(renderer.render(text_only(" "), "png", **size))
    first = pixels(renderer.render(text_only("整改完成"), "png", **size))
    second = pixels(renderer.render(text_only("回迁安置"), "png", **size))
    assert ImageChops.difference(blank, first).getbbox() is not None
    assert ImageChops.difference(first, second).getbbox() is not None
    dark = sum(1 for p in first.convert("L").tobytes() if p < 100)
    assert dark > 300  # strokes of four 40 px characters, not a thin box outline


@pytest.mark.parametrize(
    ("fmt", "magic"), [("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg"), ("pdf", b"%PDF-")]
)
def test_every_chart_format(renderer: Renderer, scored: Scored, fmt: str, magic: bytes) -> None:
    chart = next(c for c in chart_catalog(scored) if c.key == "overview_breakdown")
    exported = render_chart(renderer, chart, scored, fmt)
    assert exported.data.startswith(magic)
    assert exported.file_name == f"整改完成率_2021-05-31.{fmt}"
    assert len(exported.data) > 2_000
    if fmt == "png":
        image = Image.open(io.BytesIO(exported.data))
        assert image.size[0] == 2400  # 1200 CSS px at 2x
    if fmt == "svg":
        assert "整改完成率".encode() in exported.data  # text stays text in the vector file


def test_indicator_charts_export_too(renderer: Renderer, scored: Scored) -> None:
    bullets = [c for c in chart_catalog(scored) if c.key.startswith("bullet_")]
    assert bullets, "the bundled data has indicators with targets and values"
    exported = render_chart(renderer, bullets[0], scored, "png")
    assert exported.data.startswith(b"\x89PNG") and exported.file_name.startswith("任务")


def test_no_chromium_is_explained(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ZHENGGAI_CHROMIUM", str(tmp_path / "nowhere"))
    assert find_chromium() is None
    with pytest.raises(ImageExportError, match="apt-get install chromium"):
        Renderer()
