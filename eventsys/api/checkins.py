"""Check-in at the door: scans, undo, and live numbers."""

from __future__ import annotations

from typing import Any

from eventsys.api import api_bp
from eventsys.api.auth import caller
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.checkin import numbers, services
from eventsys.checkin.models import Direction
from eventsys.checkin.services import EventAtDoor, Scanner, ScanRequest
from eventsys.errors import Forbidden, NotFound, ValidationFailed
from eventsys.events.models import EventStatus

CHECKIN_FIELDS = {
    "code": Field(str, required=True),
    "direction": Field(str),
    "gate": Field(str, nullable=True),
    "nonce": Field(str, nullable=True),
    "scanned_at": Field("datetime", nullable=True),
}


def _event_for_checkin(slug: str, organizer_only: bool = False) -> Any:
    """The event, if the caller is one of its gates (door token) or its organizer."""
    event = services.find_event_at_door(slug)
    current = caller()
    token = current.token
    if event.status == EventStatus.DRAFT.value and token is not None:
        own = event.id == token.event_id if current.is_door else event.owner_id == token.user_id
        if not own:  # someone else's draft is not visible at all
            raise NotFound("No such event.")
    current.require_door_or_organizer(event)
    if organizer_only and current.is_door:
        raise Forbidden("A door token can only check people in.")
    return event


def _scanner() -> Scanner:
    current = caller()
    if current.is_door:
        return Scanner(gate=current.token.label, door_token_id=current.token.id)
    return Scanner(gate=current.token.user.name, user_id=current.token.user_id)


@api_bp.post("/events/<slug>/checkins")
def create_checkin(slug: str):
    event = _event_for_checkin(slug)
    values = read_fields(json_body(), CHECKIN_FIELDS, event.timezone)
    try:
        direction = Direction(values.get("direction", "in"))
    except ValueError:
        raise ValidationFailed({"direction": ["Use in or out."]}) from None
    request = ScanRequest(
        code=values["code"],
        direction=direction,
        gate=values.get("gate"),
        nonce=values.get("nonce"),
        scanned_at=values.get("scanned_at"),
    )
    return services.check_in(EventAtDoor(event.id, event.timezone), request, _scanner())


@api_bp.post("/events/<slug>/checkins/<int:scan_id>/undo")
def undo_checkin(slug: str, scan_id: int):
    event = _event_for_checkin(slug, organizer_only=True)
    json_body(optional=True)
    if not 0 < scan_id < 2**31:
        raise NotFound("No such check-in.")
    return services.undo_checkin(EventAtDoor(event.id, event.timezone), scan_id, _scanner())


@api_bp.get("/events/<slug>/checkins/stats")
def checkin_stats(slug: str):
    event = _event_for_checkin(slug)
    return numbers.checkin_stats(EventAtDoor(event.id, event.timezone))
