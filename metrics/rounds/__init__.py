"""Reporting rounds (填报轮次): units report their progress, the office reviews and
publishes (see docs/architecture.md, "A reporting round").

``roles`` (who may do what), ``units`` (units and their tasks in a version's data),
``model`` (rounds, drafts, submissions, decisions, evidence), ``schema`` and
``repository`` (the tables, on the versions database of either backend), ``service``
(every operation, rights checked), ``merge`` (accepted reports onto a workbook),
``board`` (one row per unit), ``evidence`` (files checked by content).
"""
