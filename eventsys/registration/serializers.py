"""A registration as lists show it: the organizer's (API) and a gate's (API and door page)."""

from __future__ import annotations

from typing import Any

from eventsys.registration import services
from eventsys.registration.models import Invitation, Registration
from eventsys.timeutil import isoformat


def registration_json(
    registration: Registration, for_door: bool = False, places: dict[int, int] | None = None
) -> dict[str, Any]:
    """A registration as the list shows it; a door token sees no e-mail address or answers.

    ``places``: waitlist places computed once for a whole list (else looked up for this one).
    """
    event = registration.event
    body: dict[str, Any] = {
        "code": registration.code,
        "name": registration.name,
        "status": registration.status.value,
        "ticket_type": {"id": registration.ticket_type.id, "name": registration.ticket_type.name},
        "created_at": isoformat(registration.created_at, event.timezone),
        "checked_in": registration.checked_in_at is not None,
    }
    if not for_door:
        body["email"] = registration.email
        body["answers"] = dict(registration.answers or {})
        body["waitlist_position"] = (
            places.get(registration.id) if places is not None else services.waitlist_position(registration)
        )
    return body


def answers_json(registration: Registration) -> list[dict[str, Any]]:
    """Every question of the event in its order, with this registration's answer (None: none given)."""
    answers = registration.answers or {}
    return [
        {"question_id": question.id, "label": question.label, "value": answers.get(str(question.id))}
        for question in registration.event.questions
    ]


def invitee_json(invitation: Invitation, tz: str, for_door: bool = False) -> dict[str, Any]:
    """An invited person not registered yet, in the shape of the list's registrations: no code,
    no ticket type, status ``invited``."""
    body: dict[str, Any] = {
        "code": None,
        "name": invitation.name,
        "status": "invited",
        "ticket_type": None,
        "created_at": isoformat(invitation.created_at, tz),
        "invited_at": isoformat(invitation.created_at, tz),
        "checked_in": False,
    }
    if not for_door:
        body["email"] = invitation.email
        body["answers"] = {}
        body["waitlist_position"] = None
    return body
