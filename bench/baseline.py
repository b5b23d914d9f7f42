"""The bare sketch that `make bench-register` measures eventsys against: the stack itself.

The same packages (Flask, Flask-SQLAlchemy Core, gunicorn) and the same migrated database as
the benchmark gives eventsys, but nothing of eventsys: the event is looked up by its slug, then
one ``BEGIN IMMEDIATE`` takes a seat of the event and of its ticket type and inserts the
registration and its outbox row. No duplicate check, no validation of the answers, no links in
the answer: what is left of a registration when every feature is taken away.

Writers line up on an flock() before BEGIN IMMEDIATE, as eventsys's do (without it SQLite's busy
handler sleeps, and the sketch measured slower): the yardstick is the fastest bare version.

Served by gunicorn as ``baseline:app`` from this folder, with the benchmark's environment.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from typing import Any

from flask import Flask, abort, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Table, bindparam, event, insert, or_, select, update

app = Flask(__name__)
app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
db = SQLAlchemy(app)


def _configure(engine) -> None:
    """pysqlite's transaction handling off; BEGIN IMMEDIATE for writers (SQLAlchemy's recipe),
    reads outside any transaction."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        for pragma in ("busy_timeout = 10000", "foreign_keys = ON", "journal_mode = WAL", "synchronous = NORMAL"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        if connection.get_execution_options().get("immediate"):
            connection.exec_driver_sql("BEGIN IMMEDIATE")


with app.app_context():
    _configure(db.engine)
    schema = MetaData()
    events, types, registrations, outbox = (
        Table(name, schema, autoload_with=db.engine)
        for name in ("events", "ticket_types", "registrations", "outbox_messages")
    )



@cache
def _writer_lock() -> int:
    """Opened in each worker on its first write (a descriptor shared across a fork excludes nobody)."""
    return os.open(db.engine.url.database + ".baseline-writer-lock", os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def writers_in_line() -> Iterator[None]:
    """One writer at a time on this machine, woken at once when the previous one is done."""
    fcntl.flock(_writer_lock(), fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(_writer_lock(), fcntl.LOCK_UN)


EVENT_BY_SLUG = (
    select(events.c.id, types.c.id)
    .join(types, types.c.event_id == events.c.id)
    .where(events.c.slug == bindparam("slug"))
    .limit(1)
)
TAKE_EVENT_SEAT = update(events).where(
    events.c.id == bindparam("event_id"), or_(events.c.capacity.is_(None), events.c.seats_taken < events.c.capacity)
).values(seats_taken=events.c.seats_taken + 1)
TAKE_TYPE_SEAT = update(types).where(
    types.c.id == bindparam("type_id"), or_(types.c.capacity.is_(None), types.c.seats_taken < types.c.capacity)
).values(seats_taken=types.c.seats_taken + 1)
INSERT_REGISTRATION = insert(registrations)
INSERT_MAIL = insert(outbox)


def _registration_row(event_id: int, type_id: int, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "ticket_type_id": type_id,
        "code": secrets.token_urlsafe(6),  # 48 bits: no collision in a run, as ours never collide (it retries)
        "name": body["name"],
        "email": body["email"].lower(),
        "status": "confirmed",
        "answers": {},
        "locale": "en",
        "ticket_nonce": secrets.token_bytes(16),
        "secret_hash": hashlib.sha256(secrets.token_bytes(20)).hexdigest(),
        "manage_hash": hashlib.sha256(secrets.token_bytes(20)).hexdigest(),
        "is_inside": False,
        "created_at": now,
        "updated_at": now,
    }


@app.post("/api/v1/events/<slug>/registrations")
def register(slug: str):
    body = request.get_json()
    found = db.session.execute(EVENT_BY_SLUG, {"slug": slug}).first()
    if found is None:
        abort(404)
    event_id, type_id = found
    now = datetime.now(UTC)
    row = _registration_row(event_id, type_id, body, now)
    with db.engine.connect().execution_options(immediate=True) as conn, writers_in_line(), conn.begin():
        if not conn.execute(TAKE_EVENT_SEAT, {"event_id": event_id}).rowcount:
            abort(409)
        if not conn.execute(TAKE_TYPE_SEAT, {"type_id": type_id}).rowcount:
            abort(409)
        registration_id = conn.execute(INSERT_REGISTRATION, row).inserted_primary_key[0]
        mail = {"kind": "confirmed", "event_id": event_id, "registration_id": registration_id}
        mail |= {"to_address": row["email"], "status": "queued", "attempts": 0, "last_error": ""}
        conn.execute(INSERT_MAIL, mail | {"next_attempt_at": now, "created_at": now})
    return {"code": row["code"], "status": "confirmed"}, 201


@app.get("/")
def index():
    return "baseline"
