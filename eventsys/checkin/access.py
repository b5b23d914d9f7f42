"""Who may stand at an event's door, and who sees a draft there: one rule for the door page and the API.

Three kinds of people scan: a gate (a door token, from a door link or a scanner app), the event's
organizer, and door staff invited by e-mail. Each scans as a ``Scanner`` and stands at the door in a
``DoorRole``, which alone decides what else they may do there (``CAPABILITIES``). A draft is hidden
from everyone else, as it is everywhere.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from flask_babel import gettext as _
from sqlalchemy import Row, bindparam, select

from eventsys.auth.models import DoorTokenRole, User
from eventsys.checkin.services import Scanner
from eventsys.checkin.staff import door_staff_role
from eventsys.clubs.roles import Permission, Role, may
from eventsys.clubs.services import role_on_event
from eventsys.errors import Forbidden, NotFound, OnlineOnly
from eventsys.events.models import Event, EventStatus
from eventsys.events.services import is_well_formed_slug
from eventsys.extensions import db


class DoorRole(enum.StrEnum):
    """How someone stands at a door. A club's roles map onto these: owner and manager are ORGANIZER."""

    ORGANIZER = "organizer"  # the event's owner, a club's owners and managers
    SUPERVISOR = "supervisor"  # the contract's team supervisor: the door, undo included
    DOOR_STAFF = "door_staff"  # a supervisor door token, or door staff invited by e-mail as supervisor
    STEWARD = "steward"  # a steward door token: scan only


@dataclass(frozen=True)
class Capabilities:
    """What a role may do at the door besides scanning, which every role may."""

    look_up: bool  # find people by name or code, the attendee list without e-mail addresses
    undo: bool  # take an admission back
    see_numbers: bool  # the gate's and the event's numbers, the API's check-in statistics


# What each role may do at the door, as the one table of roles says (eventsys/clubs/roles.py):
# the numbers go with looking people up.
_GRANTS_OF = {
    DoorRole.ORGANIZER: Role.OWNER,
    DoorRole.SUPERVISOR: Role.SUPERVISOR,
    DoorRole.DOOR_STAFF: Role.DOOR,
    DoorRole.STEWARD: Role.STEWARD,
}
CAPABILITIES = {
    door_role: Capabilities(
        look_up=may(role, Permission.LOOK_UP),
        undo=may(role, Permission.UNDO),
        see_numbers=may(role, Permission.LOOK_UP),
    )
    for door_role, role in _GRANTS_OF.items()
}
# A club's team at the door: owners and managers organize it, supervisors and stewards are themselves.
TEAM_AT_DOOR = {
    Role.OWNER: DoorRole.ORGANIZER,
    Role.MANAGER: DoorRole.ORGANIZER,
    Role.SUPERVISOR: DoorRole.SUPERVISOR,
    Role.STEWARD: DoorRole.STEWARD,
}
TOKEN_ROLES = {DoorTokenRole.SUPERVISOR: DoorRole.DOOR_STAFF, DoorTokenRole.STEWARD: DoorRole.STEWARD}


@dataclass(frozen=True)
class DoorAccess:
    scanner: Scanner
    role: DoorRole
    # Whether it may judge scans offline (from the dataset): a door token unless it is online-only,
    # the organizer and supervisors; not door staff or stewards signed in with their own account.
    offline: bool = False

    @property
    def may_look_up(self) -> bool:
        return CAPABILITIES[self.role].look_up

    @property
    def may_undo(self) -> bool:
        return CAPABILITIES[self.role].undo

    @property
    def may_see_numbers(self) -> bool:
        return CAPABILITIES[self.role].see_numbers


class DoorToken(Protocol):
    id: int
    event_id: int | None
    label: str
    door_role: DoorTokenRole
    offline: bool


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
        scanner = Scanner(gate=door_token.label, door_token_id=door_token.id)
        return DoorAccess(scanner, TOKEN_ROLES[DoorTokenRole(door_token.door_role)], offline=bool(door_token.offline))
    if user is None:
        return None
    scanner = Scanner(gate=user.name, user_id=user.id)
    team_role = TEAM_AT_DOOR.get(role_on_event(event.owner_id, event.club_id, user.id))
    if team_role in (DoorRole.ORGANIZER, DoorRole.SUPERVISOR):
        return DoorAccess(scanner, team_role, offline=True)
    # Invited to this door: as what the invitation says, even a team steward invited as supervisor.
    if (invited_as := door_staff_role(event.id, user.id)) is not None:
        return DoorAccess(scanner, TOKEN_ROLES[invited_as])
    return DoorAccess(scanner, team_role) if team_role is not None else None


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


def require_look_up(access: DoorAccess) -> DoorAccess:
    """The access, if it may find people and read the attendee list; a steward may not (403)."""
    if not access.may_look_up:
        raise Forbidden(_("A steward only scans tickets: looking people up is for supervisors."))
    return access


def require_offline(access: DoorAccess) -> DoorAccess:
    """The access, if it may have the offline dataset: an online-only gate may not (403, saying why;
    authorization.py's table lets only door tokens and supervisors and up this far)."""
    if access.offline:
        return access
    if access.scanner.door_token_id is not None:
        raise OnlineOnly()
    raise Forbidden()


def require_numbers(access: DoorAccess) -> DoorAccess:
    """The access, if it may read the check-in numbers; a steward may not (403)."""
    if not access.may_see_numbers:
        raise Forbidden(_("A steward only scans tickets: the numbers are for supervisors."))
    return access
