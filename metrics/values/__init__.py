"""Values as staff write them in cells, read exactly.

- ``units``: the units an indicator may have (%, 亿元, 万人, 微克/立方米, 名次 …) and conversion.
- ``quantities``: numbers written in digits or Chinese numerals with scale, qualifier
  (余, 约, 近 …) and unit; ranges refused; ``format_number`` words a figure as the report does.
- ``dates``: Excel dates and Chinese date text.
- ``cells``: one reader per kind of cell (text, task number, count, choice, quantity, date).
"""
