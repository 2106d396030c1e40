"""Presentation helpers shared by the dashboard, the charts and the exports (pure Python)."""
