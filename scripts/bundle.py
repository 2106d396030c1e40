"""Offline bundle: ``make bundle`` writes ``dist/zhenggai-dashboard-<version>.tar.gz``.

The archive has one top-level folder ``zhenggai-dashboard-<version>/`` holding

- ``wheels/``: the project's own wheel (``pip wheel --no-deps``) and a wheel of every
  runtime dependency (``requirements.txt``) for Linux x86-64, CPython 3.11 and 3.12
  (``pip download --only-binary=:all:``; glibc 2.28 or newer, e.g. Debian 10+, RHEL 8+);
- ``dashboard.py``, ``pages/``, ``assets/``, ``data/``, ``.streamlit/config.toml``: the
  Streamlit scripts and files, run from the unpacked folder; ``deploy/``: the production
  recipe (nginx, systemd; deploy/README.md);
- ``install.sh``: creates ``.venv`` with the system python3 and installs ONLY from
  ``wheels/`` (``pip install --no-index``);
- ``run.sh``: starts the dashboard with ``ui.launch.PRODUCTION_FLAGS``; its arguments go to
  ``streamlit run`` (``./run.sh --server.port 8600``).

Building needs the network (PyPI); installing never does.

    python scripts/bundle.py                       # both Python versions, into dist/
    python scripts/bundle.py --python 3.11 --out /tmp/b
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

from ui.launch import PRODUCTION_FLAGS

ROOT = Path(__file__).resolve().parent.parent
NAME = "zhenggai-dashboard"
PYTHON_VERSIONS = ("3.11", "3.12")
# Linux x86-64 wheel tags, newest glibc first. pyarrow (a streamlit dependency) ships
# manylinux_2_28 only; numpy and pillow manylinux_2_27/2_28, pandas manylinux_2_24/2_28;
# most others manylinux2014 (= manylinux_2_17) or manylinux1 (= manylinux_2_5).
PLATFORMS = (
    "manylinux_2_28_x86_64",
    "manylinux_2_27_x86_64",
    "manylinux_2_24_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux2014_x86_64",
    "manylinux2010_x86_64",
    "manylinux1_x86_64",
)
# Copied into the bundle as they are (relative to the repository root).
APP_FILES = ("dashboard.py", "pages", "assets", "data", ".streamlit/config.toml", "deploy")
# What `pip wheel` needs to build the project's own wheel.
PROJECT_FILES = ("pyproject.toml", "requirements.txt", "README.md")
TEMPLATES = ROOT / "deploy" / "bundle"
SCRIPTS = ("install.sh", "run.sh")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build")


def project_version(root: Path = ROOT) -> str:
    with (root / "pyproject.toml").open("rb") as f:
        project = tomllib.load(f)["project"]
    version = project["version"]
    assert isinstance(version, str)
    return version


def bundle_name(root: Path = ROOT) -> str:
    return f"{NAME}-{project_version(root)}"


def _packages(root: Path) -> list[str]:
    """The top-level packages of the project (``[tool.setuptools.packages.find] include``)."""
    with (root / "pyproject.toml").open("rb") as f:
        include = tomllib.load(f)["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({pattern.rstrip("*") for pattern in include})


def _copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, ignore=IGNORE)
    else:
        shutil.copy2(src, dst)


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def build_project_wheel(root: Path, wheels: Path, work: Path) -> None:
    """``pip wheel --no-deps`` of a copy of the sources, so that setuptools' ``build/`` and
    ``*.egg-info`` never appear in the working tree."""
    src = work / "src"
    for name in (*PROJECT_FILES, *_packages(root)):
        _copy(root / name, src / name)
    _pip("wheel", "--no-deps", "--wheel-dir", str(wheels), str(src))


def download_dependencies(root: Path, wheels: Path, python_version: str) -> None:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    _pip(
        "download",
        "--requirement",
        str(root / "requirements.txt"),
        "--only-binary=:all:",
        *platforms,
        "--python-version",
        python_version,
        "--implementation",
        "cp",
        "--dest",
        str(wheels),
    )


def render_script(name: str) -> str:
    """``deploy/bundle/<name>`` with ``@PRODUCTION_FLAGS@`` filled in."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return text.replace("@PRODUCTION_FLAGS@", " ".join(PRODUCTION_FLAGS))


def _tar_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_bundle(
    out_dir: Path, python_versions: Sequence[str] = PYTHON_VERSIONS, root: Path = ROOT
) -> Path:
    """Build the bundle into ``out_dir``; return the path of the ``.tar.gz``."""
    name = bundle_name(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    archive = out_dir / f"{name}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="zhenggai-bundle-") as tmp:
        work = Path(tmp)
        stage = work / name
        wheels = stage / "wheels"
        wheels.mkdir(parents=True)
        build_project_wheel(root, wheels, work)
        for version in python_versions:
            download_dependencies(root, wheels, version)
        for item in APP_FILES:
            _copy(root / item, stage / item)
        for script in SCRIPTS:
            path = stage / script
            path.write_text(render_script(script), encoding="utf-8")
            path.chmod(0o755)
        partial = archive.with_name(archive.name + ".part")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(stage, arcname=name, filter=_tar_filter)
        partial.replace(archive)
    return archive


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument(
        "--python",
        action="append",
        dest="versions",
        metavar="X.Y",
        help=f"CPython version to bundle wheels for (repeatable; default {PYTHON_VERSIONS})",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    archive = build_bundle(args.out, tuple(args.versions or PYTHON_VERSIONS))
    size_mb = archive.stat().st_size / 1e6
    print(f"{archive}: {size_mb:.0f} MB in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
