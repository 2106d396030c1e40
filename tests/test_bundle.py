"""The offline bundle (``make bundle``, ``scripts/bundle.py``): build it, then install and run
it in a temporary folder without network access.

Building downloads the wheels for CPython 3.11 and 3.12 (about 240 MB, the pip cache makes
later runs faster), exactly as ``make bundle`` does; installing uses ``pip install
--no-index`` with ``PIP_NO_INDEX=1`` and an unroutable proxy, so any download would fail.
Slow (about two minutes), never skipped.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tarfile
import time
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.local_server import free_port, health_ok
from ui.launch import PRODUCTION_FLAGS

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parent.parent
OFFLINE_PROXY = "http://127.0.0.1:9"


def _version() -> str:
    with (REPO_ROOT / "pyproject.toml").open("rb") as f:
        version = tomllib.load(f)["project"]["version"]
    assert isinstance(version, str)
    return version


NAME = f"zhenggai-dashboard-{_version()}"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "scripts/bundle.py", "--out", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    path = out / f"{NAME}.tar.gz"
    assert path.is_file()
    return path


def _offline_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PIP_") and key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}
    }
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        env[proxy] = OFFLINE_PROXY
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    env |= {"PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull, **extra}
    return env


@pytest.fixture(scope="module")
def installed(archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundle unpacked and installed with ``./install.sh``, offline."""
    target = tmp_path_factory.mktemp("install")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    folder = target / NAME
    result = subprocess.run(
        ["./install.sh"],
        cwd=folder,
        env=_offline_env(PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "安装完成" in result.stdout
    return folder


def test_bundle_holds_app_wheels_and_scripts(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        members = {m.name: m for m in tar.getmembers()}
    names = set(members)
    assert all(name == NAME or name.startswith(f"{NAME}/") for name in names)
    for path in (
        "dashboard.py",
        "pages/overview.py",
        "assets",
        "data/indicators.xlsx",
        "data/template.xlsx",
        ".streamlit/config.toml",
        "deploy/README.md",
        "deploy/nginx/zhenggai.conf",
        "deploy/systemd/zhenggai@.service",
    ):
        assert f"{NAME}/{path}" in names, path
    assert not any("__pycache__" in name for name in names)
    for script in ("install.sh", "run.sh"):
        assert members[f"{NAME}/{script}"].mode & stat.S_IXUSR, script
    wheels = {Path(name).name for name in names if name.startswith(f"{NAME}/wheels/")}
    assert f"zhenggai_dashboard-{_version()}-py3-none-any.whl" in wheels
    # Compiled dependencies for both Python versions, Linux x86-64.
    for package in ("numpy", "pandas", "pyarrow", "python_calamine", "lxml", "pillow"):
        for tag in ("cp311", "cp312"):
            assert any(
                w.lower().startswith(f"{package}-") and f"-{tag}-" in w and "x86_64" in w
                for w in wheels
            ), (package, tag, sorted(wheels))
    assert all(w.endswith(".whl") for w in wheels), "only wheels, no source archives"


def test_run_sh_passes_production_flags_then_arguments(archive: Path) -> None:
    with tarfile.open(archive) as tar:
        member = tar.extractfile(f"{NAME}/run.sh")
        assert member is not None
        text = member.read().decode("utf-8")
    assert "@PRODUCTION_FLAGS@" not in text
    assert f'-m streamlit run dashboard.py {" ".join(PRODUCTION_FLAGS)} "$@"' in text


def test_install_is_offline_and_complete(installed: Path) -> None:
    python = installed / ".venv" / "bin" / "python"
    probe = (
        "import importlib, pathlib, sys\n"
        "for name in ('metrics', 'report', 'charts', 'briefing', 'ui', 'streamlit', 'pandas',"
        " 'numpy', 'pyarrow', 'plotly', 'openpyxl', 'python_calamine', 'authlib', 'kaleido',"
        " 'pptx'):\n"
        "    module = importlib.import_module(name)\n"
        "    assert pathlib.Path(module.__file__).is_relative_to(sys.prefix), module\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [str(python), "-c", probe],
        cwd=installed,
        env=_offline_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_installed_bundle_checks_the_bundled_workbook(installed: Path) -> None:
    python = installed / ".venv" / "bin" / "python"
    result = subprocess.run(
        [str(python), "-m", "metrics", "check", "data/indicators.xlsx"],
        cwd=installed,
        env=_offline_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "可以发布" in result.stdout


@pytest.fixture
def running(installed: Path, tmp_path: Path) -> Iterator[str]:
    """``./run.sh --server.port PORT --server.address 127.0.0.1``: the dashboard's URL."""
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            ["./run.sh", "--server.port", str(port), "--server.address", "127.0.0.1"],
            cwd=installed,
            env=_offline_env(ZHENGGAI_STORE=str(tmp_path / "store")),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while not health_ok(url):
                assert proc.poll() is None, log_path.read_text("utf-8")
                assert time.monotonic() < deadline, log_path.read_text("utf-8")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_run_sh_serves_the_dashboard(running: str) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(running, timeout=10) as resp:
        assert resp.status == 200
        assert b"<html" in resp.read().lower()
