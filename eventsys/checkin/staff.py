"""Who may stand at an event's door: door links (tokens for a gate) and door staff invited by e-mail."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from eventsys.auth.models import ApiToken, DoorTokenRole, TokenKind, User
from eventsys.auth.services import get_door_token, issue_token, normalize_email
from eventsys.checkin.models import DoorStaff
from eventsys.errors import NotFound, ValidationFailed
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.i18n import DEFAULT_LANGUAGE
from eventsys.mail.models import MailKind
from eventsys.mail.outbox import queue_mail
from eventsys.registration import tickets
from eventsys.text import single_line_problems
from eventsys.timeutil import utcnow
from eventsys.urls import public_url


@dataclass(frozen=True)
class DoorLink:
    token: ApiToken
    clear: str  # the token itself, and the link that carries it: shown once, never stored
    url: str


def create_door_link(
    event: Event, organizer: User, label: str, role: str = DoorTokenRole.SUPERVISOR, offline: bool = True
) -> DoorLink:
    """A door token for one gate of ``event``, and the link that signs a browser in as that gate.

    ``role``: supervisor (scan and look people up) or steward (scan only); ``offline``: False for an
    online-only gate, which refuses to judge scans while offline.
    """
    label = (label or "").strip()
    errors: dict[str, list[str]] = {}
    if problems := single_line_problems(label, 200, _("Name the gate, e.g. North door.")):
        errors["label"] = problems
    if role not in set(DoorTokenRole):
        errors["role"] = [_("Use supervisor or steward.")]
    if errors:
        raise ValidationFailed(errors)
    token, clear = issue_token(
        organizer, TokenKind.DOOR, label, event_id=event.id, door_role=DoorTokenRole(role), offline=offline
    )
    return DoorLink(token, clear, public_url("door.door_entry", token=clear))


def set_gate_offline(event: Event, token_id: int, offline: bool) -> ApiToken:
    """Let a gate judge scans offline, or make it online-only (it then gets no dataset)."""
    token = get_door_token(event.id, token_id)
    token.offline = offline
    db.session.commit()
    return token


def invite_door_staff(
    event: Event,
    email: str,
    language: str = DEFAULT_LANGUAGE,
    role: DoorTokenRole = DoorTokenRole.SUPERVISOR,
) -> DoorStaff:
    """Invite an address to check people in at ``event`` as ``role``; inviting it again re-sends
    the mail, in ``language`` (the inviting organizer's page's), and gives it the role chosen now."""
    email = normalize_email(email)
    staff = db.session.scalar(
        select(DoorStaff).where(
            DoorStaff.event_id == event.id, DoorStaff.email == email, DoorStaff.removed_at.is_(None)
        )
    )
    if staff is None:
        nonce = tickets.new_nonce()
        staff = DoorStaff(
            event_id=event.id,
            email=email,
            invite_nonce=nonce,
            invite_hash=tickets.secret_hash(tickets.door_invite_secret(tickets.ticket_key(), nonce)),
        )
        db.session.add(staff)
    staff.door_role = role
    db.session.flush()
    queue_mail(db.session, MailKind.DOOR_INVITE, email, event_id=event.id, door_staff_id=staff.id, locale=language)
    db.session.commit()
    return staff


def accept_invitation(secret: str, user: User) -> DoorStaff:
    """Make ``user`` the door staff member the invitation link was sent for."""
    staff = db.session.scalar(select(DoorStaff).where(DoorStaff.invite_hash == tickets.secret_hash(secret.upper())))
    if staff is None or not staff.is_active:
        raise NotFound(_("This invitation is not valid, or it was withdrawn."))
    if staff.user_id not in (None, user.id):
        raise ValidationFailed({"invitation": [_("This invitation was accepted by another account already.")]})
    staff.user_id, staff.accepted_at = user.id, staff.accepted_at or utcnow()
    db.session.commit()
    return staff


def remove_door_staff(event: Event, staff_id: int) -> None:
    staff = db.session.get(DoorStaff, staff_id) if 0 < staff_id < 2**31 else None
    if staff is None or staff.event_id != event.id or not staff.is_active:
        raise NotFound(_("No such door staff member."))
    staff.removed_at = utcnow()
    db.session.commit()


def door_staff_role(event_id: int, user_id: int) -> DoorTokenRole | None:
    """The role ``user_id`` was invited to ``event_id``'s door as; None: not its door staff."""
    return db.session.scalar(
        select(DoorStaff.door_role)
        .where(DoorStaff.event_id == event_id, DoorStaff.user_id == user_id, DoorStaff.removed_at.is_(None))
        .order_by(DoorStaff.id.desc())
        .limit(1)
    )


def door_staff_of(event: Event) -> list[DoorStaff]:
    return list(
        db.session.scalars(
            select(DoorStaff)
            .where(DoorStaff.event_id == event.id, DoorStaff.removed_at.is_(None))
            .order_by(DoorStaff.id)
        )
    )
