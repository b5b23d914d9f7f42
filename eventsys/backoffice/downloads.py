"""The export files as HTTP answers, the same for the API and the organizer's pages: the list's
filters read from the query string, streamed where the format allows, never cached."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from flask import Response, stream_with_context

from eventsys.backoffice import exports, paper
from eventsys.events.models import Event
from eventsys.registration.listing import filter_from_args

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def _filename(event: Event, what: str, extension: str) -> str:
    return f"{event.slug}-{what}.{extension}"


def _attachment(body: bytes | Iterator[bytes], mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def registrations_csv(event: Event, args: Mapping[str, str]) -> Response:
    values = filter_from_args(args, event)  # before the answer starts: a bad filter is a 422
    chunks = exports.csv_chunks(exports.registration_header(event), exports.registration_rows(event, values))
    return _attachment(stream_with_context(chunks), CSV, _filename(event, "registrations", "csv"))


def registrations_xlsx(event: Event, args: Mapping[str, str]) -> Response:
    values = filter_from_args(args, event)
    rows = exports.registration_rows(event, values)
    spool = exports.write_xlsx(exports.registration_header(event), rows, "Registrations")
    return _attachment(exports.file_chunks(spool), XLSX, _filename(event, "registrations", "xlsx"))


def scans_csv(event: Event, args: Mapping[str, str]) -> Response:
    chunks = exports.csv_chunks(exports.SCAN_COLUMNS, exports.scan_rows(event))
    return _attachment(stream_with_context(chunks), CSV, _filename(event, "scans", "csv"))


def badges_pdf(event: Event, args: Mapping[str, str]) -> Response:
    return _attachment(paper.badges_pdf(event, filter_from_args(args, event)), PDF, _filename(event, "badges", "pdf"))


def door_list_pdf(event: Event, args: Mapping[str, str]) -> Response:
    body = paper.door_list_pdf(event, filter_from_args(args, event))
    return _attachment(body, PDF, _filename(event, "door-list", "pdf"))


# file name in the URL -> (endpoint function name, answer)
FILES: dict[str, tuple[str, Callable[[Event, Mapping[str, str]], Response]]] = {
    "registrations.csv": ("registrations_csv", registrations_csv),
    "registrations.xlsx": ("registrations_xlsx", registrations_xlsx),
    "scans.csv": ("scans_csv", scans_csv),
    "badges.pdf": ("badges_pdf", badges_pdf),
    "door-list.pdf": ("door_list_pdf", door_list_pdf),
}
