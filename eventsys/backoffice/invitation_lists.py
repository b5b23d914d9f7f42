"""Reading a list of people to invite, as an organizer pastes it or uploads it as CSV.

A pasted line reads ``Name, e-mail``, ``Name <e-mail>``, ``Name<TAB>e-mail`` or ``Name e-mail``
(Chinese commas too); a CSV file has a name and an e-mail column, with or without a header
row, in UTF-8 with or without a byte-order mark. Both become lines of text with their numbers,
so that the page can show its problems line by line in the text the organizer can correct.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

ADDRESS = re.compile(r"<?([^\s<>,;，；]+@[^\s<>,;，；]+)>?")
SEPARATORS = " \t,;，；、"
HEADER_WORDS = ("mail", "邮箱", "邮件")


@dataclass(frozen=True)
class ListedPerson:
    line: int  # 1-based, in the text as shown again
    name: str
    email: str


def read_lines(text: str) -> tuple[list[ListedPerson], dict[int, str]]:
    """The people on the text's lines, and the lines (by number) without an e-mail address.

    Blank lines are passed over; a first line that names the columns (``name,email``) too.
    """
    people, unreadable = [], {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or (not people and not unreadable and _is_header(line)):
            continue
        found = ADDRESS.search(line)
        if found is None:
            unreadable[number] = line
            continue
        name = (line[: found.start()] + " " + line[found.end() :]).strip(SEPARATORS + "\"'")
        people.append(ListedPerson(number, name, found.group(1)))
    return people, unreadable


def _is_header(line: str) -> bool:
    lowered = line.lower()
    return "@" not in line and any(word in lowered for word in HEADER_WORDS)


def csv_as_lines(data: bytes) -> str:
    """An uploaded CSV file as ``Name, e-mail`` lines (UnicodeDecodeError: not UTF-8)."""
    text = data.decode("utf-8-sig")
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    if not rows:
        return ""
    name_at, email_at = _columns(rows[0])
    if name_at is not None and email_at is not None:
        rows = rows[1:]
    lines = []
    for row in rows:
        cells = [cell.strip() for cell in row]
        email = _cell(cells, email_at) if email_at is not None else next((c for c in cells if "@" in c), "")
        name = _cell(cells, name_at) if name_at is not None else next((c for c in cells if c and c != email), "")
        lines.append(f"{name}, {email}" if email else ", ".join(cells))
    return "\n".join(lines)


def _columns(header: list[str]) -> tuple[int | None, int | None]:
    """Where a header row puts the name and the e-mail (None, None: the first row is no header)."""
    cells = [cell.strip().lower() for cell in header]
    if any("@" in cell for cell in cells):
        return None, None
    email_at = next((i for i, cell in enumerate(cells) if any(word in cell for word in HEADER_WORDS)), None)
    name_at = next((i for i, cell in enumerate(cells) if i != email_at and ("name" in cell or "姓名" in cell)), None)
    if email_at is not None and name_at is None:
        name_at = next((i for i in range(len(cells)) if i != email_at), None)
    return name_at, email_at


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""
