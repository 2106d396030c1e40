"""The child side of ``metrics.intake.sandbox``:
``python -m metrics.intake.parse_child MEMORY_BYTES [SHEETS_JSON]``.

Imports the loader (while the parent still checks the package), then reads a workbook
from stdin, caps its own address space, loads and validates it, and writes the
``LoadResult`` (``metrics.intake.transport``) to stdout. Run as a separate interpreter
so that an abort inside python-calamine, a memory blow-up or a hang can only take this
process down.

With ``SHEETS_JSON`` (a JSON list of sheet names) it only reads those sheets' raw rows
(``metrics.workbook.reader.read_workbook``) and writes them as JSON
(``transport.encode_sheets``); the parent interprets them.
"""

from __future__ import annotations

import json
import os
import sys


def main(argv: list[str]) -> int:
    memory_bytes = int(argv[1]) if len(argv) > 1 else 0
    sheets = [str(name) for name in json.loads(argv[2])] if len(argv) > 2 else None
    from metrics.intake.transport import encode_result, encode_sheets
    from metrics.workbook.loader import load_workbook
    from metrics.workbook.reader import WorkbookReadError, read_workbook

    data = sys.stdin.buffer.read()
    if not data:
        return 1  # the parent refused the upload and closed the pipe
    if memory_bytes > 0:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        except (ImportError, ValueError, OSError):
            pass  # not on Linux: the parent's time limit still applies
    if sheets is None:
        answer = encode_result(load_workbook(data))
    else:
        try:
            answer = encode_sheets(read_workbook(data, sheets))
        except WorkbookReadError as exc:
            answer = encode_sheets(str(exc))
    sys.stdout.buffer.write(answer)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    code = main(sys.argv)
    # The answer is written and flushed: skip freeing a large heap object by object at
    # interpreter exit (tens of milliseconds for 100,000 rows), which the parent would wait for.
    os._exit(code)
