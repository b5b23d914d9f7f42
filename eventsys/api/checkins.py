"""Check-in at the door: scans, undo, and live numbers."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Row

from eventsys.api import api_bp
from eventsys.api.auth import Unauthorized, caller
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.checkin import numbers, services
from eventsys.checkin.access import find_event_at_door, require_access_at_door
from eventsys.checkin.models import Direction
from eventsys.checkin.services import EventAtDoor, Scanner, ScanRequest
from eventsys.errors import Forbidden, NotFound, ValidationFailed

CHECKIN_FIELDS = {
    "code": Field(str, required=True),
    "direction": Field(str),
    "gate": Field(str, nullable=True),
    "nonce": Field(str, nullable=True),
    "scanned_at": Field("datetime", nullable=True),
}


def _at_the_door(slug: str, undo: bool = False) -> tuple[Row, Scanner]:
    """The event and the caller's scanner, if the caller is one of its gates, its organizer or door staff."""
    event = find_event_at_door(slug)
    current = caller()
    if current.token is None:
        raise Unauthorized()
    access = require_access_at_door(event, current.token if current.is_door else None, current.user)
    if undo and not access.may_undo:
        raise Forbidden(_("Only the event's organizer can undo a check-in."))
    return event, access.scanner


@api_bp.post("/events/<slug>/checkins")
def create_checkin(slug: str):
    event, scanner = _at_the_door(slug)
    values = read_fields(json_body(), CHECKIN_FIELDS, event.timezone)
    try:
        direction = Direction(values.get("direction", "in"))
    except ValueError:
        raise ValidationFailed({"direction": [_("Use in or out.")]}) from None
    request = ScanRequest(
        code=values["code"],
        direction=direction,
        gate=values.get("gate"),
        nonce=values.get("nonce"),
        scanned_at=values.get("scanned_at"),
    )
    return services.check_in(EventAtDoor(event.id, event.timezone), request, scanner)


@api_bp.post("/events/<slug>/checkins/<int:scan_id>/undo")
def undo_checkin(slug: str, scan_id: int):
    event, scanner = _at_the_door(slug, undo=True)
    json_body(optional=True)
    if not 0 < scan_id < 2**31:
        raise NotFound(_("No such check-in."))
    return services.undo_checkin(EventAtDoor(event.id, event.timezone), scan_id, scanner)


@api_bp.get("/events/<slug>/checkins/stats")
def checkin_stats(slug: str):
    event, _scanner = _at_the_door(slug)
    return numbers.checkin_stats(EventAtDoor(event.id, event.timezone))
