"""督办: supervision notices (督办单) the office issues for lagging or overdue tasks.

``model`` (levels, items, notices), ``numbering`` (惠整督〔2021〕3号), ``schema`` (the
``duban_notices`` table, kept with the round tables), ``repository`` (SQL) and
``service`` (issuing, under the store's write lock, so numbers are unique and gapless
per year even when two office members issue at once; the history of a task).
"""
