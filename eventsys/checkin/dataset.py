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

A dataset is built for a version (registrations and scans as they stand, ``EventState``) and
kept per process for that version, so gates asking every minute of a quiet event cost one
aggregate query each, and a 304 when nothing changed. A gate that sends the cursor of the dataset
it holds (``?since=``) gets only the entries of registrations changed since (``"delta": true``):
during arrivals, a minute's admissions instead of every ticket again.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import os
import random
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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
# A build derives missing keys for this long at most: a fifth of a core for a gate asking every 5 s.
DERIVE_BUDGET_S = 1.0
DELTA_OVERLAP = timedelta(minutes=2)  # how far before a gate's cursor its changes are sent again
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
)


def derive_missing_keys(event_id: int, salt: bytes, budget_s: float | None = None) -> int:
    """Derive the door keys of tickets that have none yet, for about ``budget_s`` (DERIVE_BUDGET_S)
    and at least one; returns how many are still missing. The slow hashes run outside the write lock."""
    conn = db.session.connection()
    missing = conn.execute(MISSING_KEYS, {"event_id": event_id}).all()
    random.shuffle(missing)  # gates asking at once (other workers) mostly derive different tickets
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


@dataclass(frozen=True)
class EventState:
    """What a dataset's version is made of: one small aggregate query per table, by event_id."""

    registrations: int
    keys: int
    changed: datetime | None  # the latest change of a registration (a scan changes it too)
    version: str
    salt_tag: str

    @classmethod
    def of(cls, conn: Connection, event_id: int, salt: bytes) -> EventState:
        registrations, changed = conn.execute(
            select(func.count(), func.max(_registrations.c.updated_at)).where(_registrations.c.event_id == event_id)
        ).one()
        last_scan = conn.execute(select(func.max(_scans.c.id)).where(_scans.c.event_id == event_id)).scalar()
        keys = conn.execute(select(func.count()).where(_keys.c.event_id == event_id)).scalar()
        state = f"{FORMAT}:{b64(salt)}:{registrations}:{changed}:{last_scan}:{keys}"
        version = hashlib.sha256(state.encode()).hexdigest()[:24]
        return cls(registrations, keys, changed, version, hashlib.sha256(salt).hexdigest()[:8])

    @property
    def complete(self) -> bool:
        return self.keys == self.registrations

    @property
    def cursor(self) -> str:
        """What a gate sends back as ``since`` to get only what changed after this state."""
        changed = int(self.changed.timestamp() * 1_000_000) if self.changed else 0
        return f"{FORMAT}.{self.salt_tag}.{changed}.{self.registrations}"

    def changed_after(self, cursor: str) -> datetime | None:
        """From when a gate holding the dataset of ``cursor`` needs the changes; None when it needs
        the whole dataset (another format or salt, a garbled cursor, keys still being derived, fewer
        registrations than then). It reaches DELTA_OVERLAP back: a change committed a moment after
        the gate's dataset was built may carry an earlier time than the latest it saw."""
        parts = cursor.split(".") if isinstance(cursor, str) and len(cursor) < 80 else []
        if len(parts) != 4 or parts[0] != str(FORMAT) or parts[1] != self.salt_tag or not self.complete:
            return None
        if not (parts[2].isdigit() and parts[3].isdigit()) or int(parts[3]) > self.registrations:
            return None
        try:
            return datetime.fromtimestamp(int(parts[2]) / 1_000_000, UTC) - DELTA_OVERLAP
        except (OverflowError, ValueError, OSError):
            return None


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


def _last_passages(
    conn: Connection, event_id: int, direction: str, only: list[int] | None = None
) -> dict[int, tuple[datetime, str]]:
    """Each registration's last standing admission (``in``) or exit (``out``): (at, gate); of the
    registrations ``only`` names, when it is given."""
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
    if only is not None:
        last = last.where(_scans.c.registration_id.in_(only))
    rows = conn.execute(
        select(_scans.c.registration_id, _scans.c.scanned_at, _scans.c.gate).where(_scans.c.id.in_(last))
    )
    return {row.registration_id: (row.scanned_at, row.gate) for row in rows}


@dataclass(frozen=True)
class Dataset:
    version: str
    body: bytes  # the JSON answer
    gzipped: bytes


_built: dict[int, Dataset] = {}  # the last dataset built in this process, per event


def current_state(event_id: int) -> tuple[bytes, EventState]:
    """The event's salt and state, once the keys a build may derive now are derived."""
    salt = event_salt(event_id)
    conn = db.session.connection()
    state = EventState.of(conn, event_id, salt)
    if not state.complete:  # (a refresh of a quiet event skips the search for tickets without keys)
        derive_missing_keys(event_id, salt)
        state = EventState.of(conn, event_id, salt)
    return salt, state


def current_dataset(event_id: int, timezone: str, since: str | None = None) -> Dataset:
    """The event's dataset as it stands now (see ``dataset_for``)."""
    salt, state = current_state(event_id)
    return dataset_for(event_id, timezone, salt, state, since)


def dataset_for(event_id: int, timezone: str, salt: bytes, state: EventState, since: str | None = None) -> Dataset:
    """The dataset of ``state``: built, or this process's copy of the same version; with ``since``
    (the cursor of the dataset a gate holds), only the entries changed after it when that is
    enough (``"delta": true``)."""
    changed_after = state.changed_after(since) if since else None
    kept = _built.get(event_id)
    if changed_after is None and kept is not None and kept.version == state.version:
        return kept
    conn = db.session.connection()
    body = _dataset_json(conn, event_id, timezone, salt, state, changed_after)
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    dataset = Dataset(state.version, data, gzip.compress(data, 6))
    if changed_after is None:
        _built[event_id] = dataset
    return dataset


def _dataset_json(
    conn: Connection, event_id: int, tz: str, salt: bytes, state: EventState, changed_after: datetime | None
) -> dict[str, Any]:
    tickets_query = TICKETS
    if changed_after is not None:
        tickets_query = TICKETS.where(_registrations.c.updated_at > changed_after)
    rows = conn.execute(tickets_query, {"event_id": event_id}).all()
    only = [row.id for row in rows] if changed_after is not None else None
    admitted = _last_passages(conn, event_id, "in", only)
    left = _last_passages(conn, event_id, "out", only)

    def passage(found: tuple[datetime, str] | None) -> dict[str, str] | None:
        return {"at": isoformat(found[0], tz), "gate": found[1]} if found else None

    entries = []
    for row in rows:
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
        "version": state.version,
        "cursor": state.cursor,
        "delta": changed_after is not None,  # true: these entries replace the gate's; the others stand
        "generated_at": isoformat(utcnow(), tz),
        "complete": state.complete,
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
    version the gate holds already, the changes alone after its ``?since=`` cursor, gzip when it
    takes it."""
    salt, state = current_state(event.id)
    if request.if_none_match.contains(state.version):
        response = Response(status=304)
    else:
        dataset = dataset_for(event.id, event.timezone, salt, state, request.args.get("since"))
        gzipped = "gzip" in request.accept_encodings
        response = Response(dataset.gzipped if gzipped else dataset.body, mimetype="application/json")
        if gzipped:
            response.headers["Content-Encoding"] = "gzip"
    response.headers["ETag"] = f'"{state.version}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept-Encoding"
    return response
