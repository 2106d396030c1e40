"""Benchmark of the Word documents from the command line (part of ``make bench``; also runs
on its own): ``python -m briefing FILE --format docx`` (the report, its three figures
rendered by Chromium) and ``--format docx --since v1`` (the bulletin against a store),
each timed as a subprocess from start to exit, interpreter start-up included.

Goals (issue #18): the report ≤ 3 s and the bulletin ≤ 2 s wall (median of the runs
after one warm-up run), on an idle machine and with every core but one kept busy by
CPU-burning processes. Each written file is checked (the report must hold its figures),
so that a faster but poorer document never passes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "data" / "indicators.xlsx"
REPORT_GOAL_MS = 3000.0
BULLETIN_GOAL_MS = 2000.0
REPORT_FIGURES = 3  # the bundled data's report shows three charts


def changed_workbook(source: Path, out: Path) -> Path:
    """The bundled workbook a round later: two tasks in progress now done (the reported
    count of completed tasks to match), ten values up by a tenth."""
    wb = openpyxl.load_workbook(source)
    tasks = wb["任务"]
    status = [c.value for c in tasks[1]].index("状态")
    done = 0
    for row in tasks.iter_rows(min_row=2):
        if row[status].value == "正在整改" and done < 2:
            row[status].value = "已完成"
            done += 1
    completed = sum(
        1
        for row in tasks.iter_rows(min_row=2, values_only=True)
        if row[status] in ("已完成", "长期坚持")
    )
    values = 0
    for row in wb["数据"].iter_rows(min_row=2):
        if isinstance(row[2].value, int | float) and values < 10:
            row[2].value = round(row[2].value * 1.1, 2)
            values += 1
    for row in wb["概况"].iter_rows(min_row=2):
        if row[0].value == "报告已完成数":
            row[1].value = completed
    wb.save(out)
    return out


def run_ms(command: Sequence[str], env: dict[str, str], out: Path) -> float:
    """One run of the command line, start to exit; SystemExit when it fails."""
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0 or not out.is_file():
        raise SystemExit(f"{' '.join(command[1:])} failed ({done.returncode}): {done.stderr}")
    return elapsed


def is_document(docx: Path) -> bool:
    if not zipfile.is_zipfile(docx):
        return False
    with zipfile.ZipFile(docx) as package:
        return "word/document.xml" in package.namelist()


def images_in(docx: Path) -> int:
    with zipfile.ZipFile(docx) as package:
        return sum(1 for name in package.namelist() if name.startswith("word/media/"))


def measure(label: str, command: Sequence[str], env: dict[str, str], out: Path, n: int) -> float:
    run_ms(command, env, out)  # warm-up: the OS's file cache, Python's bytecode cache
    times = [run_ms(command, env, out) for _ in range(n)]
    median = statistics.median(times)
    print(
        f"  {label:<40} median {median:7.0f} ms   min {min(times):6.0f}   "
        f"max {max(times):6.0f}   n={n}"
    )
    return median


@contextmanager
def cpu_burners(count: int) -> Iterator[None]:
    """``count`` processes spinning on the CPU for as long as the block runs."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        time.sleep(0.5)  # spinning before the first run
        yield
    finally:
        for burner in burners:
            burner.kill()
        for burner in burners:
            burner.wait()


def verdict(label: str, median: float, goal: float) -> bool:
    met = median <= goal
    mark = "met" if met else f"MISSED by {median - goal:.0f} ms"
    print(f"  goal: {label} ≤ {goal:.0f} ms … {mark}")
    return met


def run(quick: bool = False, burners: int | None = None) -> bool:
    n = 3 if quick else 5
    busy = burners if burners is not None else max(1, (os.cpu_count() or 2) - 1)
    with tempfile.TemporaryDirectory(prefix="bench-documents-") as folder:
        work = Path(folder)
        env = {k: v for k, v in os.environ.items() if k != "ZHENGGAI_DATABASE_URL"}
        env["ZHENGGAI_STORE"] = str(work / "store")
        publish = [sys.executable, "-m", "metrics", "publish", str(BUNDLED), "--actor", "基准测试"]
        published = subprocess.run(publish, cwd=ROOT, env=env, capture_output=True, text=True)
        if published.returncode != 0:
            raise SystemExit(f"could not publish {BUNDLED} into the bench store: {published}")
        later = changed_workbook(BUNDLED, work / "later.xlsx")
        report_out, bulletin_out = work / "report.docx", work / "bulletin.docx"
        briefing = [sys.executable, "-m", "briefing"]
        report = [*briefing, str(BUNDLED), "--format", "docx", "--out", str(report_out)]
        bulletin = [*briefing, str(later), "--format", "docx", "--since", "v1"]
        bulletin += ["--out", str(bulletin_out)]

        load = os.getloadavg()[0]
        print(
            f"\nWord documents from the command line (subprocess, start-up included; "
            f"{os.cpu_count()} CPUs, load average {load:.1f} at start)"
        )
        ok = True
        for state in ("idle", "busy"):
            if state == "idle":
                print("  idle machine:")
                report_ms = measure("report (3 figures, Chromium)", report, env, report_out, n)
                bulletin_ms = measure("bulletin v1 → later file", bulletin, env, bulletin_out, n)
            else:
                print(f"  under load ({busy} CPU-burning process{'es' if busy > 1 else ''}):")
                with cpu_burners(busy):
                    report_ms = measure("report (3 figures, Chromium)", report, env, report_out, n)
                    bulletin_ms = measure(
                        "bulletin v1 → later file", bulletin, env, bulletin_out, n
                    )
            figures = images_in(report_out)
            if figures < REPORT_FIGURES:
                print(f"  the report holds {figures} images, not {REPORT_FIGURES}: MISSED")
                ok = False
            if not is_document(bulletin_out):
                print("  the bulletin is not a Word document: MISSED")
                ok = False
            ok = verdict(f"report, {state}", report_ms, REPORT_GOAL_MS) and ok
            ok = verdict(f"bulletin, {state}", bulletin_ms, BULLETIN_GOAL_MS) and ok
        if load > 1.0:
            print(f"  (load average {load:.1f} at start: other work may have slowed the runs)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 runs each instead of 5")
    parser.add_argument(
        "--burners", type=int, help="CPU-burning processes under load (default: CPUs - 1)"
    )
    args = parser.parse_args()
    return 0 if run(args.quick, args.burners) else 1


if __name__ == "__main__":
    raise SystemExit(main())
