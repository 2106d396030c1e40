"""Rendering documents with LibreOffice (headless) and reading the PDF with poppler.

Debian packages: ``libreoffice-writer`` (``soffice``) and ``poppler-utils`` (``pdfinfo``,
``pdftotext``, ``pdftoppm``). Missing programs FAIL the test with the apt command, never
skip. Each conversion uses a profile folder of its own, so parallel or leftover
LibreOffice processes never block it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL_HINT = "apt-get install -y --no-install-recommends libreoffice-writer poppler-utils"
CONVERT_TIMEOUT = 180


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.fail(f"{program} not found: the document tests need `{INSTALL_HINT}`", pytrace=False)
    return found


def to_pdf(document: Path, out_dir: Path) -> Path:
    """``document`` converted by LibreOffice; the PDF's path."""
    soffice = need("soffice")
    profile = out_dir / "lo-profile"
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out_dir),
            str(document),
        ],
        capture_output=True,
        text=True,
        timeout=CONVERT_TIMEOUT,
        check=False,
    )
    pdf = out_dir / f"{document.stem}.pdf"
    if done.returncode != 0 or not pdf.is_file():
        pytest.fail(f"LibreOffice did not convert {document.name}:\n{done.stdout}\n{done.stderr}")
    return pdf


def page_count(pdf: Path) -> int:
    info = subprocess.run(
        [need("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)
    assert match is not None, info
    return int(match.group(1))


def page_text(pdf: Path, page: int, *, layout: bool = False) -> str:
    command = [need("pdftotext"), "-f", str(page), "-l", str(page)]
    if layout:
        command.append("-layout")
    return subprocess.run(
        [*command, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def page_png(pdf: Path, page: int, out: Path, *, dpi: int = 80) -> Path:
    """Page ``page`` as ``out`` (PNG)."""
    stem = out.with_suffix("")
    subprocess.run(
        [
            need("pdftoppm"),
            "-f",
            str(page),
            "-l",
            str(page),
            "-r",
            str(dpi),
            "-png",
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return stem.with_suffix(".png")


def fonts(pdf: Path) -> str:
    return subprocess.run(
        [need("pdffonts"), str(pdf)], capture_output=True, text=True, check=True
    ).stdout


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a PDF page with its box, in points from the page's top left."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def page_words(pdf: Path, page: int) -> list[Word]:
    """The words of one page with their boxes (``pdftotext -bbox``)."""
    html = subprocess.run(
        [need("pdftotext"), "-f", str(page), "-l", str(page), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = re.compile(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        Word(text, float(x0), float(y0), float(x1), float(y1))
        for x0, y0, x1, y1, text in pattern.findall(html)
    ]
