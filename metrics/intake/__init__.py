"""Untrusted uploads: checked before they are parsed, parsed in a child process.

- ``untrusted``: ``load_untrusted`` — file type by content, package checks and limits
  (``IntakeLimits``, set by ``ZHENGGAI_*``), then the parse in a sandboxed child.
- ``parse_child``: the child's side (``python -m metrics.intake.parse_child``).
"""
