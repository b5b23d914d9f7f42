"""Exports of an event's registrations (CSV, Excel) and scan log (CSV), written as rows are read.

Rows come from the database in batches (``yield_per``) and leave as they are written, so memory
stays flat whatever the number of registrations: the CSV is a generator of chunks, the workbook
an openpyxl write-only sheet spooled to a temporary file that is then streamed.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Select, select

from eventsys.checkin.models import Scan
from eventsys.events.models import Event, TicketType
from eventsys.extensions import db
from eventsys.registration.answers import shown_answer
from eventsys.registration.listing import AttendeeFilter, attendees
from eventsys.registration.models import Registration
from eventsys.timeutil import to_local

BATCH = 500
CHUNK = 64 * 1024
BOM = "\ufeff"
# What a spreadsheet reads as the start of a formula (or hides before one): such a cell gets a
# leading apostrophe, as defusedcsv does, in the CSV and the workbook alike.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
REGISTRATION_COLUMNS = ("code", "name", "email", "ticket_type", "status", "registered_at", "checked_in_at")
SCAN_COLUMNS = ("at", "gate", "direction", "result", "code", "name")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
XLSX_TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
_REGISTRATION_FIELDS = (
    Registration.code,
    Registration.name,
    Registration.email,
    Registration.ticket_type_id,
    Registration.status,
    Registration.created_at,
    Registration.checked_in_at,
    Registration.answers,
)

Cell = str | datetime | None


def guard_cell(value: str) -> str:
    """The text as a spreadsheet should show it, never run: a formula-like start gets a ``'``."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def answer_text(value: Any) -> str:
    """An answer as one cell: several choices joined with "; ", a checkbox as yes/no."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return str(value)


def registration_header(event: Event) -> list[str]:
    return [*REGISTRATION_COLUMNS, *(question.label for question in event.questions)]


def ticket_type_names(event_id: int) -> dict[int, str]:
    rows = db.session.execute(select(TicketType.id, TicketType.name).where(TicketType.event_id == event_id))
    return {row.id: row.name for row in rows}


def registration_rows(event: Event, values: AttendeeFilter) -> Iterator[list[Cell]]:
    """One row a registration the filter selects, in its order; times local to the event."""
    questions = list(event.questions)
    ticket_types = ticket_type_names(event.id)
    query = attendees(event.id, values).with_only_columns(*_REGISTRATION_FIELDS)
    for row in _in_batches(query):
        answers = row.answers or {}
        yield [
            row.code,
            row.name,
            row.email or "",
            ticket_types.get(row.ticket_type_id, ""),
            row.status.value,
            to_local(row.created_at, event.timezone),
            to_local(row.checked_in_at, event.timezone),
            *(answer_text(shown_answer(question, answers.get(str(question.id)))) for question in questions),
        ]


def scan_rows(event: Event) -> Iterator[list[Cell]]:
    """The scan log, oldest first: a scan of no known ticket shows what was read (never a payload)."""
    query = (
        select(Scan.scanned_at, Scan.gate, Scan.direction, Scan.result, Scan.code_read)
        .add_columns(Registration.code, Registration.name)
        .outerjoin(Registration, Registration.id == Scan.registration_id)
        .where(Scan.event_id == event.id)
        .order_by(Scan.scanned_at, Scan.id)
    )
    for row in _in_batches(query):
        yield [
            to_local(row.scanned_at, event.timezone),
            row.gate,
            row.direction.value,
            row.result.value,
            row.code or row.code_read,
            row.name or "",
        ]


def _in_batches(query: Select) -> Iterator[Any]:
    yield from db.session.execute(query.execution_options(yield_per=BATCH))


# --- CSV --------------------------------------------------------------------------------------


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(TIME_FORMAT)
    return guard_cell(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """UTF-8 with a BOM (so Excel reads Chinese names right), RFC 4180 quoting, CRLF lines;
    handed out in chunks of about 64 KB as the rows come."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([guard_cell(title) for title in header])
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- Excel ------------------------------------------------------------------------------------


def _xlsx_cell(sheet: Any, value: Cell) -> Any:
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value.replace(tzinfo=None, microsecond=0))  # no zones in Excel: local time
        cell.number_format = XLSX_TIME_FORMAT
        return cell
    if value is None:
        return None
    # A workbook cannot hold control characters (openpyxl refuses them); a line break it can.
    return guard_cell(ILLEGAL_CHARACTERS_RE.sub("", value))


def write_xlsx(header: Sequence[str], rows: Iterable[Sequence[Cell]], title: str) -> IO[bytes]:
    """The rows as a workbook of one sheet, in a temporary file (rewound, deleted when closed).

    Write-only mode keeps no rows in memory: openpyxl spools each row to disk as it is appended.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([guard_cell(ILLEGAL_CHARACTERS_RE.sub("", name)) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    spool = tempfile.TemporaryFile()  # noqa: SIM115  (closed by file_chunks once streamed)
    workbook.save(spool)
    spool.seek(0)
    return spool


def file_chunks(spool: IO[bytes]) -> Iterator[bytes]:
    """A file's bytes in chunks, closing (and so deleting) it at the end or when the client leaves."""
    with spool:
        while chunk := spool.read(CHUNK):
            yield chunk
