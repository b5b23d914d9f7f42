"""Judging a scan at the door: `check_in` and `undo_checkin` (the numbers are in checkin/numbers.py).

The scan path is the hot path. A scan is one indexed look-up of the ticket, then one short write
transaction: a conditional UPDATE that carries every condition that could change concurrently
(confirmed, not inside), whose row count is the verdict, and the scan-log insert. So exactly one
of any number of simultaneous scans of a ticket is admitted, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from eventsys.checkin import dataset
from eventsys.checkin.models import STANDING, CheckinResult, Direction, Scan
from eventsys.database import write_transaction
from eventsys.errors import Conflict, NonceReused, NotFound, ValidationFailed
from eventsys.events.models import Question, TicketType
from eventsys.extensions import db
from eventsys.registration.answers import readable_answer
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.tickets import qr_payload, secret_hash, ticket_key
from eventsys.text import single_line_problems
from eventsys.timeutil import isoformat, to_local, utcnow

SHORT_CODE = re.compile(r"^[0-9A-Z]{4}-?[0-9A-Z]{4}$")

_registrations = Registration.__table__
_types = TicketType.__table__
_scans = Scan.__table__

_TICKET_COLUMNS = (
    _registrations.c.id,
    _registrations.c.event_id,
    _registrations.c.status,
    _registrations.c.name,
    _registrations.c.code,
    _types.c.id.label("ticket_type_id"),
    _types.c.name.label("ticket_type_name"),
)
TICKET_BY_SECRET = (
    select(*_TICKET_COLUMNS)
    .join(_types, _types.c.id == _registrations.c.ticket_type_id)
    .where(_registrations.c.secret_hash == bindparam("secret_hash"))
)
TICKET_BY_CODE = (
    select(*_TICKET_COLUMNS)
    .join(_types, _types.c.id == _registrations.c.ticket_type_id)
    .where(_registrations.c.event_id == bindparam("event_id"), _registrations.c.code == bindparam("code"))
)
SCAN_FOR_NONCE = select(
    _scans.c.id,
    _scans.c.answer,
    _scans.c.scanned_at,
    _scans.c.gate,
    _scans.c.direction,
    _scans.c.code_read,
    _scans.c.door_token_id,
    _scans.c.user_id,
).where(_scans.c.event_id == bindparam("event_id"), _scans.c.nonce == bindparam("nonce"))
ADMIT = (
    update(_registrations)
    .where(
        _registrations.c.id == bindparam("registration_id"),
        _registrations.c.status == RegistrationStatus.CONFIRMED.value,
        _registrations.c.is_inside.is_(False),
    )
    .values(is_inside=True, checked_in_at=func.coalesce(_registrations.c.checked_in_at, bindparam("at")))
)
LET_OUT = (
    update(_registrations)
    .where(
        _registrations.c.id == bindparam("registration_id"),
        _registrations.c.status == RegistrationStatus.CONFIRMED.value,
        _registrations.c.is_inside.is_(True),
    )
    .values(is_inside=False)
)
CURRENT_STATUS = select(_registrations.c.status).where(_registrations.c.id == bindparam("registration_id"))
REGISTRATION_STATE = select(_registrations.c.status, _registrations.c.is_inside, _registrations.c.answers).where(
    _registrations.c.id == bindparam("registration_id")
)
LAST_PASSAGE = (
    select(_scans.c.id, _scans.c.scanned_at, _scans.c.gate, _scans.c.direction)
    .where(
        _scans.c.registration_id == bindparam("registration_id"),
        _scans.c.result == CheckinResult.OK.value,
        _scans.c.direction == bindparam("direction"),
        STANDING,
    )
    .order_by(_scans.c.id.desc())
    .limit(1)
)
INSERT_SCAN = insert(_scans)

NOT_CONFIRMED_MESSAGES = {
    RegistrationStatus.WAITLISTED.value: _l("Not confirmed: on the waiting list"),
    RegistrationStatus.PENDING_APPROVAL.value: _l("Not confirmed: waiting for the organizer's approval"),
    RegistrationStatus.REJECTED.value: _l("Not confirmed: the registration was not accepted"),
}


@dataclass(frozen=True)
class Scanner:
    """Who scans: a gate's door link or token, or a person (organizer, door staff)."""

    gate: str
    door_token_id: int | None = None
    user_id: int | None = None


@dataclass(frozen=True)
class ScanRequest:
    code: str | None
    direction: Direction = Direction.IN
    gate: str | None = None
    nonce: str | None = None
    scanned_at: datetime | None = None
    dry_run: bool = False  # answer the verdict it would get now; admit, record (and use up a nonce) nothing
    # An offline gate's upload: the lookup it derived from what it scanned (instead of the code,
    # which it never keeps), and the verdict it showed then.
    lookup: str | None = None
    offline_result: CheckinResult | None = None


@dataclass(frozen=True)
class EventAtDoor:
    """What the scan path needs of the event; read with one small query, not the whole model."""

    id: int
    timezone: str


def scan_request_from(values: dict[str, Any], gate: str | None = None) -> ScanRequest:
    """A scan as the API and the door page read it (read_fields' values), direction and offline
    verdict checked."""
    errors: dict[str, list[str]] = {}
    try:
        direction = Direction(values.get("direction") or "in")
    except ValueError:
        errors["direction"] = [_("Use in or out.")]
    offline_result = values.get("offline_result")
    if offline_result is not None:
        try:
            offline_result = CheckinResult(offline_result)
        except ValueError:
            offline_result = None
        if offline_result in (None, CheckinResult.UNDO):
            errors["offline_result"] = [_("Use one of the results a scan gets, such as ok or invalid.")]
    if errors:
        raise ValidationFailed(errors)
    return ScanRequest(
        code=values.get("code"),
        direction=direction,
        gate=gate,
        nonce=values.get("nonce"),
        scanned_at=values.get("scanned_at"),
        dry_run=values.get("dry_run", False),
        lookup=values.get("lookup"),
        offline_result=offline_result,
    )


def normalize_code(code: str) -> str:
    return code.strip().upper()


def _check(request: ScanRequest) -> None:
    errors: dict[str, list[str]] = {}
    if request.lookup is not None:
        if request.code is not None:
            errors["lookup"] = [_("Send the code or an offline lookup, not both.")]
        elif len(request.lookup) != LOOKUP_LENGTH or dataset.unb64(request.lookup) is None:
            errors["lookup"] = [_("This is not an offline lookup.")]
        elif request.dry_run:
            errors["lookup"] = [_("An offline lookup is uploaded, not tried.")]
    elif not normalize_code(request.code or ""):
        errors["code"] = [_("Scan or type a ticket code.")]
    elif len(request.code) > 200:
        errors["code"] = [_("This is not a ticket code (too long).")]
    if request.nonce is not None and not 0 < len(request.nonce) <= 100:
        errors["nonce"] = [_("Use 1 to 100 characters.")]
    if request.gate is not None and (problems := single_line_problems(request.gate, 200)):
        errors["gate"] = problems
    if request.scanned_at is not None and not _plausible_scan_time(request.scanned_at):
        errors["scanned_at"] = [_("A scan time must be within the last 7 days and at most 10 minutes ahead.")]
    if errors:
        raise ValidationFailed(errors)


OFFLINE_SCAN_MAX_AGE = timedelta(days=7)
CLOCK_SKEW_ALLOWED = timedelta(minutes=10)


def _plausible_scan_time(at: datetime) -> bool:
    """An offline scanner uploads scans it made earlier, but not from last year, nor the future."""
    now = utcnow()
    return now - OFFLINE_SCAN_MAX_AGE <= at <= now + CLOCK_SKEW_ALLOWED


class Ticket(NamedTuple):
    """The registration a scanned code stands for, as much of it as the door needs."""

    id: int
    event_id: int
    status: str
    name: str
    code: str
    ticket_type_id: int
    ticket_type_name: str


LOOKUP_LENGTH = 22  # 16 bytes in base64url, unpadded
TICKET_BY_ID = (
    select(*_TICKET_COLUMNS, _registrations.c.ticket_nonce)
    .join(_types, _types.c.id == _registrations.c.ticket_type_id)
    .where(_registrations.c.id == bindparam("registration_id"))
)


class ScanRead(NamedTuple):
    """What a scan read: its ticket (None: no ticket of ours) and what the scan log keeps of it."""

    ticket: Ticket | None
    code_read: str


def _read(conn: Connection, event: EventAtDoor, request: ScanRequest) -> ScanRead:
    if request.lookup is None:
        code = normalize_code(request.code)
        return ScanRead(_find_ticket(conn, event, code), loggable(code))
    found = dataset.registration_by_lookup(conn, event.id, dataset.unb64(request.lookup))
    if found is None:
        return ScanRead(None, f"lookup:{request.lookup[:16]}")
    registration_id, kind = found
    row = conn.execute(TICKET_BY_ID, {"registration_id": registration_id}).one()
    ticket = Ticket(*row[:-1])
    # Logged as the same read online would be: the short code, or the payload's fingerprint.
    read = ticket.code if kind == "code" else loggable(qr_payload(ticket_key(), row.ticket_nonce))
    return ScanRead(ticket, read)


def _find_ticket(conn: Connection, event: EventAtDoor, code: str) -> Ticket | None:
    """By QR payload (its hash, any event), else by the short code typed by hand (this event)."""
    row = conn.execute(TICKET_BY_SECRET, {"secret_hash": secret_hash(code)}).first()
    if row is None and SHORT_CODE.match(code):
        short = code if "-" in code else f"{code[:4]}-{code[4:]}"
        row = conn.execute(TICKET_BY_CODE, {"event_id": event.id, "code": short}).first()
    return Ticket(*row) if row is not None else None


PAYLOAD_LENGTH = 20  # reads this long may be QR payloads (ours are 32 characters): working tickets


def loggable(code: str) -> str:
    """What the scan log keeps of a read: short reads as typed (a short code, a typo); a read that
    may be a QR payload only as a fingerprint of its hash, so the log hands out no working ticket."""
    if len(code) < PAYLOAD_LENGTH:
        return code
    return "sha256:" + secret_hash(code)[:16]


def _registration_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "code": ticket.code,
        "name": ticket.name,
        "ticket_type": {"id": ticket.ticket_type_id, "name": ticket.ticket_type_name},
        "status": ticket.status,
    }


def _scan_json(scan_id: int, at: datetime, gate: str, direction: str, tz: str) -> dict[str, Any]:
    return {"id": scan_id, "at": isoformat(at, tz), "gate": gate, "direction": direction}


def check_in(event: EventAtDoor, request: ScanRequest, scanner: Scanner) -> dict[str, Any]:
    """Judge one scan and log it; returns the answer the scanner shows (the contract's body).

    A repeated request with the same nonce returns the first answer and records nothing new; the
    same nonce from another scanner, or with another code or direction, is refused (NonceReused).
    """
    _check(request)
    gate = (request.gate or "").strip() or scanner.gate
    at = request.scanned_at or utcnow()
    reader = db.session.connection()
    read = _read(reader, event, request)
    if request.dry_run:
        return _foresee(reader, event, read.ticket, request.direction)
    if request.nonce and (first := _replay(reader, event, request, read.code_read, scanner)) is not None:
        return first
    try:
        with write_transaction() as conn:
            return _judge_and_log(conn, Judgement(event, read.ticket, read.code_read, request, scanner, gate, at))
    except IntegrityError:
        # Only the nonce is unique in the log: the same nonce was judged a moment ago. Anything
        # else (the event deleted meanwhile) leaves nothing to replay.
        if request.nonce and (first := _replay(db.session.connection(), event, request, read.code_read, scanner)):
            return first
        raise Conflict(_("The scan could not be recorded. Scan again.")) from None


def _replay(conn: Connection, event: EventAtDoor, request: ScanRequest, code_read: str, scanner: Scanner):
    """The first answer to this nonce, if it was the same scan by the same scanner; None if unused."""
    row = conn.execute(SCAN_FOR_NONCE, {"event_id": event.id, "nonce": request.nonce}).first()
    if row is None:
        return None
    same_scan = row.code_read == code_read and row.direction == request.direction.value
    same_scanner = (row.door_token_id, row.user_id) == (scanner.door_token_id, scanner.user_id)
    if not (same_scan and same_scanner):
        raise NonceReused()
    return _with_checkin(row.answer, row.id, row.scanned_at, row.gate, row.direction, event.timezone)


def _with_checkin(answer: dict[str, Any], scan_id: int, at: datetime, gate: str, direction: str, tz: str):
    """The stored answer, with `checkin` (its own log row) filled in for an admission."""
    if answer["result"] != CheckinResult.OK.value:
        return answer
    return {**answer, "checkin": _scan_json(scan_id, at, gate, direction, tz)}


@dataclass(frozen=True)
class Judgement:
    """One scan on its way into the log: what was read, by whom, where and when."""

    event: EventAtDoor
    ticket: Ticket | None
    code_read: str  # as the log keeps it (see loggable)
    request: ScanRequest
    scanner: Scanner
    gate: str
    at: datetime


def _judge_and_log(conn: Connection, scan: Judgement) -> dict[str, Any]:
    event, ticket, request, at = scan.event, scan.ticket, scan.request, scan.at
    direction = request.direction.value
    previous = None
    if ticket is None:
        result, message = CheckinResult.INVALID, _("Unknown ticket")
    elif ticket.event_id != event.id:
        result, message, ticket = CheckinResult.WRONG_EVENT, _("This ticket is for another event"), None
    elif request.direction == Direction.IN and conn.execute(ADMIT, {"registration_id": ticket.id, "at": at}).rowcount:
        result, message = CheckinResult.OK, _("Welcome, %(name)s", name=ticket.name)
    elif request.direction == Direction.OUT and conn.execute(LET_OUT, {"registration_id": ticket.id}).rowcount:
        result, message = CheckinResult.OK, _("Goodbye, %(name)s", name=ticket.name)
    else:
        status = conn.execute(CURRENT_STATUS, {"registration_id": ticket.id}).scalar_one()
        ticket = ticket._replace(status=status)
        result, message, previous = _refusal(conn, event, ticket, request.direction)
    answer: dict[str, Any] = {
        "result": result.value,
        "message": message,
        "registration": _registration_json(ticket) if ticket is not None else None,
        "checkin": None,
        "previous": previous,
    }
    row = {
        "event_id": event.id,
        "registration_id": ticket.id if ticket is not None else None,
        "code_read": scan.code_read,
        "result": result.value,
        "offline_result": request.offline_result.value if request.offline_result else None,
        "direction": direction,
        "gate": scan.gate[:200],
        "door_token_id": scan.scanner.door_token_id,
        "user_id": scan.scanner.user_id,
        "nonce": request.nonce,
        "scanned_at": at,
        "recorded_at": utcnow(),
        "answer": answer,
    }
    scan_id = conn.execute(INSERT_SCAN, row).inserted_primary_key[0]
    return _with_checkin(answer, scan_id, at, scan.gate, direction, event.timezone)


def _refusal(
    conn: Connection, event: EventAtDoor, ticket: Ticket, direction: Direction
) -> tuple[CheckinResult, str, dict[str, Any] | None]:
    """Why a ticket of this event, in its current status, is not let through: the verdict, its
    message and the passage it repeats (None but for a repeated passage)."""
    if ticket.status == RegistrationStatus.CANCELLED.value:
        return CheckinResult.CANCELLED, _("This ticket was cancelled"), None
    if ticket.status != RegistrationStatus.CONFIRMED.value:
        return CheckinResult.NOT_CONFIRMED, str(NOT_CONFIRMED_MESSAGES[ticket.status]), None
    previous = _last_passage(conn, ticket.id, direction, event.timezone)
    return *_repeated_passage(direction, previous, event.timezone), previous


def _foresee(conn: Connection, event: EventAtDoor, ticket: Ticket | None, direction: Direction) -> dict[str, Any]:
    """A dry run: the answer a scan would get now, by the rules of ``_judge_and_log``, read
    without a write; `checkin` is null and the registration carries its answers for the badge."""
    previous, registration = None, None
    if ticket is None:
        result, message = CheckinResult.INVALID, _("Unknown ticket")
    elif ticket.event_id != event.id:
        result, message = CheckinResult.WRONG_EVENT, _("This ticket is for another event")
    else:
        state = conn.execute(REGISTRATION_STATE, {"registration_id": ticket.id}).one()
        ticket = ticket._replace(status=state.status)
        passes = state.status == RegistrationStatus.CONFIRMED.value and state.is_inside == (direction == Direction.OUT)
        if passes and direction == Direction.IN:
            result, message = CheckinResult.OK, _("Welcome, %(name)s", name=ticket.name)
        elif passes:
            result, message = CheckinResult.OK, _("Goodbye, %(name)s", name=ticket.name)
        else:
            result, message, previous = _refusal(conn, event, ticket, direction)
        registration = {**_registration_json(ticket), "answers_on_badge": badge_answers(event.id, state.answers)}
    return {
        "result": result.value,
        "message": message,
        "registration": registration,
        "checkin": None,
        "previous": previous,
    }


def badge_answers(event_id: int, answers: dict[str, Any] | None) -> list[dict[str, str]]:
    """The answers to the event's questions marked on_badge, as the door reads them ({label, answer},
    in the reader's language, in question order); unanswered ones are left out."""
    questions = db.session.scalars(
        select(Question)
        .where(Question.event_id == event_id, Question.on_badge.is_(True))
        .order_by(Question.position, Question.id)
    )
    shown = ((question, readable_answer(question, (answers or {}).get(str(question.id)))) for question in questions)
    return [{"label": question.translated("label"), "answer": text} for question, text in shown if text]


def _repeated_passage(direction: Direction, previous: dict[str, Any] | None, tz: str) -> tuple[CheckinResult, str]:
    """A confirmed ticket that is inside already (scanned in) or is not inside (scanned out)."""
    if direction == Direction.IN:
        return CheckinResult.ALREADY_CHECKED_IN, _when_and_where("in", previous, tz)
    if previous is None:
        return CheckinResult.NOT_INSIDE, _("Not inside: this ticket was never checked in")
    return CheckinResult.NOT_INSIDE, _when_and_where("out", previous, tz)


def _last_passage(conn: Connection, registration_id: int, direction: Direction, tz: str) -> dict[str, Any] | None:
    """The last admission (or exit) that still stands, in the shape of `checkin`."""
    row = conn.execute(LAST_PASSAGE, {"registration_id": registration_id, "direction": direction.value}).first()
    if row is None:
        return None
    return _scan_json(row.id, row.scanned_at, row.gate, row.direction, tz)


def _when_and_where(direction: str, previous: dict[str, Any] | None, tz: str) -> str:
    """"Already checked in at 09:12 at North door" (``in``), "Not inside: checked out at 09:12" (``out``)."""
    if previous is None:
        return _("Already checked in") if direction == "in" else _("Not inside: checked out")
    time = f"{to_local(datetime.fromisoformat(previous['at']), tz):%H:%M}"
    if previous["gate"]:
        if direction == "in":
            return _("Already checked in at %(time)s at %(gate)s", time=time, gate=previous["gate"])
        return _("Not inside: checked out at %(time)s at %(gate)s", time=time, gate=previous["gate"])
    if direction == "in":
        return _("Already checked in at %(time)s", time=time)
    return _("Not inside: checked out at %(time)s", time=time)


# --- undo ---------------------------------------------------------------------------------------

SCAN_IN_EVENT = select(_scans).where(_scans.c.id == bindparam("scan_id"), _scans.c.event_id == bindparam("event_id"))


def undo_checkin(event: EventAtDoor, scan_id: int, scanner: Scanner) -> dict[str, Any]:
    """Take an admission back: a new `undo` row in the log, and the attendee's state recomputed from it."""
    try:
        with write_transaction() as conn:
            scan = conn.execute(SCAN_IN_EVENT, {"scan_id": scan_id, "event_id": event.id}).first()
            if scan is None:
                raise NotFound(_("No such check-in."))
            if scan.result != CheckinResult.OK.value or scan.direction != Direction.IN.value:
                raise Conflict(_("Only an admission can be undone."))
            now = utcnow()
            answer = {"result": CheckinResult.UNDO.value, "message": _("Check-in undone")}
            undo_id = conn.execute(
                INSERT_SCAN,
                {
                    "event_id": event.id,
                    "registration_id": scan.registration_id,
                    "code_read": scan.code_read,
                    "result": CheckinResult.UNDO.value,
                    "direction": scan.direction,
                    "gate": scanner.gate,
                    "door_token_id": scanner.door_token_id,
                    "user_id": scanner.user_id,
                    "scanned_at": now,
                    "recorded_at": now,
                    "undoes_scan_id": scan.id,
                    "answer": answer,
                },
            ).inserted_primary_key[0]
            _recompute_attendance(conn, scan.registration_id)
    except IntegrityError:
        raise Conflict(_("This check-in was undone already.")) from None
    return {
        **answer,
        "undone": _scan_json(scan.id, scan.scanned_at, scan.gate, scan.direction, event.timezone),
        "checkin": _scan_json(undo_id, now, scanner.gate, scan.direction, event.timezone),
    }


def _recompute_attendance(conn: Connection, registration_id: int) -> None:
    """First admission and inside-or-not, from the log rows that still stand.

    The registration's row is locked first (PostgreSQL; SQLite's write lock is held already), so
    a check-in cannot commit between reading the log and writing the state.
    """
    conn.execute(select(_registrations.c.id).where(_registrations.c.id == registration_id).with_for_update())
    standing = (
        select(_scans.c.direction, _scans.c.scanned_at)
        .where(_scans.c.registration_id == registration_id, _scans.c.result == CheckinResult.OK.value, STANDING)
        .order_by(_scans.c.id)
    )
    rows = conn.execute(standing).all()
    admissions = [row.scanned_at for row in rows if row.direction == Direction.IN.value]
    conn.execute(
        update(_registrations)
        .where(_registrations.c.id == registration_id)
        .values(
            checked_in_at=min(admissions) if admissions else None,
            is_inside=bool(rows) and rows[-1].direction == Direction.IN.value,
        )
    )
