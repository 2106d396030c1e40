"""Streamlit-side code shared by pages: cached data access, widgets and rendering.

Each page in ``pages/`` reads its inputs, calls one function here (or in ``report``) and
renders; flows with several steps live here (``upload_flow``, ``history_view``,
``issue_view``). ``launch`` builds the ``streamlit run`` command line (no streamlit import).
"""
