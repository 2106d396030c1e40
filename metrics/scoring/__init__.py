"""Progress maths over a loaded ``Dataset``; all dates relative to the workbook's 截至日期.

- ``progress``: ``score`` — each indicator's progress, expected progress and status;
  each task's colour and reason.
- ``counting``: which statuses count as complete (``ZHENGGAI_COUNT_ONGOING_AS_DONE``).
- ``rollup``: completion by 方面, 问题 and 牵头单位, and the counts beside a rate (``tally``).
- ``headline``: the overview's figures (completion rate, targets met among those with data).
- ``changes``: what a new version changes against the current one.
- ``scope``: a subset of tasks for exports (one 方面, chosen tasks).
- ``summary``: everything computed, as JSON (``python -m metrics summary --json``).
"""
