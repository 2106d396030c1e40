"""The child side of ``metrics.intake.untrusted``:
``python -m metrics.intake.parse_child MEMORY_BYTES``.

Reads a workbook from stdin, caps its own address space, loads and validates it,
and writes the pickled ``LoadResult`` to stdout. Run as a separate interpreter so
that an abort inside python-calamine, a memory blow-up or a hang can only take this
process down.
"""

from __future__ import annotations

import pickle
import sys


def main(argv: list[str]) -> int:
    memory_bytes = int(argv[1]) if len(argv) > 1 else 0
    data = sys.stdin.buffer.read()
    if memory_bytes > 0:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        except (ImportError, ValueError, OSError):
            pass  # not on Linux: the parent's time limit still applies
    from metrics.workbook.loader import load_workbook

    result = load_workbook(data)
    sys.stdout.buffer.write(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
