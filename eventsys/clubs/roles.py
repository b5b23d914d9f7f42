"""Who may do what on an event: the roles, the permissions, and the one table between them.

A person stands on an event in one role: the club's owner or manager, a supervisor or steward of
its team, the creator of an event without a club (its owner), door staff invited to one event or a
door token (``door``: scan and look up, as the contract gives door tokens), or a steward's door token.
Which route needs which permission is the other half of the table: eventsys/authorization.py.
"""

from __future__ import annotations

import enum

from flask import g


class Role(enum.StrEnum):
    OWNER = "owner"
    MANAGER = "manager"
    SUPERVISOR = "supervisor"
    STEWARD = "steward"
    DOOR = "door"  # a supervisor's door token, or door staff invited to one event: scan and look up


TEAM_ROLES = (Role.OWNER, Role.MANAGER, Role.SUPERVISOR, Role.STEWARD)


class Permission(enum.StrEnum):
    SEE_EVENT = "see_event"  # a draft, and the pages of one's own role on it
    EDIT_EVENT = "edit_event"  # settings, ticket types, questions, door links, messages, copies
    CANCEL_EVENT = "cancel_event"
    READ_ATTENDEES = "read_attendees"  # the list, without e-mail addresses
    READ_CONTACTS = "read_contacts"  # e-mail addresses: full records, exports, outbox
    EDIT_REGISTRATIONS = "edit_registrations"  # add, edit, approve, cancel, bulk actions, resend
    SCAN = "scan"
    LOOK_UP = "look_up"  # find a person at the door by name
    CHECK_IN_BY_HAND = "check_in_by_hand"
    UNDO = "undo"
    OFFLINE_DATASET = "offline_dataset"  # the door's offline dataset (door tokens get it too: see authorization.py)
    CREATE_EVENT = "create_event"  # in a club
    SEE_TEAM = "see_team"  # who is on the club's team
    MANAGE_TEAM = "manage_team"
    READ_AUDIT = "read_audit"


_DOOR = {Permission.SEE_EVENT, Permission.SCAN, Permission.LOOK_UP}
_STEWARD = {Permission.SEE_EVENT, Permission.SCAN, Permission.SEE_TEAM}
_SUPERVISOR = _DOOR | _STEWARD | {
    Permission.CHECK_IN_BY_HAND,
    Permission.UNDO,
    Permission.READ_ATTENDEES,
    Permission.OFFLINE_DATASET,
}
_MANAGER = set(Permission) - {Permission.CANCEL_EVENT, Permission.MANAGE_TEAM, Permission.READ_AUDIT}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.OWNER: frozenset(Permission),
    Role.MANAGER: frozenset(_MANAGER),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.STEWARD: frozenset(_STEWARD),
    Role.DOOR: frozenset(_DOOR),
}


def may(role: Role | None, permission: Permission) -> bool:
    return role is not None and permission in GRANTS[role]


def current_role() -> Role | None:
    """The role the request was let in with (eventsys/authorization.py sets it); None outside one."""
    return g.get("role")


def allowed(permission: str) -> bool:
    """May the caller of this request do ``permission`` (its value, as templates name it)?"""
    return may(current_role(), Permission(permission))
