"""Registering, cancelling, approving, and promoting from the waitlist.

Every seat is taken by a conditional UPDATE of a counter (the event's, then the ticket type's,
always in that order) inside one short write transaction, so concurrent registrations never
confirm more than either capacity, on SQLite and PostgreSQL alike. Validation and look-ups that
decide nothing racy happen before the transaction; mail is queued inside it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Connection, bindparam, func, insert, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import make_transient_to_detached

from eventsys.auth.models import User
from eventsys.auth.services import normalize_email
from eventsys.clubs.services import record_in_trail
from eventsys.database import write_transaction
from eventsys.errors import (
    AlreadyRegistered,
    Conflict,
    DomainError,
    InvitationRequired,
    NotFound,
    RegistrationClosed,
    RegistrationNotOpen,
    SoldOut,
    ValidationFailed,
)
from eventsys.events.models import Event, EventAccess, EventStatus, TicketType
from eventsys.extensions import db
from eventsys.i18n import DEFAULT_LANGUAGE, language_tag
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.mail.outbox import queue_mail
from eventsys.registration import tickets
from eventsys.registration.answers import clean_answers
from eventsys.registration.invitations import find_invitation
from eventsys.registration.models import (
    ACTIVE_SQL,
    ChangeKind,
    Invitation,
    Registration,
    RegistrationChange,
    RegistrationStatus,
)
from eventsys.registration.names import sort_name_of
from eventsys.registration.search import search_text_of
from eventsys.registration.snapshot import EventSnapshot, TicketTypeSnapshot
from eventsys.text import single_line_problems, status_label
from eventsys.timeutil import utcnow

LINK_AGAIN_INTERVAL = timedelta(minutes=10)


@dataclass
class RegistrationRequest:
    """What an attendee sent, from the form or the API, before it is checked."""

    name: str
    email: str
    ticket_type_id: int | None = None
    answers: dict[str, Any] = field(default_factory=dict)
    locale: str = "en"
    invitation: str | None = None  # the secret from an invitee's personal link (invite-only events)


@dataclass(frozen=True)
class ByHand:
    """An organizer adding someone (a walk-in, a speaker, a sponsor): no registration window, no
    approval step, the e-mail address optional; ``notify`` sends the usual mail, ``over_capacity``
    confirms past the capacities (still counted) instead of waitlisting or refusing."""

    by: User
    notify: bool = True
    over_capacity: bool = False


# --- the registration window ------------------------------------------------------------


def registration_state(event: Event | EventSnapshot) -> str:
    """`open`, or why not: `cancelled`, `not_published`, `not_open`, `closed`."""
    now = utcnow()
    if event.status == EventStatus.CANCELLED:
        return "cancelled"
    if event.status != EventStatus.PUBLISHED:
        return "not_published"
    if event.registration_opens_at and now < event.registration_opens_at:
        return "not_open"
    if now >= (event.registration_closes_at or event.ends_at):
        return "closed"
    return "open"


def ensure_registration_open(event: Event | EventSnapshot) -> None:
    state = registration_state(event)
    if state == "not_published":
        raise NotFound(_("No such event."))
    if state == "cancelled":
        raise RegistrationClosed(_("This event is cancelled."))
    if state == "not_open":
        raise RegistrationNotOpen()
    if state == "closed":
        raise RegistrationClosed()


def is_sold_out(event: Event) -> bool:
    """No seat of any ticket type left and no waitlist to join (approval events never sell out here)."""
    if event.waitlist or event.requires_approval:
        return False
    return all(t.remaining == 0 for t in event.ticket_types)


# --- checking the request ---------------------------------------------------------------------


def check_registration_request(
    event: Event | EventSnapshot, request: RegistrationRequest, email_required: bool = True
) -> tuple[str, str | None, TicketType | TicketTypeSnapshot, dict[str, Any]]:
    """The request's name, normalized e-mail (None: left out where it may be), ticket type and
    clean answers; every problem at once."""
    errors: dict[str, list[str]] = {}
    name = _checked_name(request.name, errors)
    email = _checked_email(request.email, errors, email_required)
    ticket_type = _choose_ticket_type(event, request.ticket_type_id, errors)
    answers: dict[str, Any] = {}
    try:
        answers = clean_answers(event.questions, request.answers or {})
    except ValidationFailed as exc:
        errors.update(exc.fields or {})
    if errors:
        raise ValidationFailed(errors)
    return name, email, ticket_type, answers


def _checked_name(raw: str | None, errors: dict[str, list[str]]) -> str:
    name = (raw or "").strip()
    if problems := single_line_problems(name, 200, _("Enter your name.")):
        errors["name"] = problems
    return name


def _checked_email(raw: str | None, errors: dict[str, list[str]], required: bool = True) -> str | None:
    if not required and not (raw or "").strip():
        return None
    try:
        return normalize_email(raw or "")
    except ValidationFailed as exc:
        errors.update(exc.fields or {})
        return None


def _choose_ticket_type(
    event: Event | EventSnapshot, ticket_type_id: int | None, errors: dict[str, list[str]]
) -> TicketType | TicketTypeSnapshot | None:
    if ticket_type_id is None:
        if len(event.ticket_types) == 1:
            return event.ticket_types[0]
        errors["ticket_type_id"] = [_("Choose a ticket type.")]
        return None
    for ticket_type in event.ticket_types:
        if ticket_type.id == ticket_type_id:
            return ticket_type
    errors["ticket_type_id"] = [_("Choose one of this event's ticket types.")]
    return None


# --- statements of the write path ------------------------------------------------------------
# Built once: on the hot path, constructing statements costs more than SQLite running them.

_events = Event.__table__
_types = TicketType.__table__
_registrations = Registration.__table__
_outbox = OutboxMessage.__table__

TAKE_EVENT_SEAT = (
    update(_events)
    .where(
        _events.c.id == bindparam("event_id"),
        or_(_events.c.capacity.is_(None), _events.c.seats_taken < _events.c.capacity),
    )
    .values(seats_taken=_events.c.seats_taken + 1, updated_at=_events.c.updated_at)
)
TAKE_TYPE_SEAT = (
    update(_types)
    .where(
        _types.c.id == bindparam("ticket_type_id"),
        or_(_types.c.capacity.is_(None), _types.c.seats_taken < _types.c.capacity),
    )
    .values(seats_taken=_types.c.seats_taken + 1)
)
# Past capacity, knowingly (an organizer adding someone by hand): counted all the same.
FORCE_EVENT_SEAT = (
    update(_events)
    .where(_events.c.id == bindparam("event_id"))
    .values(seats_taken=_events.c.seats_taken + 1, updated_at=_events.c.updated_at)
)
FORCE_TYPE_SEAT = (
    update(_types).where(_types.c.id == bindparam("ticket_type_id")).values(seats_taken=_types.c.seats_taken + 1)
)
RELEASE_EVENT_SEAT = (
    update(_events)
    .where(_events.c.id == bindparam("event_id"))
    .values(seats_taken=_events.c.seats_taken - 1, updated_at=_events.c.updated_at)
)
RELEASE_TYPE_SEAT = (
    update(_types).where(_types.c.id == bindparam("ticket_type_id")).values(seats_taken=_types.c.seats_taken - 1)
)
ACTIVE_REGISTRATION = select(_registrations.c.id).where(
    _registrations.c.event_id == bindparam("event_id"),
    _registrations.c.email == bindparam("email"),
    text(ACTIVE_SQL),  # as the partial unique index spells it, so the look-up uses that index
)
INSERT_REGISTRATION = insert(_registrations)
USE_INVITATION = (
    update(Invitation.__table__)
    .where(Invitation.__table__.c.id == bindparam("invitation_id"))
    .values(registration_id=bindparam("registration_id"))
)
RECENT_LINK_AGAIN = select(_outbox.c.id).where(
    _outbox.c.registration_id == bindparam("registration_id"),
    _outbox.c.kind == MailKind.LINK_AGAIN.value,
    _outbox.c.created_at > bindparam("since"),
)
WAITING_LIST = (
    select(_registrations.c.id, _registrations.c.ticket_type_id, _registrations.c.email)
    .where(
        _registrations.c.event_id == bindparam("event_id"),
        _registrations.c.status == RegistrationStatus.WAITLISTED.value,
    )
    .order_by(_registrations.c.id)
)
EVENT_SEATS = select(_events.c.capacity, _events.c.seats_taken).where(_events.c.id == bindparam("event_id"))


def _take_seat(conn: Connection, event_id: int, ticket_type_id: int) -> bool:
    """Take one seat of the event and of the ticket type, or none. Must run in a write transaction."""
    if not conn.execute(TAKE_EVENT_SEAT, {"event_id": event_id}).rowcount:
        return False
    if not conn.execute(TAKE_TYPE_SEAT, {"ticket_type_id": ticket_type_id}).rowcount:
        conn.execute(RELEASE_EVENT_SEAT, {"event_id": event_id})
        return False
    return True


def _release_seat(conn: Connection, event_id: int, ticket_type_id: int) -> None:
    conn.execute(RELEASE_EVENT_SEAT, {"event_id": event_id})
    conn.execute(RELEASE_TYPE_SEAT, {"ticket_type_id": ticket_type_id})


def _set_status(
    conn: Connection, registration_id: int, target: RegistrationStatus, *sources: RegistrationStatus
) -> bool:
    """Move a registration to ``target`` if it is still in one of ``sources``; the row count is the verdict."""
    assert all(source.can_become(target) for source in sources), "not a transition RegistrationStatus allows"
    statement = (
        update(_registrations)
        .where(_registrations.c.id == registration_id, _registrations.c.status.in_([s.value for s in sources]))
        .values(status=target.value, updated_at=utcnow())
    )
    return bool(conn.execute(statement).rowcount)


# --- register ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRegistration:
    """A registration just written, as the API answers it: what was written, no ORM object."""

    id: int
    event_id: int
    ticket_type: TicketTypeSnapshot
    code: str
    status: RegistrationStatus
    qr_payload: str
    manage_secret: str

    @property
    def ticket_type_id(self) -> int:
        return self.ticket_type.id


def register_attendee(event: Event, request: RegistrationRequest, by_hand: ByHand | None = None) -> Registration:
    """Register someone for ``event``: confirmed, waitlisted or pending approval, mail queued.

    Raises ValidationFailed, RegistrationClosed/NotOpen, SoldOut or AlreadyRegistered (after
    queueing "here is your link again" for the address's owner, unless an organizer adds them).
    """
    row, _created = _write_registration(EventSnapshot.of(event), request, by_hand)
    ticket_type = next(t for t in event.ticket_types if t.id == row["ticket_type_id"])
    return _new_registration(row, event, ticket_type)


def register_for_snapshot(
    event: EventSnapshot, request: RegistrationRequest, by_hand: ByHand | None = None
) -> NewRegistration:
    """``register_attendee`` for an event read as a snapshot (the API's hot path): the same rules,
    the same transaction, and back only what the answer needs."""
    row, secrets = _write_registration(event, request, by_hand)
    ticket_type = next(t for t in event.ticket_types if t.id == row["ticket_type_id"])
    status = RegistrationStatus(row["status"])
    return NewRegistration(row["id"], event.id, ticket_type, row["code"], status, *secrets)


def _write_registration(
    event: EventSnapshot, request: RegistrationRequest, by_hand: ByHand | None
) -> tuple[dict[str, Any], tickets.TicketSecrets]:
    """Check the request, then write the registration, its history and its mail in one write
    transaction; back come the row written and the ticket's secrets (only their hashes are stored).

    An address that already holds an active registration is looked for before the transaction,
    so the write lock is held for the statements that must be atomic only; the partial unique
    index refuses the one that a concurrent registration slips in, and both end the same way.
    """
    if by_hand is None:
        ensure_registration_open(event)
    elif event.status == EventStatus.CANCELLED:  # a draft takes speakers before it is published
        raise RegistrationClosed(_("This event is cancelled."))
    invitation = None
    if by_hand is None and event.access == EventAccess.INVITE_ONLY:
        invitation = invitation_for_request(event.id, request)
        request = replace(request, email=invitation.email)
    name, email, ticket_type, answers = check_registration_request(event, request, email_required=by_hand is None)
    if email and holds_active_registration(event.id, email):
        _refuse_duplicate(event.id, email, by_hand)
    locale = language_tag(request.locale) or DEFAULT_LANGUAGE  # "zh", "zh_CN", "zh-Hans" are "zh-CN"
    key = tickets.ticket_key()
    for _attempt in range(3):
        row, secrets = new_registration_row(event.id, ticket_type.id, name, email, answers, locale, key)
        try:
            with write_transaction() as conn:
                status = _initial_status(conn, event, ticket_type, by_hand)
                row["status"] = status.value
                row["id"] = conn.execute(INSERT_REGISTRATION, row).inserted_primary_key[0]
                by = by_hand.by.id if by_hand else None
                record_change(conn, row["id"], ChangeKind.REGISTERED, by, and_then=ChangeKind(status.value))
                if invitation is not None:
                    conn.execute(USE_INVITATION, {"invitation_id": invitation.id, "registration_id": row["id"]})
                if email and (by_hand is None or by_hand.notify):
                    queue_mail(conn, MailKind(row["status"]), email, event_id=event.id, registration_id=row["id"])
        except IntegrityError as exc:
            if "email" in str(exc.orig).lower():  # a concurrent registration with this address won
                _refuse_duplicate(event.id, email, by_hand)
            continue  # the short code was taken: draw another
        except SoldOut:
            if email and holds_active_registration(event.id, email):  # ... and took the last seat
                _refuse_duplicate(event.id, email, by_hand)
            raise
        return row, secrets
    raise Conflict(_("Please try again."))


def invitation_for_request(event_id: int, request: RegistrationRequest) -> Invitation:
    """The invitation whose link the request carries, for the address it was sent to; else
    InvitationRequired (no valid link) or ValidationFailed (another address: a link is personal)."""
    invitation = find_invitation(event_id, request.invitation)
    if invitation is None:
        raise InvitationRequired()
    given = (request.email or "").strip()
    if given:
        try:
            same = normalize_email(given) == invitation.email
        except ValidationFailed:
            same = False
        if not same:
            message = _(
                "This invitation link works for its own e-mail address only: %(email)s.", email=invitation.email
            )
            raise ValidationFailed({"email": [message]}, message)
    return invitation


def _refuse_duplicate(event_id: int, email: str, by_hand: ByHand | None) -> None:
    """An attendee gets their link again by mail (and no hint here); an organizer is told."""
    if by_hand is not None:
        raise AlreadyRegistered(_("This e-mail address already holds an active registration for this event."))
    _send_link_again(event_id, email)
    raise AlreadyRegistered()


INSERT_CHANGE = insert(RegistrationChange.__table__)


def record_change(
    conn: Connection,
    registration_id: int,
    what: ChangeKind,
    by_user_id: int | None = None,
    detail: dict[str, Any] | None = None,
    and_then: ChangeKind | None = None,
) -> None:
    """Write one change (and, with ``and_then``, the one it led to) into the registration's history."""
    at = utcnow()
    rows = [
        {
            "registration_id": registration_id,
            "what": what.value,
            "at": at,
            "by_user_id": by_user_id,
            "detail": detail or {},
        }
    ]
    if and_then is not None:
        rows.append({**rows[0], "what": and_then.value, "detail": {}})
    conn.execute(INSERT_CHANGE, rows)


def holds_active_registration(event_id: int, email: str) -> bool:
    """Has ``email`` (normalized) an active registration for the event? Read outside any transaction."""
    found = db.session.connection().execute(ACTIVE_REGISTRATION, {"event_id": event_id, "email": email})
    return found.first() is not None


def new_registration_row(
    event_id: int,
    ticket_type_id: int,
    name: str,
    email: str | None,
    answers: dict[str, Any],
    locale: str,
    key: bytes,
) -> tuple[dict[str, Any], tickets.TicketSecrets]:
    """A new registration's columns but its status (checked values), with a fresh nonce and short
    code, and the ticket's secrets derived under ``key`` (only their hashes are in the row)."""
    nonce = tickets.new_nonce()
    secrets = tickets.TicketSecrets.of(key, nonce)
    now = utcnow()
    code = tickets.new_short_code()
    row = {
        "event_id": event_id,
        "ticket_type_id": ticket_type_id,
        "code": code,
        "name": name,
        "sort_name": sort_name_of(name),
        "email": email,
        "answers": answers,
        "locale": locale,
        "ticket_nonce": nonce,
        "secret_hash": tickets.secret_hash(secrets.qr_payload),
        "manage_hash": tickets.secret_hash(secrets.manage_secret),
        "is_inside": False,
        "search_text": search_text_of(name, email, code, answers),
        "created_at": now,
        "updated_at": now,
    }
    return row, secrets


def _new_registration(row: dict[str, Any], event: Event, ticket_type: TicketType) -> Registration:
    """The registration just written, built from what was written: no read-back on the hot path."""
    registration = Registration(**{**row, "status": RegistrationStatus(row["status"]), "checked_in_at": None})
    registration.event, registration.ticket_type = event, ticket_type
    make_transient_to_detached(registration)  # as if loaded: nothing pending, nothing to flush
    db.session.add(registration)
    return registration


def _initial_status(
    conn: Connection, event: EventSnapshot, ticket_type: TicketTypeSnapshot, by_hand: ByHand | None
) -> RegistrationStatus:
    if event.requires_approval and by_hand is None:
        return RegistrationStatus.PENDING_APPROVAL
    if _take_seat(conn, event.id, ticket_type.id):
        return RegistrationStatus.CONFIRMED
    if by_hand is not None and by_hand.over_capacity:
        conn.execute(FORCE_EVENT_SEAT, {"event_id": event.id})
        conn.execute(FORCE_TYPE_SEAT, {"ticket_type_id": ticket_type.id})
        return RegistrationStatus.CONFIRMED
    if event.waitlist:
        return RegistrationStatus.WAITLISTED
    raise SoldOut(_("This ticket type is sold out.") if len(event.ticket_types) > 1 else None)


def _send_link_again(event_id: int, email: str) -> None:
    with write_transaction() as conn:
        registration_id = conn.execute(ACTIVE_REGISTRATION, {"event_id": event_id, "email": email}).scalar()
        if registration_id is not None:
            _queue_link_again(conn, event_id, registration_id, email)


def _queue_link_again(conn: Connection, event_id: int, registration_id: int, email: str) -> None:
    """E-mail the holder of an active registration their link, at most once per interval."""
    since = utcnow() - LINK_AGAIN_INTERVAL
    if conn.execute(RECENT_LINK_AGAIN, {"registration_id": registration_id, "since": since}).first() is None:
        queue_mail(conn, MailKind.LINK_AGAIN, email, event_id=event_id, registration_id=registration_id)


# --- cancel, approve, reject, promote ----------------------------------------------------------


def cancel_registration(registration: Registration, by: User | None = None) -> Registration:
    """Cancel an active registration; a freed seat goes to the head of the waitlist at once.

    ``by``: the organizer who cancels (None: the attendee themselves).
    """
    event_id, ticket_type_id = registration.event_id, registration.ticket_type_id
    with write_transaction() as conn:
        if _set_status(conn, registration.id, RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED):
            _release_seat(conn, event_id, ticket_type_id)
            record_change(conn, registration.id, ChangeKind.CANCELLED, _id_of(by))
            _promote(conn, event_id)
        elif _set_status(
            conn,
            registration.id,
            RegistrationStatus.CANCELLED,
            RegistrationStatus.WAITLISTED,
            RegistrationStatus.PENDING_APPROVAL,
        ):
            record_change(conn, registration.id, ChangeKind.CANCELLED, _id_of(by))
        else:
            raise Conflict(_("This registration is not active any more."))
        queue_mail(conn, MailKind.CANCELLED, registration.email, event_id=event_id, registration_id=registration.id)
    return _reloaded(registration)


def approve_registration(registration: Registration, by: User | None = None) -> Registration:
    """Approve a pending registration: confirmed if a seat is free, else waitlisted (or sold out)."""
    event = registration.event
    if registration.status != RegistrationStatus.PENDING_APPROVAL:
        raise Conflict(_("Only a registration waiting for approval can be approved."))
    with write_transaction() as conn:
        if _take_seat(conn, event.id, registration.ticket_type_id):
            target, kind = RegistrationStatus.CONFIRMED, MailKind.APPROVED
        elif event.waitlist:
            target, kind = RegistrationStatus.WAITLISTED, MailKind.WAITLISTED
        else:
            raise SoldOut()
        if not _set_status(conn, registration.id, target, RegistrationStatus.PENDING_APPROVAL):
            raise Conflict(_("Only a registration waiting for approval can be approved."))
        record_change(conn, registration.id, ChangeKind.APPROVED, _id_of(by), and_then=ChangeKind(target.value))
        queue_mail(conn, kind, registration.email, event_id=event.id, registration_id=registration.id)
    return _reloaded(registration)


def reject_registration(registration: Registration, by: User | None = None) -> Registration:
    with write_transaction() as conn:
        if not _set_status(conn, registration.id, RegistrationStatus.REJECTED, RegistrationStatus.PENDING_APPROVAL):
            raise Conflict(_("Only a registration waiting for approval can be rejected."))
        record_change(conn, registration.id, ChangeKind.REJECTED, _id_of(by))
        queue_mail(
            conn, MailKind.REJECTED, registration.email, event_id=registration.event_id, registration_id=registration.id
        )
    return _reloaded(registration)


def _id_of(user: User | None) -> int | None:
    return user.id if user is not None else None


def promote_waitlist(event_id: int) -> int:
    """Confirm waitlisted registrations, first come first served, while seats are free."""
    with write_transaction() as conn:
        promoted = _promote(conn, event_id)
    return promoted


def _promote(conn: Connection, event_id: int) -> int:
    promoted = 0
    full_types: set[int] = set()
    for registration_id, ticket_type_id, email in conn.execute(WAITING_LIST, {"event_id": event_id}).all():
        if ticket_type_id in full_types:
            continue
        if not _take_seat(conn, event_id, ticket_type_id):
            if _event_full(conn, event_id):
                break
            full_types.add(ticket_type_id)
            continue
        if not _set_status(conn, registration_id, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED):
            _release_seat(conn, event_id, ticket_type_id)  # they cancelled a moment ago (PostgreSQL)
            continue
        record_change(conn, registration_id, ChangeKind.PROMOTED)
        queue_mail(conn, MailKind.PROMOTED, email, event_id=event_id, registration_id=registration_id)
        promoted += 1
    return promoted


# --- the organizer's changes: edit, change the ticket type, resend, bulk actions ---------------


@dataclass
class RegistrationEdit:
    """What an organizer changes; None leaves a field as it is. Answers given replace those
    questions' answers and leave the others."""

    name: str | None = None
    email: str | None = None
    answers: dict[str, Any] | None = None
    ticket_type_id: int | None = None


def edit_registration(registration: Registration, edit: RegistrationEdit, by: User | None = None) -> Registration:
    """Change a registration's name, e-mail, answers or ticket type, checked as at registration.

    A new ticket type takes a seat of that type by the usual rule (SoldOut when none is free) for a
    confirmed registration, and the seat it leaves goes to that type's waiting list.
    """
    values, ticket_type = check_registration_edit(registration, edit)
    changed = sorted(key for key, value in values.items() if getattr(registration, key) != value)
    new_type = ticket_type if ticket_type.id != registration.ticket_type_id else None
    if not changed and new_type is None:
        return registration
    values["sort_name"] = sort_name_of(values["name"])
    values["search_text"] = search_text_of(values["name"], values["email"], registration.code, values["answers"])
    old_type = registration.ticket_type
    try:
        with write_transaction() as conn:
            if new_type is not None:
                _move_seat(conn, registration, old_type, new_type)
                values["ticket_type_id"] = new_type.id
                detail = {"from": old_type.name, "to": new_type.name}
                record_change(conn, registration.id, ChangeKind.TICKET_TYPE_CHANGED, _id_of(by), detail)
            if changed:
                record_change(conn, registration.id, ChangeKind.EDITED, _id_of(by), {"fields": changed})
            written = update(_registrations).where(_registrations.c.id == registration.id)
            conn.execute(written.values(**values, updated_at=utcnow()))
            if new_type is not None and registration.status == RegistrationStatus.CONFIRMED:
                _promote(conn, registration.event_id)
    except IntegrityError:
        raise AlreadyRegistered(_("Another active registration for this event holds this e-mail address.")) from None
    return _reloaded(registration)


def check_registration_edit(registration: Registration, edit: RegistrationEdit) -> tuple[dict[str, Any], TicketType]:
    event = registration.event
    errors: dict[str, list[str]] = {}
    name = registration.name if edit.name is None else _checked_name(edit.name, errors)
    email = registration.email
    if edit.email is not None:
        email = _checked_email(edit.email, errors, required=False)
    answers = dict(registration.answers or {})
    if edit.answers is not None:
        try:
            answers = clean_answers(event.questions, {**answers, **edit.answers})
        except ValidationFailed as exc:
            errors.update(exc.fields or {})
    ticket_type = registration.ticket_type
    if edit.ticket_type_id is not None:
        ticket_type = _choose_ticket_type(event, edit.ticket_type_id, errors)
    if errors:
        raise ValidationFailed(errors)
    return {"name": name, "email": email, "answers": answers}, ticket_type


def _move_seat(conn: Connection, registration: Registration, old: TicketType, new: TicketType) -> None:
    """A confirmed registration's seat, from one ticket type to another (the event's count stays)."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return
    if not conn.execute(TAKE_TYPE_SEAT, {"ticket_type_id": new.id}).rowcount:
        raise SoldOut(_("No seat of %(type)s is left.", type=new.name))
    conn.execute(RELEASE_TYPE_SEAT, {"ticket_type_id": old.id})


RESENT_MAIL = {
    RegistrationStatus.CONFIRMED: MailKind.CONFIRMED,
    RegistrationStatus.WAITLISTED: MailKind.WAITLISTED,
    RegistrationStatus.PENDING_APPROVAL: MailKind.PENDING_APPROVAL,
}


def resend_ticket(registration: Registration, by: User | None = None) -> Registration:
    """Queue the registration's own message again: the ticket, or where it stands on the waitlist
    or in review."""
    kind = RESENT_MAIL.get(registration.status)
    if kind is None:
        status = status_label(registration.status)
        raise Conflict(_("This registration is %(status)s: there is nothing to send.", status=status))
    if not registration.email:
        raise Conflict(_("This registration has no e-mail address to send to."))
    with write_transaction() as conn:
        queue_mail(conn, kind, registration.email, event_id=registration.event_id, registration_id=registration.id)
    return registration


BULK_ACTIONS = {
    "approve": approve_registration,
    "reject": reject_registration,
    "cancel": cancel_registration,
    "resend": resend_ticket,
}
MAX_BULK = 1000


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, DomainError]] = field(default_factory=list)


def act_on_many(event: Event, action: str, codes: list[str], by: User | None = None) -> BulkResult:
    """Apply one action to each registration, each as its single action would be: one failure
    stops none of the others."""
    change = BULK_ACTIONS[action]
    result = BulkResult()
    for code in dict.fromkeys(code.strip().upper() for code in codes):
        try:
            change(find_registration(event, code), by)
        except DomainError as exc:
            result.failed.append((code, exc))
        else:
            result.done.append(code)
    if result.done:
        done = len(result.done)
        trail = {"club_id": event.club_id, "event_id": event.id, "event": event.name}
        record_in_trail(by, "registrations.bulk", **trail, bulk_action=action, count=done)
        db.session.commit()
    return result


def _event_full(conn: Connection, event_id: int) -> bool:
    capacity, taken = conn.execute(EVENT_SEATS, {"event_id": event_id}).one()
    return capacity is not None and taken >= capacity


def _reloaded(registration: Registration) -> Registration:
    """The registration as the write transaction left it."""
    db.session.refresh(registration)
    return registration


# --- look-ups ---------------------------------------------------------------------------------


def waitlist_position(registration: Registration | NewRegistration) -> int | None:
    """1 for the next to get a seat of this ticket type."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    return db.session.scalar(
        select(func.count()).where(
            Registration.event_id == registration.event_id,
            Registration.ticket_type_id == registration.ticket_type_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            Registration.id <= registration.id,
        )
    )


def waitlist_positions(event_id: int, among: Collection[int] | None = None) -> dict[int, int]:
    """Waitlisted registrations' places (per ticket type), in one query: for lists.

    ``among``: only these registrations' places (a page's), still counted among all who wait, so
    a page of a long list reads 50 rows, not the whole waiting list.
    """
    if among is not None and not among:
        return {}
    place = func.row_number().over(partition_by=Registration.ticket_type_id, order_by=Registration.id)
    waiting = (
        select(Registration.id, place.label("place"))
        .where(Registration.event_id == event_id, Registration.status == RegistrationStatus.WAITLISTED)
        .subquery()
    )
    query = select(waiting.c.id, waiting.c.place)
    if among is not None:
        query = query.where(waiting.c.id.in_(among))
    return {registration_id: place for registration_id, place in db.session.execute(query)}


def find_by_manage_secret(secret: str) -> Registration:
    if not isinstance(secret, str) or len(secret) != tickets.SECRET_LENGTH:
        raise NotFound(_("This ticket link is not valid."))
    registration = db.session.scalar(
        select(Registration).where(Registration.manage_hash == tickets.secret_hash(secret.upper()))
    )
    if registration is None:
        raise NotFound(_("This ticket link is not valid."))
    return registration


def find_registration(event: Event, code: str) -> Registration:
    registration = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.code == code.strip().upper())
    )
    if registration is None:
        raise NotFound(_("No such registration."))
    return registration
