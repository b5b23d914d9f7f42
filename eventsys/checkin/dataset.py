"""The offline door's dataset: what a gate needs to judge scans alone, and nothing a lost phone leaks.

Every registration of the event, whatever its status, has two entries: one found by its QR payload,
one by its short code as typed. For each of the two values:

    master = PBKDF2-HMAC-SHA256(value, the event's salt, ITERATIONS[kind], 32 bytes)
    lookup = HMAC-SHA256(master, "eventsys-door-lookup")[:16]      finds the entry
    key    = HMAC-SHA256(master, "eventsys-door-key")              opens it (AES-256-GCM)
    entry  = [lookup, iv, AES-GCM(key, iv, details JSON, associated data = lookup)]

A gate derives the same from what it scans (static/js/door/offline-crypto.js), so only a ticket
opens its own record, and the dataset holds no name, e-mail, short code or QR payload in clear.
The payload has 160 random bits, so its hash need not be slow to be safe; the short code has 40,
so its hash costs a guesser as much as a gate can afford for each try. The server pays that once a
ticket: door_keys keeps what was derived, a build derives what is missing for up to
DERIVE_BUDGET_S, and an unfinished dataset says `complete: false` (the gate asks again soon).

A dataset is built for a version (registrations and scans as they stand, ``dataset_version``) and
kept per process for that version, so gates asking every minute of a quiet event cost one
aggregate query each, and a 304 when nothing changed.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Response, request
from sqlalchemy import Connection, Row, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from eventsys.checkin.models import STANDING, CheckinResult, DoorDataset, DoorKey, Scan
from eventsys.database import write_transaction
from eventsys.events.models import TicketType
from eventsys.extensions import db
from eventsys.registration import tickets
from eventsys.registration.models import Registration
from eventsys.timeutil import isoformat, utcnow

FORMAT = 1
# PBKDF2 iterations by what is scanned (see the module's docstring for why they differ).
ITERATIONS = {"qr": 1_000, "code": 30_000}
DERIVE_BUDGET_S = 2.5  # a build derives missing keys for this long at most, the rest on the next ones
LOOKUP_LABEL = b"eventsys-door-lookup"
KEY_LABEL = b"eventsys-door-key"

_registrations = Registration.__table__
_types = TicketType.__table__
_keys = DoorKey.__table__
_scans = Scan.__table__
_datasets = DoorDataset.__table__
_INSERTS = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes | None:
    """The bytes of a base64url text (padding optional); None when it is not one."""
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        return None


@dataclass(frozen=True)
class DerivedKey:
    lookup: bytes
    key: bytes


def derive(value: str, salt: bytes, kind: str) -> DerivedKey:
    """The lookup and key of a scanned value (a QR payload, or a short code with its dash)."""
    master = hashlib.pbkdf2_hmac("sha256", value.encode(), salt, ITERATIONS[kind], 32)
    return DerivedKey(hmac.digest(master, LOOKUP_LABEL, "sha256")[:16], hmac.digest(master, KEY_LABEL, "sha256"))


def event_salt(event_id: int) -> bytes:
    """The event's salt, made on its first dataset (two gates asking at once agree on one)."""
    conn = db.session.connection()
    salt = conn.execute(select(_datasets.c.salt).where(_datasets.c.event_id == event_id)).scalar()
    if salt is not None:
        return salt
    with write_transaction() as writer:
        statement = _INSERTS[writer.dialect.name](_datasets).values(
            event_id=event_id, salt=secrets.token_bytes(16), created_at=utcnow()
        )
        writer.execute(statement.on_conflict_do_nothing())
        return writer.execute(select(_datasets.c.salt).where(_datasets.c.event_id == event_id)).scalar_one()


MISSING_KEYS = (
    select(_registrations.c.id, _registrations.c.ticket_nonce, _registrations.c.code)
    .outerjoin(_keys, _keys.c.registration_id == _registrations.c.id)
    .where(_registrations.c.event_id == bindparam("event_id"), _keys.c.registration_id.is_(None))
    .order_by(_registrations.c.id)
)


def derive_missing_keys(event_id: int, salt: bytes, budget_s: float | None = None) -> int:
    """Derive the door keys of tickets that have none yet, for about ``budget_s`` (DERIVE_BUDGET_S)
    and at least one; returns how many are still missing. The slow hashes run outside the write lock."""
    conn = db.session.connection()
    missing = conn.execute(MISSING_KEYS, {"event_id": event_id}).all()
    ticket_key = tickets.ticket_key()
    rows, deadline = [], time.monotonic() + (DERIVE_BUDGET_S if budget_s is None else budget_s)
    for registration in missing:
        if rows and time.monotonic() > deadline:
            break
        qr = derive(tickets.qr_payload(ticket_key, registration.ticket_nonce), salt, "qr")
        code = derive(registration.code, salt, "code")
        rows.append(
            {
                "registration_id": registration.id,
                "event_id": event_id,
                "qr_lookup": qr.lookup,
                "qr_key": qr.key,
                "code_lookup": code.lookup,
                "code_key": code.key,
            }
        )
    if rows:
        with write_transaction() as writer:  # another gate may have derived some meanwhile: kept as they are
            writer.execute(_INSERTS[writer.dialect.name](_keys).on_conflict_do_nothing(), rows)
    return len(missing) - len(rows)


def dataset_version(conn: Connection, event_id: int, salt: bytes) -> str:
    """Changes whenever a registration, a scan or a derived key of the event does: one small
    aggregate query per table, all served by indexes on event_id."""
    registrations = conn.execute(
        select(func.count(), func.max(_registrations.c.updated_at)).where(_registrations.c.event_id == event_id)
    ).one()
    last_scan = conn.execute(select(func.max(_scans.c.id)).where(_scans.c.event_id == event_id)).scalar()
    keys = conn.execute(select(func.count()).where(_keys.c.event_id == event_id)).scalar()
    state = f"{FORMAT}:{b64(salt)}:{registrations[0]}:{registrations[1]}:{last_scan}:{keys}"
    return hashlib.sha256(state.encode()).hexdigest()[:24]


TICKETS = (
    select(
        _registrations.c.id,
        _registrations.c.name,
        _registrations.c.status,
        _registrations.c.is_inside,
        _types.c.id.label("ticket_type_id"),
        _types.c.name.label("ticket_type_name"),
        _keys.c.qr_lookup,
        _keys.c.qr_key,
        _keys.c.code_lookup,
        _keys.c.code_key,
    )
    .join(_types, _types.c.id == _registrations.c.ticket_type_id)
    .join(_keys, _keys.c.registration_id == _registrations.c.id)
    .where(_registrations.c.event_id == bindparam("event_id"))
)


def _last_passages(conn: Connection, event_id: int, direction: str) -> dict[int, tuple[datetime, str]]:
    """Each registration's last standing admission (``in``) or exit (``out``): (at, gate)."""
    last = (
        select(func.max(_scans.c.id))
        .where(
            _scans.c.event_id == event_id,
            _scans.c.result == CheckinResult.OK.value,
            _scans.c.direction == direction,
            STANDING,
        )
        .group_by(_scans.c.registration_id)
    )
    rows = conn.execute(
        select(_scans.c.registration_id, _scans.c.scanned_at, _scans.c.gate).where(_scans.c.id.in_(last))
    )
    return {row.registration_id: (row.scanned_at, row.gate) for row in rows}


@dataclass(frozen=True)
class Dataset:
    version: str
    complete: bool
    body: bytes  # the JSON answer
    gzipped: bytes

    @property
    def etag(self) -> str:
        return f'"{self.version}"'


_built: dict[int, Dataset] = {}  # the last dataset built in this process, per event


def current_dataset(event_id: int, timezone: str) -> Dataset:
    """The event's dataset as it stands now (built, or this process's copy of the same version)."""
    salt = event_salt(event_id)
    missing = derive_missing_keys(event_id, salt)
    conn = db.session.connection()
    version = dataset_version(conn, event_id, salt)
    kept = _built.get(event_id)
    if kept is not None and kept.version == version:
        return kept
    body = _dataset_json(conn, event_id, timezone, salt, version, complete=missing == 0)
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    dataset = Dataset(version, missing == 0, data, gzip.compress(data, 6))
    _built[event_id] = dataset
    return dataset


def _dataset_json(
    conn: Connection, event_id: int, tz: str, salt: bytes, version: str, complete: bool
) -> dict[str, Any]:
    admitted = _last_passages(conn, event_id, "in")
    left = _last_passages(conn, event_id, "out")

    def passage(found: tuple[datetime, str] | None) -> dict[str, str] | None:
        return {"at": isoformat(found[0], tz), "gate": found[1]} if found else None

    entries = []
    for row in conn.execute(TICKETS, {"event_id": event_id}):
        details = {
            "ref": b64(hmac.digest(salt, b"ref:%d" % row.id, "sha256")[:9]),
            "name": row.name,
            "ticket_type": {"id": row.ticket_type_id, "name": row.ticket_type_name},
            "status": row.status,
            "inside": bool(row.is_inside),
            "admitted": passage(admitted.get(row.id)) if row.is_inside else None,
            "left": passage(left.get(row.id)) if not row.is_inside else None,
        }
        plain = json.dumps(details, ensure_ascii=False, separators=(",", ":")).encode()
        for lookup, key in ((row.qr_lookup, row.qr_key), (row.code_lookup, row.code_key)):
            iv = os.urandom(12)
            entries.append([b64(lookup), b64(iv), b64(AESGCM(key).encrypt(iv, plain, lookup))])
    entries.sort(key=lambda entry: entry[0])
    return {
        "format": FORMAT,
        "version": version,
        "generated_at": isoformat(utcnow(), tz),
        "complete": complete,
        "kdf": {"name": "PBKDF2", "hash": "SHA-256", "salt": b64(salt), "iterations": ITERATIONS, "bits": 256},
        "entries": entries,
    }


def registration_by_lookup(conn: Connection, event_id: int, lookup: bytes) -> tuple[int, str] | None:
    """The registration whose QR payload or short code a gate's offline lookup was derived from,
    and which of the two it was ("qr" or "code"); None for a value the dataset did not hold."""
    row = conn.execute(
        select(_keys.c.registration_id, (_keys.c.qr_lookup == lookup).label("by_qr")).where(
            _keys.c.event_id == event_id,
            (_keys.c.qr_lookup == lookup) | (_keys.c.code_lookup == lookup),
        )
    ).first()
    if row is None:
        return None
    return row.registration_id, "qr" if row.by_qr else "code"



def dataset_response(event: Row) -> Response:
    """The dataset as an answer (to a caller checked with access.require_offline): 304 for the
    version the gate holds already, gzip when it takes it."""
    dataset = current_dataset(event.id, event.timezone)
    if request.if_none_match.contains(dataset.version):
        response = Response(status=304)
    elif "gzip" in request.accept_encodings:
        response = Response(dataset.gzipped, mimetype="application/json")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(dataset.body, mimetype="application/json")
    response.headers["ETag"] = dataset.etag
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept-Encoding"
    return response
