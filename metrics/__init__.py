"""Domain core of the 整改进展看板: pure Python; never imports streamlit, plotly or the
presentation layers (``report``, ``charts``, ``briefing``, ``ui``).

Top level:

- ``model``: the loaded data (``Dataset``: meta, tasks, indicators, observations).
- ``problems``: a problem found in a workbook (severity, sheet, row, column, message).
- ``contract``: the Chinese sheet and column names staff fill in, and each column's kind.
- ``cli``: ``python -m metrics check|summary|template|users``.

Subpackages, by concern:

- ``values``: units, numbers, dates and cells as people type them.
- ``workbook``: reading, loading, scanning and writing workbooks.
- ``intake``: untrusted uploads, checked and parsed in a sandboxed child.
- ``scoring``: progress, roll-ups, headline figures, changes, scopes, the JSON summary.
- ``store``: published versions, the audit log and staff accounts.
"""
