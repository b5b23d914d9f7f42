"""Who may stand at an event's door, and who sees a draft there: one rule for the door page and the API.

Three kinds of people scan: a gate (a door token, from a door link or a scanner app), the event's
organizer, and door staff invited by e-mail. Each scans as a ``Scanner``; only the organizer may
undo. A draft is hidden from everyone else, as it is everywhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import Row, bindparam, select

from eventsys.auth.models import User
from eventsys.checkin.services import Scanner
from eventsys.checkin.staff import is_door_staff
from eventsys.clubs.roles import Role
from eventsys.clubs.services import role_on_event
from eventsys.errors import Forbidden, NotFound
from eventsys.events.models import Event, EventStatus
from eventsys.events.services import is_well_formed_slug
from eventsys.extensions import db


class DoorRole(enum.StrEnum):
    GATE = "gate"
    ORGANIZER = "organizer"
    STAFF = "staff"


@dataclass(frozen=True)
class DoorAccess:
    scanner: Scanner
    role: DoorRole

    @property
    def may_undo(self) -> bool:
        return self.role == DoorRole.ORGANIZER


class DoorToken(Protocol):
    id: int
    event_id: int | None
    label: str


_events = Event.__table__
EVENT_AT_DOOR = select(
    _events.c.id, _events.c.timezone, _events.c.owner_id, _events.c.club_id, _events.c.status, _events.c.name
).where(_events.c.slug == bindparam("slug"))


def find_event_at_door(slug: str) -> Row:
    """The event's id, zone, owner, status and name, in one small query (the scan path's only event read)."""
    well_formed = is_well_formed_slug(slug)
    row = db.session.connection().execute(EVENT_AT_DOOR, {"slug": slug}).first() if well_formed else None
    if row is None:
        raise NotFound(_("No such event."))
    return row


def access_at_door(event: Row | Event, door_token: DoorToken | None, user: User | None) -> DoorAccess | None:
    """How the holder of ``door_token`` (else ``user``) stands at the door of ``event``; None: not at all."""
    if door_token is not None:
        if door_token.event_id != event.id:
            return None
        return DoorAccess(Scanner(gate=door_token.label, door_token_id=door_token.id), DoorRole.GATE)
    if user is None:
        return None
    role = role_on_event(event.owner_id, event.club_id, user.id)
    if role in (Role.OWNER, Role.MANAGER, Role.SUPERVISOR):
        return DoorAccess(Scanner(gate=user.name, user_id=user.id), DoorRole.ORGANIZER)
    if role == Role.STEWARD or is_door_staff(event.id, user.id):
        return DoorAccess(Scanner(gate=user.name, user_id=user.id), DoorRole.STAFF)
    return None


def require_access_at_door(event: Row | Event, door_token: DoorToken | None, user: User | None) -> DoorAccess:
    """``access_at_door``, or the API's answer to a caller who is not at this door: someone else's
    draft is not there at all (404), a published event is merely forbidden (403)."""
    access = access_at_door(event, door_token, user)
    if access is not None:
        return access
    if event.status == EventStatus.DRAFT.value:
        raise NotFound(_("No such event."))
    if door_token is not None:
        raise Forbidden(_("This door token belongs to another event."))
    raise Forbidden(_("Only the event's organizer or its door staff can do this."))
