"""What the dashboard and the exports both show, worded and laid out (pure Python, no
streamlit or plotly): the presentation layer between ``metrics`` and ``ui``/``briefing``.

- ``literal``: workbook text shown literally in Markdown, HTML and plotly.
- ``views``: tables, filters, attention items and sentences built from scored data.
- ``safe_cells``: spreadsheet and CSV cells that can never run as formulas.
"""
