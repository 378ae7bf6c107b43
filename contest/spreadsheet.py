"""CSV that a spreadsheet opens as data: a cell a fan wrote can never run as a formula.

Excel, LibreOffice and Google Sheets run a cell that starts with =, +, -, @ (or a tab or
carriage return before one) as a formula: `=HYPERLINK(...)` in a fan's club name would reach
the moderator who opens the export. Such text cells get a leading apostrophe, as the OWASP
"CSV Injection" page advises; numbers stay numbers.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value as a spreadsheet should show it: text that would start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose rows pass through safe_cell."""

    def __init__(self, out, **options):
        self._writer = csv.writer(out, **options)

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])
