"""Offline bundle: ``make bundle`` writes ``dist/zhenggai-dashboard-<version>.tar.gz`` (and
its SHA-256 beside it, ``….tar.gz.sha256``).

The archive has one top-level folder ``zhenggai-dashboard-<version>/`` holding

- ``wheels/``: the project's own wheel (``pip wheel --no-deps``) and a wheel of every
  runtime dependency for Linux x86-64, CPython 3.11 and 3.12 (glibc 2.28 or newer, e.g.
  Debian 10+, RHEL 8+), downloaded from the hashed lock file ``deploy/bundle/requirements.lock``
  (``pip download --require-hashes --only-binary=:all:``): every version pinned, every
  file checked against the SHA-256 recorded when the lock was made;
- ``requirements.lock``: that lock file plus the project's own wheel with its SHA-256;
- ``dashboard.py``, ``pages/``, ``assets/``, ``data/``, ``.streamlit/config.toml``: the
  Streamlit scripts and files, run from the unpacked folder; ``deploy/``: the production
  recipe (nginx, systemd; deploy/README.md);
- ``install.sh``: checks ``SHA256SUMS``, creates ``.venv`` with the system python3 and
  installs ONLY from ``wheels/``, ONLY what ``requirements.lock`` names with its hash
  (``pip install --require-hashes --no-index --find-links wheels``);
- ``run.sh``: starts the dashboard with ``ui.launch.PRODUCTION_FLAGS`` on 127.0.0.1; its
  arguments go to ``streamlit run`` (``./run.sh --server.port 8600``);
- ``SHA256SUMS``: the SHA-256 of every other file (``sha256sum -c SHA256SUMS``).

Building needs the network (PyPI); installing never does. ``--lock`` re-makes the lock
file from ``requirements.txt`` (after changing it: the tests check that they agree).

    python scripts/bundle.py                       # both Python versions, into dist/
    python scripts/bundle.py --python 3.11 --out /tmp/b
    python scripts/bundle.py --lock                # deploy/bundle/requirements.lock
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from collections.abc import Sequence
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

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
LOCK = TEMPLATES / "requirements.lock"
LOCK_NAME = "requirements.lock"  # in the bundle: LOCK plus the project's own wheel
SUMS_NAME = "SHA256SUMS"
LOCK_HEADER = """\
# The runtime dependencies of the offline bundle, every one pinned with the SHA-256 of each
# wheel the bundle may ship (Linux x86-64, CPython {versions}). Made by
# `python scripts/bundle.py --lock` from requirements.txt; do not edit by hand. The bundle
# is downloaded with `pip download --require-hashes` and installed with
# `pip install --require-hashes --no-index` from this file (scripts/bundle.py).
"""
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


def _platform_args(python_version: str) -> list[str]:
    platforms = [arg for platform in PLATFORMS for arg in ("--platform", platform)]
    return [
        "--only-binary=:all:",
        *platforms,
        "--python-version",
        python_version,
        "--implementation",
        "cp",
    ]


def lock_for(lock: Path, python_version: str, dest: Path) -> Path:
    """``lock`` with only the pins whose marker holds for ``python_version``, markers
    removed, written to ``dest``. (``pip download --python-version`` judges markers by the
    Python running pip, not by the one named.)"""
    environment = {"python_version": python_version, "python_full_version": f"{python_version}.0"}
    kept: list[str] = []
    block: list[str] = []

    def flush() -> None:
        if block:
            requirement = Requirement(block[0].removesuffix("\\").strip())
            if requirement.marker is None or requirement.marker.evaluate(environment):
                requirement.marker = None  # pip would judge it by the Python running pip
                kept.append(f"{requirement} \\")
                kept.extend(block[1:])
            block.clear()

    for line in lock.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            flush()
        elif line.startswith((" ", "\t")):
            block.append(line)
        else:
            flush()
            block.append(line)
    flush()
    dest.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return dest


def download_dependencies(lock: Path, wheels: Path, python_version: str) -> None:
    """The wheels ``lock`` names for ``python_version``, each checked against its hash."""
    with tempfile.TemporaryDirectory(prefix="zhenggai-lock-") as tmp:
        _pip(
            "download",
            "--require-hashes",
            "--no-deps",
            "--requirement",
            str(lock_for(lock, python_version, Path(tmp) / f"py{python_version}.lock")),
            *_platform_args(python_version),
            "--dest",
            str(wheels),
        )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def lock_text(wheels_by_python: dict[str, list[Path]]) -> str:
    """The lock file for the wheels pip resolved for each Python version: one pin per
    project and version, with the hashes of its wheels (a pin that not every Python
    version needs gets a marker)."""
    pins: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for python, wheels in wheels_by_python.items():
        for wheel in wheels:
            project, release, _, _ = parse_wheel_filename(wheel.name)
            key = (str(canonicalize_name(project)), str(release))
            hashes, pythons = pins.setdefault(key, (set(), set()))
            hashes.add(sha256_file(wheel))
            pythons.add(python)
    every = set(wheels_by_python)
    lines = [LOCK_HEADER.format(versions=" and ".join(sorted(every)))]
    for (name, version), (hashes, pythons) in sorted(pins.items()):
        marker = ""
        if pythons != every:
            marker = " ; " + " or ".join(f'python_version == "{p}"' for p in sorted(pythons))
        lines.append(f"{name}=={version}{marker} \\")
        lines += [f"    --hash=sha256:{h} \\" for h in sorted(hashes)]
        lines[-1] = lines[-1].removesuffix(" \\")
    return "\n".join(lines) + "\n"


def make_lock(
    root: Path = ROOT, out: Path = LOCK, python_versions: Sequence[str] = PYTHON_VERSIONS
) -> Path:
    """Resolve ``requirements.txt`` for each Python version (``pip download``, all
    dependencies) and write the hashed lock file ``out``."""
    with tempfile.TemporaryDirectory(prefix="zhenggai-lock-") as tmp:
        found: dict[str, list[Path]] = {}
        for version in python_versions:
            dest = Path(tmp) / version
            _pip(
                "download",
                "--requirement",
                str(root / "requirements.txt"),
                *_platform_args(version),
                "--dest",
                str(dest),
            )
            found[version] = sorted(dest.glob("*.whl"))
        out.write_text(lock_text(found), encoding="utf-8")
    return out


def write_bundle_lock(lock: Path, wheels: Path, dest: Path) -> None:
    """``lock`` plus the project's own wheel (a path, with its hash: hash-checking mode
    installs nothing without one)."""
    (project,) = wheels.glob("zhenggai_dashboard-*.whl")
    text = lock.read_text(encoding="utf-8")
    text += (
        "# The dashboard itself (built with the bundle).\n"
        f"./wheels/{project.name} \\\n    --hash=sha256:{sha256_file(project)}\n"
    )
    dest.write_text(text, encoding="utf-8")


def write_sums(stage: Path) -> Path:
    """``SHA256SUMS`` of every file under ``stage`` (``sha256sum -c`` format, sorted)."""
    sums = stage / SUMS_NAME
    lines = [
        f"{sha256_file(path)}  {path.relative_to(stage).as_posix()}"
        for path in sorted(stage.rglob("*"))
        if path.is_file() and path != sums
    ]
    sums.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return sums


def render_script(name: str) -> str:
    """``deploy/bundle/<name>`` with ``@PRODUCTION_FLAGS@`` filled in."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return text.replace("@PRODUCTION_FLAGS@", " ".join(PRODUCTION_FLAGS))


def _tar_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def build_bundle(
    out_dir: Path,
    python_versions: Sequence[str] = PYTHON_VERSIONS,
    root: Path = ROOT,
    lock: Path = LOCK,
) -> Path:
    """Build the bundle into ``out_dir``; return the path of the ``.tar.gz`` (its SHA-256
    is written beside it, ``<archive>.sha256``)."""
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
            download_dependencies(lock, wheels, version)
        write_bundle_lock(lock, wheels, stage / LOCK_NAME)
        for item in APP_FILES:
            _copy(root / item, stage / item)
        for script in SCRIPTS:
            path = stage / script
            path.write_text(render_script(script), encoding="utf-8")
            path.chmod(0o755)
        write_sums(stage)
        partial = archive.with_name(archive.name + ".part")
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            tar.add(stage, arcname=name, filter=_tar_filter)
        partial.replace(archive)
    archive.with_name(archive.name + ".sha256").write_text(
        f"{sha256_file(archive)}  {archive.name}\n", encoding="utf-8"
    )
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
    parser.add_argument(
        "--lock",
        action="store_true",
        help=f"re-make {LOCK.relative_to(ROOT)} from requirements.txt (needs the network)",
    )
    args = parser.parse_args(argv)
    started = time.monotonic()
    versions = tuple(args.versions or PYTHON_VERSIONS)
    if args.lock:
        print(f"{make_lock(python_versions=versions)}: written")
        return 0
    archive = build_bundle(args.out, versions)
    size_mb = archive.stat().st_size / 1e6
    print(f"{archive}: {size_mb:.0f} MB in {time.monotonic() - started:.0f} s")
    print(f"SHA-256 {sha256_file(archive)} (compare it on the server before installing)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
