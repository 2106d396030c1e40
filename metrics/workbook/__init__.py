"""The workbook: reading it, finding its tables, loading them into the model, writing it.

Reading and loading:

- ``reader``: sheets' raw rows from .xlsx bytes (python-calamine), with the facts of
  ``ooxml``.
- ``ooxml``: a scan of the OOXML package for what calamine hides (1904 dates, sheet
  visibility, error values, formulas without a saved result), never trusting what the
  file declares (``scan``, ``package``, ``workbook``, ``cell_scan``, ``facts``).
- ``table``: the header row of a contract sheet found among the first rows; records.
- ``cell_readers``: the registry kind → reader (each column's ``kind`` in the contract
  selects how its cells are read) and ``CellReader``, which logs each cell's problem.
- ``loader``: ``load_workbook`` — every sheet of the contract into a ``Dataset`` and a
  problem list naming sheet, row and column; ``reported_count_warnings``.
- ``observation_rows``: the 数据 sheet (fast path for plain rows, careful path for the rest).
- ``progress_rows``: the optional 进展 sheet (each round's progress reports per task).
- ``cross_checks``: a task's dates against its status, 概况 counts against the task table.

Writing:

- ``template``: ``write_workbook``, ``workbook_bytes``, ``template_bytes``,
  ``write_template`` (openpyxl; deterministic bytes; paths replaced atomically).
- ``template_sheets``: the data sheets of a written workbook (headers, drop-downs, values).
- ``instructions``: the 说明 sheet, generated from the contract.
- ``workbook_diff``: ``read_cell_values`` and ``diff_workbooks`` (cell by cell, with kinds).
- ``edits``: ``apply_edits`` — accepted changes (task status and dates, 截至日期, new 数据 and
  进展 rows) written into the office's own workbook in place (openpyxl); ``edit_cells``
  holds its cell-level helpers.
- ``source_data``: the bundled data's TOML sources (every figure with its report sentence).
"""
