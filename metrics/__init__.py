"""Domain core of the 整改进展看板: pure Python, no streamlit, no plotly.

- ``contract``: the Chinese sheet and column names staff fill in;
- ``reader``, ``table``, ``cells``, ``loader``: read, validate and interpret a workbook
  into a ``model.Dataset``, collecting every ``problems.Problem`` at once;
- ``units``, ``quantities``, ``dates``: values as people type them;
- ``xlsx_scan``: package facts calamine does not report (1904 dates, error cells);
- ``progress``, ``rollup``, ``headline``, ``summary``: the maths and its outputs;
- ``workbook_writer``, ``source_data``: the bundled workbook and the blank template;
- ``cli``: ``python -m metrics check|summary|template``.
"""
