"""Invitations to invite-only events: inviting a list of people, and reading a personal link.

Each invitee gets an e-mail with a link to the event page carrying their own secret (derived
from the invitation's nonce with the ticket key; only its hash is stored, as for tickets). On an
invite-only event only such a link opens the registration form, for its own address only.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import exists, insert, select, text
from sqlalchemy.exc import IntegrityError

from eventsys.auth.services import normalize_email
from eventsys.database import write_transaction
from eventsys.errors import Conflict, ValidationFailed
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.i18n import DEFAULT_LANGUAGE, language_tag
from eventsys.mail.models import OutboxMessage
from eventsys.mail.outbox import queue_invitation_mails
from eventsys.registration import tickets
from eventsys.registration.models import ACTIVE_SQL, Invitation, Registration
from eventsys.text import single_line_problems
from eventsys.timeutil import utcnow

MAX_PEOPLE = 5_000
NAME_MAX = 200


@dataclass(frozen=True)
class Invitee:
    """One person to invite, as checked: a name and a normalized address."""

    name: str
    email: str


@dataclass
class InviteResult:
    invited: int = 0
    skipped: list[str] = field(default_factory=list)  # already invited, registered, or twice in the list


def check_people(people: Iterable[Mapping[str, object]]) -> list[Invitee]:
    """The people, checked: every problem at once, as ``people.<index>.name`` / ``.email`` fields."""
    people = list(people)
    if not people:
        raise ValidationFailed({"people": [_("Give at least one person.")]})
    if len(people) > MAX_PEOPLE:
        raise ValidationFailed({"people": [_("Invite at most %(num)s people at a time.", num=f"{MAX_PEOPLE:,}")]})
    errors: dict[str, list[str]] = {}
    checked = []
    for index, person in enumerate(people):
        name, email = _text(person.get("name")), _text(person.get("email"))
        if problems := single_line_problems(name, NAME_MAX, _("Enter the person's name.")):
            errors[f"people.{index}.name"] = problems
        try:
            email = normalize_email(email) if email else _missing_email()
        except ValidationFailed as exc:
            errors[f"people.{index}.email"] = (exc.fields or {}).get("email") or [_("Enter a valid e-mail address.")]
        checked.append(Invitee(name, email))
    if errors:
        raise ValidationFailed(errors)
    return checked


def _text(value: object) -> str:
    """A name or address as sent; anything but storable text (a number, a lone surrogate, NUL) is none."""
    if not isinstance(value, str) or "\x00" in value:
        return ""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return ""
    return value.strip()


def _missing_email() -> str:
    raise ValidationFailed({"email": [_("Enter the person's e-mail address.")]})


def invite_people(event: Event, people: Iterable[Mapping[str, object]], language: str | None = None) -> InviteResult:
    """Invite each person to ``event`` and queue their e-mail, all in one transaction.

    An address already invited, holding an active registration, or given twice in the list is
    skipped (and named once in ``skipped``). ``language``: the inviting page's, which the e-mails
    speak (``en``, ``zh-CN``).
    """
    invitees = check_people(people)
    locale = language_tag(language or "") or DEFAULT_LANGUAGE
    key = tickets.ticket_key()
    try:
        with write_transaction() as conn:
            taken = _taken_addresses(conn, event.id, {person.email for person in invitees})
            rows, skipped = _new_rows(event.id, invitees, taken, key)
            if rows:
                conn.execute(insert(Invitation.__table__), rows)
                queue_invitation_mails(conn, _not_yet_mailed(event.id), event_id=event.id, locale=locale)
    except IntegrityError:
        raise Conflict(_("Someone invited some of these people at the same moment. Please try again.")) from None
    return InviteResult(len(rows), skipped)


def _taken_addresses(conn, event_id: int, emails: set[str]) -> set[str]:
    """Which of ``emails`` are invited already or hold an active registration for the event."""
    invitations, registrations = Invitation.__table__, Registration.__table__
    taken: set[str] = set()
    listed = sorted(emails)
    for start in range(0, len(listed), 500):  # bound the number of parameters in one statement
        chunk = listed[start : start + 500]
        invited = select(invitations.c.email).where(invitations.c.event_id == event_id, invitations.c.email.in_(chunk))
        taken.update(conn.scalars(invited))
        taken.update(
            conn.scalars(
                select(registrations.c.email).where(
                    registrations.c.event_id == event_id, registrations.c.email.in_(chunk), text(ACTIVE_SQL)
                )
            )
        )
    return taken


def _new_rows(event_id: int, invitees: list[Invitee], taken: set[str], key: bytes) -> tuple[list[dict], list[str]]:
    rows, skipped, seen = [], [], set(taken)
    now = utcnow()
    for person in invitees:
        if person.email in seen:
            if person.email not in skipped:
                skipped.append(person.email)
            continue
        seen.add(person.email)
        nonce = tickets.new_nonce()
        rows.append(
            {
                "event_id": event_id,
                "name": person.name,
                "email": person.email,
                "nonce": nonce,
                "secret_hash": tickets.secret_hash(tickets.event_invitation_secret(key, nonce)),
                "created_at": now,
            }
        )
    return rows, skipped


def _not_yet_mailed(event_id: int):
    """The event's invitations without their e-mail yet: the ones just written."""
    invitations, outbox = Invitation.__table__, OutboxMessage.__table__
    return select(invitations.c.id, invitations.c.email).where(
        invitations.c.event_id == event_id,
        ~exists().where(outbox.c.invitation_id == invitations.c.id),
    )


def find_invitation(event_id: int, secret: str | None) -> Invitation | None:
    """The invitation to ``event_id`` whose personal link carries ``secret``; None for any other."""
    if not secret or not isinstance(secret, str) or len(secret) > 100:
        return None
    found = db.session.scalar(
        select(Invitation).where(Invitation.secret_hash == tickets.secret_hash(secret.strip().upper()))
    )
    return found if found is not None and found.event_id == event_id else None


def invitation_link_secret(invitation: Invitation) -> str:
    return tickets.event_invitation_secret_of(invitation)
