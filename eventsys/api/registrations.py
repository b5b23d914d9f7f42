"""Registrations: public sign-up, the organizer's list and actions, a gate's look-up."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from sqlalchemy.orm import selectinload

from eventsys.api import api_bp
from eventsys.api.auth import caller
from eventsys.api.pagination import paginate
from eventsys.api.schema import Field, MalformedRequest, json_body, read_fields
from eventsys.checkin.access import find_event_at_door, require_access_at_door
from eventsys.errors import NotFound, ValidationFailed
from eventsys.events import services as event_services
from eventsys.events.models import Event
from eventsys.extensions import db, limiter
from eventsys.registration import services
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.serializers import registration_json
from eventsys.registration.services import NewRegistration, RegistrationRequest
from eventsys.registration.snapshot import EventSnapshot, load_event_snapshot
from eventsys.urls import public_url

REGISTRATION_FIELDS = {
    "name": Field(str, required=True),
    "email": Field(str, required=True),
    "ticket_type_id": Field(int, nullable=True),
    "answers": Field(dict, nullable=True),
    "locale": Field(str, nullable=True),
}


def attendee_json(registration: NewRegistration) -> dict[str, Any]:
    """What the person who registered gets back: their status, links and, when confirmed, the ticket."""
    secret = registration.manage_secret
    body: dict[str, Any] = {
        "code": registration.code,
        "status": registration.status.value,
        "ticket_type": {"id": registration.ticket_type.id, "name": registration.ticket_type.name},
        "manage_url": public_url("registration.ticket_page", secret=secret),
    }
    if registration.status == RegistrationStatus.WAITLISTED:
        body["waitlist_position"] = services.waitlist_position(registration)
    if registration.status == RegistrationStatus.CONFIRMED:
        body["ticket"] = {
            "qr_payload": registration.qr_payload,
            "qr_png_url": public_url("registration.qr_png", secret=secret),
            "qr_svg_url": public_url("registration.qr_svg", secret=secret),
            "ics_url": public_url("registration.calendar", secret=secret),
        }
    return body


def _registrable_event(slug: str) -> EventSnapshot:
    """The event at ``slug``, as registering reads it, if the caller may see it (else 404, as
    ``find_visible_event`` answers)."""
    event = load_event_snapshot(slug) if event_services.is_well_formed_slug(slug) else None
    if event is None or not event_services.can_view(event, caller().user):
        raise NotFound("No such event.")
    return event


@api_bp.post("/events/<slug>/registrations")
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"])
def create_registration(slug: str):
    event = _registrable_event(slug)
    values = read_fields(json_body(), REGISTRATION_FIELDS)
    registration = services.register_for_snapshot(
        event,
        RegistrationRequest(
            name=values["name"],
            email=values["email"],
            ticket_type_id=values.get("ticket_type_id"),
            answers={str(key): value for key, value in (values.get("answers") or {}).items()},
            locale=values.get("locale") or "en",
        ),
    )
    return attendee_json(registration), 201


def _bool_arg(name: str) -> bool | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if raw.lower() in ("true", "1", "yes"):
        return True
    if raw.lower() in ("false", "0", "no"):
        return False
    raise MalformedRequest(f"`{name}` must be true or false.", fields={name: ["Must be true or false."]})


def _event_for_list(slug: str) -> Event:
    """The event whose list the caller may read: a gate of it (as at its door), or its organizer."""
    current = caller()
    if not current.is_door:
        return event_services.find_managed_event(slug, current.require_organizer())
    at_door = find_event_at_door(slug)
    require_access_at_door(at_door, current.token, None)
    return db.session.get(Event, at_door.id)


@api_bp.get("/events/<slug>/registrations")
def list_registrations(slug: str):
    current = caller()
    event = _event_for_list(slug)
    status = request.args.get("status") or ""
    if status and status not in {s.value for s in RegistrationStatus}:
        raise ValidationFailed({"status": ["Use one of: " + ", ".join(s.value for s in RegistrationStatus) + "."]})
    ticket_type = request.args.get("ticket_type") or None
    # isdigit() let "²" through to int(), and a huge id overflowed the database's integer: both a 500.
    if ticket_type is not None and not (ticket_type.isdecimal() and len(ticket_type) <= 9):
        raise MalformedRequest("`ticket_type` must be a ticket type id.", fields={"ticket_type": ["Must be an id."]})
    query = services.registrations_matching(
        event,
        request.args.get("q", "")[:200],
        status,
        int(ticket_type) if ticket_type else None,
        by_email=not current.is_door,
    )
    checked_in = _bool_arg("checked_in")
    if checked_in is not None:
        query = query.where(
            Registration.checked_in_at.isnot(None) if checked_in else Registration.checked_in_at.is_(None)
        )
    places = None if current.is_door else services.waitlist_positions(event.id)
    return paginate(
        query.options(selectinload(Registration.ticket_type)).order_by(Registration.id),
        lambda registration: registration_json(registration, for_door=current.is_door, places=places),
    )


def _organizer_registration(slug: str, code: str) -> Registration:
    event = event_services.find_managed_event(slug, caller().require_organizer())
    return services.find_registration(event, code)


@api_bp.get("/events/<slug>/registrations/<code>")
def get_registration(slug: str, code: str):
    return registration_json(_organizer_registration(slug, code))


ACTIONS = {
    "cancel": services.cancel_registration,
    "approve": services.approve_registration,
    "reject": services.reject_registration,
}


@api_bp.post("/events/<slug>/registrations/<code>/<any(cancel, approve, reject):action>")
def registration_action(slug: str, code: str, action: str):
    registration = _organizer_registration(slug, code)
    json_body(optional=True)
    return registration_json(ACTIONS[action](registration))
