"""The workbook: reading it, finding its tables, loading them into the model, writing it.

- ``reader``: sheets' raw rows from .xlsx bytes (python-calamine).
- ``table``: the header row of a contract sheet found among the first rows; records.
- ``loader``: ``load_workbook`` — every sheet of the contract into a ``Dataset`` and a
  problem list naming sheet, row and column.
- ``template``: the blank template and the bundled workbook, written with openpyxl.
- ``xlsx_scan``: a streaming scan of the OOXML package (sizes, parts, rows) that never
  trusts what the file declares.
- ``source_data``: the bundled data's TOML sources (every figure with its report sentence).
"""
