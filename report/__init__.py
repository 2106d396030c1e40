"""What the dashboard and the exports both show, worded and laid out (pure Python, no
streamlit or plotly): the presentation layer between ``metrics`` and ``ui``/``briefing``.

- ``literal``: workbook text shown literally in Markdown, HTML and plotly.
- ``wording``: numbers, dates, names and empty fields as tables and documents word them.
- ``palette`` and ``status``: every colour, and statuses as symbol + word + colour.
- ``headline_cards``: the headline figures (overview, upload preview, deck, offline report).
- ``views``: tables, filters, attention items and sentences built from scored data.
- ``upload_review``: an upload's check report and changes as tables.
- ``history``: versions and the audit log as tables and Markdown.
- ``safe_cells``: spreadsheet and CSV cells that can never run as formulas.
"""
