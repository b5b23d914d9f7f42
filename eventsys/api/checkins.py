"""Check-in at the door: scans, undo, and live numbers."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Row

from eventsys.api import api_bp
from eventsys.api.auth import Unauthorized, caller
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.checkin import numbers, services
from eventsys.checkin.access import (
    DoorAccess,
    find_event_at_door,
    require_access_at_door,
    require_numbers,
    require_offline,
)
from eventsys.checkin.conflicts import double_admissions
from eventsys.checkin.dataset import dataset_response
from eventsys.checkin.services import EventAtDoor
from eventsys.errors import Forbidden, NotFound

CHECKIN_FIELDS = {
    "code": Field(str, nullable=True),  # required, unless an offline gate uploads its lookup instead
    "direction": Field(str),
    "gate": Field(str, nullable=True),
    "nonce": Field(str, nullable=True),
    "scanned_at": Field("datetime", nullable=True),
    "dry_run": Field(bool),
    "lookup": Field(str, nullable=True),
    "offline_result": Field(str, nullable=True),
}


def _at_the_door(slug: str) -> tuple[Row, DoorAccess]:
    """The event and how the caller stands at its door: one of its gates, its organizer or door staff."""
    event = find_event_at_door(slug)
    current = caller()
    if current.token is None:
        raise Unauthorized()
    return event, require_access_at_door(event, current.token if current.is_door else None, current.user)


@api_bp.post("/events/<slug>/checkins")
def create_checkin(slug: str):
    event, access = _at_the_door(slug)
    values = read_fields(json_body(), CHECKIN_FIELDS, event.timezone)
    request = services.scan_request_from(values, gate=values.get("gate"))
    return services.check_in(EventAtDoor(event.id, event.timezone), request, access.scanner)


@api_bp.get("/events/<slug>/checkin-dataset")
def checkin_dataset(slug: str):
    """What a gate needs to judge scans offline (checkin/dataset.py); an ETag makes a 304 of an unchanged one."""
    event, access = _at_the_door(slug)
    require_offline(access)
    return dataset_response(event)


@api_bp.get("/events/<slug>/checkins/conflicts")
def checkin_conflicts(slug: str):
    """Registrations admitted more than once while gates were apart, newest first."""
    event, access = _at_the_door(slug)
    require_numbers(access)
    return {"items": [conflict.json(event.timezone) for conflict in double_admissions(event.id)]}


@api_bp.post("/events/<slug>/checkins/<int:scan_id>/undo")
def undo_checkin(slug: str, scan_id: int):
    event, access = _at_the_door(slug)
    if not access.may_undo:
        raise Forbidden(_("Only the event's organizer can undo a check-in."))
    json_body(optional=True)
    if not 0 < scan_id < 2**31:
        raise NotFound(_("No such check-in."))
    return services.undo_checkin(EventAtDoor(event.id, event.timezone), scan_id, access.scanner)


@api_bp.get("/events/<slug>/checkins/stats")
def checkin_stats(slug: str):
    event, access = _at_the_door(slug)
    require_numbers(access)
    return numbers.checkin_stats(EventAtDoor(event.id, event.timezone))
