"""Registrations: public sign-up, the organizer's list and actions, a gate's look-up."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.api import api_bp
from eventsys.api.auth import caller
from eventsys.api.pagination import page_json, query_page
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.backoffice.history import history_of
from eventsys.checkin.access import find_event_at_door, require_access_at_door
from eventsys.clubs.roles import Permission, allowed
from eventsys.errors import NotFound, ValidationFailed
from eventsys.events import services as event_services
from eventsys.events.models import Event
from eventsys.extensions import db, limiter
from eventsys.registration import listing, services
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.serializers import answers_json, registration_json
from eventsys.registration.services import ByHand, NewRegistration, RegistrationEdit, RegistrationRequest
from eventsys.registration.snapshot import EventSnapshot, load_event_snapshot
from eventsys.timeutil import isoformat
from eventsys.urls import public_url

REGISTRATION_FIELDS = {
    "name": Field(str, required=True),
    "email": Field(str, required=True),
    "ticket_type_id": Field(int, nullable=True),
    "answers": Field(dict, nullable=True),
    "locale": Field(str, nullable=True),
}
# An organizer adding someone by hand: the e-mail may be left out, and two switches.
BY_HAND_FIELDS = {
    **REGISTRATION_FIELDS,
    "email": Field(str, nullable=True),
    "notify": Field(bool),
    "over_capacity": Field(bool),
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
        raise NotFound(_("No such event."))
    return event


@api_bp.post("/events/<slug>/registrations")
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"])
def create_registration(slug: str):
    """A registration; from the event's organizer, someone added by hand (see ByHand)."""
    event = _registrable_event(slug)
    user = caller().user
    by_hand = event_services.can_manage(event, user)
    values = read_fields(json_body(), BY_HAND_FIELDS if by_hand else REGISTRATION_FIELDS)
    registration = services.register_for_snapshot(
        event,
        RegistrationRequest(
            name=values["name"],
            email=values.get("email") or "",
            ticket_type_id=values.get("ticket_type_id"),
            answers={str(key): value for key, value in (values.get("answers") or {}).items()},
            locale=values.get("locale") or "en",
        ),
        ByHand(user, values.get("notify", True), values.get("over_capacity", False)) if by_hand else None,
    )
    return attendee_json(registration), 201


def _event_for_list(slug: str) -> Event:
    """The event whose list the caller may read (eventsys/authorization.py let them in): a gate of
    it (as at its door), or someone on its team or at its door."""
    current = caller()
    if not current.is_door:
        return event_services.find_visible_event(slug, current.require_organizer())
    at_door = find_event_at_door(slug)
    require_access_at_door(at_door, current.token, None)
    return db.session.get(Event, at_door.id)


@api_bp.get("/events/<slug>/registrations")
def list_registrations(slug: str):
    event = _event_for_list(slug)
    contacts = allowed(Permission.READ_CONTACTS)
    values = listing.filter_from_args(request.args, event, by_email=contacts)
    found = query_page(
        listing.attendees(event.id, values).options(selectinload(Registration.ticket_type)),
        lambda: listing.attendee_count(event.id, values),
    )
    places = None
    if contacts:
        waiting = [r.id for r in found.items if r.status == RegistrationStatus.WAITLISTED]
        places = services.waitlist_positions(event.id, among=waiting)
    items = [registration_json(r, for_door=not contacts, places=places) for r in found.items]
    return page_json(items, found.total, found.number, found.per_page)


def _managed_event(slug: str) -> Event:
    return event_services.find_managed_event(slug, caller().require_organizer())


def _organizer_registration(slug: str, code: str) -> Registration:
    return services.find_registration(_managed_event(slug), code)


def detailed_json(registration: Registration) -> dict[str, Any]:
    """One registration as its organizer reads it: the list's fields, every answer, its history."""
    tz = registration.event.timezone
    return {
        **registration_json(registration),
        "answers": answers_json(registration),
        "checked_in_at": isoformat(registration.checked_in_at, tz),
        "history": [entry.to_json(tz) for entry in history_of(registration)],
    }


@api_bp.get("/events/<slug>/registrations/<code:code>")
def get_registration(slug: str, code: str):
    """One registration; a supervisor reads it as the door does, without its e-mail address."""
    if allowed(Permission.READ_CONTACTS):
        return detailed_json(_organizer_registration(slug, code))
    event = event_services.find_event_for(slug, caller().require_organizer(), Permission.READ_ATTENDEES)
    return registration_json(services.find_registration(event, code), for_door=True)


EDIT_FIELDS = {
    "name": Field(str),
    "email": Field(str, nullable=True),
    "answers": Field(dict),
    "ticket_type_id": Field(int),
}


@api_bp.patch("/events/<slug>/registrations/<code:code>")
def edit_registration(slug: str, code: str):
    registration = _organizer_registration(slug, code)
    values = read_fields(json_body(), EDIT_FIELDS)
    edit = RegistrationEdit(
        name=values.get("name"),
        email="" if "email" in values and values["email"] is None else values.get("email"),
        answers={str(key): value for key, value in values["answers"].items()} if "answers" in values else None,
        ticket_type_id=values.get("ticket_type_id"),
    )
    return detailed_json(services.edit_registration(registration, edit, caller().user))


ACTIONS = {
    "cancel": services.cancel_registration,
    "approve": services.approve_registration,
    "reject": services.reject_registration,
}


@api_bp.post("/events/<slug>/registrations/<code:code>/<any(cancel, approve, reject):action>")
def registration_action(slug: str, code: str, action: str):
    registration = _organizer_registration(slug, code)
    json_body(optional=True)
    return registration_json(ACTIONS[action](registration, caller().user))


@api_bp.post("/events/<slug>/registrations/<code:code>/resend")
def resend(slug: str, code: str):
    registration = _organizer_registration(slug, code)
    json_body(optional=True)
    services.resend_ticket(registration, caller().user)
    return {"code": registration.code, "status": registration.status.value}, 202


BULK_FIELDS = {"action": Field(str, required=True), "codes": Field("strings", required=True)}


@api_bp.post("/events/<slug>/registrations/bulk")
def bulk(slug: str):
    event = _managed_event(slug)
    values = read_fields(json_body(), BULK_FIELDS)
    errors = {}
    if values["action"] not in services.BULK_ACTIONS:
        errors["action"] = [_("Use one of: %(choices)s.", choices=", ".join(services.BULK_ACTIONS))]
    if not values["codes"]:
        errors["codes"] = [_("Give at least one code.")]
    elif len(values["codes"]) > services.MAX_BULK:
        errors["codes"] = [_("Give at most %(num)d codes at a time.", num=services.MAX_BULK)]
    if errors:
        raise ValidationFailed(errors)
    result = services.act_on_many(event, values["action"], values["codes"], caller().user)
    return {
        "done": result.done,
        "failed": [{"code": code, "error": {"code": exc.code, "message": exc.message}} for code, exc in result.failed],
    }
