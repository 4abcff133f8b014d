"""CSV downloads, with the one guard against formula injection."""

import csv
import re
from collections.abc import Iterable

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PHONE_LIKE = re.compile(r"\+?[0-9 ()/-]+")


def spreadsheet_safe(value) -> str:
    """The cell as text. Spreadsheets evaluate a cell that starts with = + - @ (or a tab or
    carriage return before one) as a formula (CSV injection): such a cell is quoted with a
    leading apostrophe. A phone number like "+49 231 …" cannot call functions and stays."""
    text = "" if value is None else str(value)
    if text[:1] in FORMULA_START and not PHONE_LIKE.fullmatch(text):
        return f"'{text}"
    return text


def csv_response(*, filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV attachment: a byte order mark (spreadsheet programs read UTF-8 only with it), the
    header, then the rows, every cell through `spreadsheet_safe`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([str(label) for label in header])
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response
