"""Generate data/indicators.xlsx and data/template.xlsx from data/source/*.toml.

Usage (from anywhere; paths default to this repository)::

    python scripts/build_workbook.py            # regenerate both workbooks
    python scripts/build_workbook.py --check    # exit 1 if the committed ones differ

Exit codes: 0 success / up to date, 1 committed workbooks differ from the text
form (``--check``), 2 the TOML source or a value in it is invalid.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from metrics.workbook.source_data import (
    SourceError,
    build,
    check,
    load_source,
)
from metrics.workbook.template import WorkbookValueError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT / "data" / "source"
DEFAULT_OUT = REPO_ROOT / "data"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="build into a temporary directory and compare cell values with the "
        "committed workbooks instead of overwriting them",
    )
    parser.add_argument("--source-dir", type=Path, default=DEFAULT_SOURCE, help="TOML directory")
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT,
        help="where indicators.xlsx and template.xlsx live",
    )
    args = parser.parse_args(argv)
    try:
        for warning in load_source(args.source_dir).warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if args.check:
            differences = check(args.source_dir, args.out_dir)
            if differences:
                print("The workbooks do not agree with the TOML source:", file=sys.stderr)
                for line in differences:
                    print(f"  {line}", file=sys.stderr)
                print(
                    "Edit data/source/*.toml (not the .xlsx) and run "
                    "`python scripts/build_workbook.py` to regenerate.",
                    file=sys.stderr,
                )
                return 1
            print(f"OK: workbooks in {args.out_dir} agree with {args.source_dir}")
            return 0
        for path in build(args.source_dir, args.out_dir):
            print(f"wrote {path}")
        return 0
    except (SourceError, WorkbookValueError) as exc:
        print(f"error: invalid source data in {args.source_dir}:", file=sys.stderr)
        for line in str(exc).splitlines():
            print(f"  {line}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
