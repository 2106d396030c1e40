"""Exports for briefings: chart images, slide deck, offline report, Excel summary."""
