"""督办三色 (supervision colours): 红 / 黄 / 蓝 per open task, each with the rule that gave it.

- ``settings``: the rules and days (``ZHENGGAI_BLUE_DAYS`` …, 概况 keys override them).
- ``model``: the colours (symbol + word), a task's ``TaskWarning``, the rounds facts.
- ``rules``: ``colours(scored, facts, settings)`` and ``active_rules`` (the rules in words).
- ``facts``: the rounds facts from the round tables (late reports, returned 销号).
- ``ranking``: units ranked by red, then yellow, then completion.
"""
