"""Untrusted uploads: checked before they are parsed, parsed in a sandboxed child.

- ``untrusted``: ``load_untrusted`` (the entry): the checks, then the parse in a child.
- ``limits``: ``IntakeLimits`` and the ``ZHENGGAI_*`` settings that change them.
- ``checks``: the file type by content (``describe_content``) and the zip package against
  the limits (``check_package``, ``IntakeRefused`` with a Chinese message).
- ``sandbox``: the child process (memory and time capped), started early and killed when
  the upload is refused.
- ``transport``: the child's ``LoadResult`` as bytes (observations as columns).
- ``parse_child``: the child's side (``python -m metrics.intake.parse_child``).
"""
