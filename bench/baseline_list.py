"""The bare sketch that `make bench-backoffice` measures the organizer's list and CSV export against.

Plain Flask and the standard library's sqlite3 on the same seeded database, nothing of eventsys:
no token, no filter, no total, no waitlist places, no ORM. The list is one query, the first 50
registrations by registration time; the export is one query written out with the csv module as
the rows come. What is left of each when every feature is taken away.

Served by gunicorn as ``baseline_list:app`` from this folder, with the benchmark's environment.
"""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import threading
from collections.abc import Iterator

from flask import Flask, Response

app = Flask(__name__)
DATABASE = os.environ["DATABASE_URL"].removeprefix("sqlite:///")
_local = threading.local()

FIRST_PAGE = (
    "SELECT r.code, r.name, r.email, r.status, r.created_at FROM registrations r"
    " JOIN events e ON e.id = r.event_id WHERE e.slug = ? ORDER BY r.created_at, r.id LIMIT 50"
)
ALL_ROWS = (
    "SELECT r.code, r.name, r.email, r.status, r.created_at, r.checked_in_at, r.answers FROM registrations r"
    " JOIN events e ON e.id = r.event_id WHERE e.slug = ? ORDER BY r.created_at, r.id"
)


def connection() -> sqlite3.Connection:
    """One connection a thread (gunicorn.conf.py's workers are threaded)."""
    if not hasattr(_local, "connection"):
        _local.connection = sqlite3.connect(DATABASE)
    return _local.connection


@app.get("/api/v1/events/<slug>/registrations")
def first_page(slug: str):
    rows = connection().execute(FIRST_PAGE, (slug,)).fetchall()
    keys = ("code", "name", "email", "status", "created_at")
    return {"items": [dict(zip(keys, row, strict=True)) for row in rows]}


@app.get("/api/v1/events/<slug>/exports/registrations.csv")
def export(slug: str):
    def chunks() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in connection().execute(ALL_ROWS, (slug,)):
            writer.writerow(row)
            if buffer.tell() >= 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(chunks(), mimetype="text/csv")


@app.get("/")
def index():
    return "baseline"
