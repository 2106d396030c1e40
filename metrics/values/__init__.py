"""Values as staff write them in cells, read exactly.

- ``units``: the units an indicator may have (%, 亿元, 万人, 微克/立方米, 名次 …) and conversion.
- ``quantities``: ``parse_quantity`` — numbers written in digits or Chinese numerals with
  scale, qualifier and unit, ranges refused; ``Quantity``, ``PERCENT``.
- ``numerals``: the grammar of Chinese numerals (三十万, 一百零五, 两千五, 九点六二).
- ``qualifiers``: ``Qualifier`` (余, 约, 近, 左右, 以上 … and where it is written), ``Sense``,
  ``Place``, ``QUALIFIER_WORDS``, ``ABOUT``.
- ``quantity_errors``: ``QuantityError`` and the messages saying how to write a number.
- ``formatting``: ``format_number`` words a figure as the report does ("约60亿元", "6200余亩").
- ``dates``: Excel dates and Chinese date text.
- ``cells``: one reader per kind of cell (text, task number, count, choice, quantity, date).
- ``text``: ``shorten`` — the one way every layer cuts text to a length.
"""
