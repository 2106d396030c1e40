"""The offline bundle (``make bundle``, ``scripts/bundle.py``): build it, then install and run
it in a temporary folder without network access.

Building downloads the wheels for CPython 3.11 and 3.12 (about 240 MB, the pip cache makes
later runs faster) from the hashed lock file ``deploy/bundle/requirements.lock``, exactly as
``make bundle`` does; installing checks ``SHA256SUMS`` and uses ``pip install
--require-hashes --no-index`` with ``PIP_NO_INDEX=1`` and an unroutable proxy, so any
download would fail. A wheel changed after the build is refused (by ``SHA256SUMS``, and by
pip's hash check when ``SHA256SUMS`` is changed with it). The lock file itself is checked
against ``requirements.txt`` without the network. Slow (about two minutes), never skipped.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
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
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts.bundle import LOCK, PYTHON_VERSIONS, lock_for
from tests.local_server import free_port, health_ok
from tests.test_production_settings import _listening
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
        if not key.startswith(("PIP_", "STREAMLIT_"))
        and key not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "ZHENGGAI_SERVER_ADDRESS"}
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
    flags = " ".join(PRODUCTION_FLAGS)
    # Loopback unless ZHENGGAI_SERVER_ADDRESS says otherwise; later arguments win.
    address = '--server.address "${ZHENGGAI_SERVER_ADDRESS:-127.0.0.1}"'
    assert f'-m streamlit run dashboard.py \\\n    {address} {flags} "$@"' in text


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
    """``./run.sh --server.port PORT`` (listening where run.sh chooses): the dashboard's
    URL."""
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            ["./run.sh", "--server.port", str(port)],
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
    # On 127.0.0.1 only (nginx in front), not on every interface.
    assert _listening(int(running.rsplit(":", 1)[1])) == {"127.0.0.1"}
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(running, timeout=10) as resp:
        assert resp.status == 200
        assert b"<html" in resp.read().lower()


def _pins(lock_text: str) -> dict[str, tuple[Requirement, list[str]]]:
    """Each pin of a lock file: its requirement line (marker included) and hashes."""
    pins: dict[str, tuple[Requirement, list[str]]] = {}
    for block in re.split(r"\n(?=\S)", lock_text):
        lines = [line for line in block.splitlines() if not line.startswith("#")]
        if not lines:
            continue
        requirement = Requirement(lines[0].removesuffix("\\").strip())
        hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
        key = f"{canonicalize_name(requirement.name)} {requirement.marker or ''}"
        assert key not in pins, key
        pins[key] = (requirement, hashes)
    return pins


def _requirements() -> list[Requirement]:
    text = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    return [Requirement(line) for line in lines if line]


@pytest.mark.parametrize("python", PYTHON_VERSIONS)
def test_lock_file_pins_every_requirement_with_hashes(python: str, tmp_path: Path) -> None:
    """Offline: for each Python version the lock pins every direct requirement at a
    version requirements.txt allows, each pin exact and hashed. (After changing
    requirements.txt: ``python scripts/bundle.py --lock``.)"""
    text = lock_for(LOCK, python, tmp_path / "lock").read_text(encoding="utf-8")
    pins = _pins(text)
    by_name = {canonicalize_name(req.name): req for req, _ in pins.values()}
    assert len(by_name) == len(pins), "one pin per project and Python version"
    for requirement, hashes in pins.values():
        (spec,) = requirement.specifier
        assert spec.operator == "==" and hashes, requirement
    for wanted in _requirements():
        pinned = by_name.get(canonicalize_name(wanted.name))
        assert pinned is not None, f"{wanted} is not in {LOCK.name}: re-make it (--lock)"
        (spec,) = pinned.specifier
        assert wanted.specifier.contains(spec.version), (str(wanted), spec.version)
        for extra in wanted.extras:  # psycopg[binary]: its extra's package is pinned too
            assert canonicalize_name(f"{wanted.name}-{extra}") in by_name, extra


def test_bundle_ships_hashed_lock_and_checksums(archive: Path, tmp_path: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path, filter="data")
    folder = tmp_path / NAME
    sums: dict[str, str] = {}
    for line in (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        sums[name] = digest
    files = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.name != "SHA256SUMS"
    }
    assert set(sums) == files
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    # Every shipped wheel is named by the bundle's lock with its hash.
    lock = (folder / "requirements.lock").read_text(encoding="utf-8")
    assert lock.startswith(LOCK.read_text(encoding="utf-8"))
    listed = set(re.findall(r"--hash=sha256:([0-9a-f]{64})", lock))
    for wheel in (folder / "wheels").iterdir():
        assert sums[f"wheels/{wheel.name}"] in listed, wheel.name
    install = (folder / "install.sh").read_text(encoding="utf-8")
    assert "--require-hashes --no-index --find-links wheels" in install
    assert "sha256sum --check --quiet --strict SHA256SUMS" in install
    # The archive's own SHA-256, beside it, for the operator to compare.
    (line,) = archive.with_name(archive.name + ".sha256").read_text("utf-8").splitlines()
    assert line == f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive.name}"


def _tampered_copy(archive: Path, target: Path) -> tuple[Path, str]:
    """The bundle unpacked with one dependency wheel changed; (folder, wheel name)."""
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    folder = target / NAME
    wheel = min((folder / "wheels").glob("et_xmlfile-*.whl"))
    with wheel.open("ab") as f:
        f.write(b"\0")  # still a valid zip for pip (trailing bytes), but not the same file
    return folder, f"wheels/{wheel.name}"


def test_install_refuses_a_changed_wheel(archive: Path, tmp_path: Path) -> None:
    folder, changed = _tampered_copy(archive, tmp_path / "a")
    result = subprocess.run(
        ["./install.sh"],
        cwd=folder,
        env=_offline_env(PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "与 SHA256SUMS 不符" in result.stderr and changed in result.stdout + result.stderr
    assert not (folder / ".venv").exists()


def test_install_refuses_a_changed_wheel_even_with_matching_sums(
    archive: Path, tmp_path: Path
) -> None:
    """Whoever can change a wheel can change SHA256SUMS too; pip's hash check stops it."""
    folder, changed = _tampered_copy(archive, tmp_path / "b")
    sums = folder / "SHA256SUMS"
    digest = hashlib.sha256((folder / changed).read_bytes()).hexdigest()
    sums.write_text(
        re.sub(
            rf"^[0-9a-f]{{64}}  {re.escape(changed)}$",
            f"{digest}  {changed}",
            sums.read_text("utf-8"),
            flags=re.MULTILINE,
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        ["./install.sh"],
        cwd=folder,
        env=_offline_env(PYTHON=sys.executable),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DO NOT MATCH THE HASHES" in result.stderr and "hash 不符" in result.stderr
    assert not (folder / ".venv").exists()
    shutil.rmtree(folder)
