"""Events, their ticket types, questions and door tokens."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from eventsys.api import api_bp
from eventsys.api.auth import caller
from eventsys.api.pagination import paginate, paginate_rows
from eventsys.api.schema import Field, json_body, read_fields, reading_timezone
from eventsys.api.serializers import (
    door_token_json,
    event_json,
    question_json,
    ticket_type_json,
)
from eventsys.auth.models import DoorTokenRole
from eventsys.auth.services import get_door_token, list_door_tokens, revoke_token
from eventsys.checkin.staff import create_door_link, set_gate_offline
from eventsys.errors import Forbidden, ValidationFailed
from eventsys.events import editions, services
from eventsys.events.models import Event, EventStatus
from eventsys.events.services import EventDetails, QuestionDetails
from eventsys.events.translations import merged_translations

EVENT_FIELDS = {
    "name": Field(str),
    "slug": Field(str, nullable=True),
    "tagline": Field(str, nullable=True),
    "description": Field(str, nullable=True),
    "venue": Field(str, nullable=True),
    "address": Field(str, nullable=True),
    "starts_at": Field("datetime"),
    "ends_at": Field("datetime"),
    "timezone": Field(str),
    "capacity": Field(int, nullable=True),
    "registration_opens_at": Field("datetime", nullable=True),
    "registration_closes_at": Field("datetime", nullable=True),
    "requires_approval": Field(bool),
    "waitlist": Field(bool),
    "reminder_hours_before": Field(int, nullable=True),
    "access": Field(str),
    "status": Field(str),
    "translations": Field(dict, nullable=True),
}
CREATE_FIELDS = {**EVENT_FIELDS, "club": Field(str, nullable=True)}
REQUIRED_ON_CREATE = ("name", "starts_at", "ends_at")
TEXT_FIELDS = ("tagline", "description", "venue", "address")

TICKET_TYPE_FIELDS = {
    "name": Field(str, required=True),
    "capacity": Field(int, nullable=True),
    "description": Field(str, nullable=True),
    "translations": Field(dict, nullable=True),
}
QUESTION_FIELDS = {
    "label": Field(str, required=True),
    "kind": Field(str, required=True),
    "required": Field(bool),
    "options": Field("strings", nullable=True),
    "help_text": Field(str, nullable=True),
    "on_badge": Field(bool),
    "translations": Field(dict, nullable=True),
}
COPY_FIELDS = {
    "name": Field(str, required=True),
    "starts_at": Field("datetime", required=True),
    "slug": Field(str, nullable=True),
}
DOOR_TOKEN_FIELDS = {"label": Field(str, required=True), "role": Field(str), "offline": Field(bool)}


def _event_status(values: dict[str, Any]) -> EventStatus | None:
    if "status" not in values:
        return None
    try:
        return EventStatus(values["status"])
    except ValueError:
        raise ValidationFailed({"status": [_("Use draft, published or cancelled.")]}) from None


def _details(values: dict[str, Any], base: EventDetails | None) -> EventDetails:
    for name in TEXT_FIELDS:
        if name in values and values[name] is None:
            values[name] = ""
    if base is None:
        missing = {name: [_("This field is required.")] for name in REQUIRED_ON_CREATE if name not in values}
        if missing:
            raise ValidationFailed(missing)
        return EventDetails(**{k: v for k, v in values.items() if k != "status"})
    merged = {**base.__dict__, **{k: v for k, v in values.items() if k != "status"}}
    return EventDetails(**merged)


@api_bp.post("/events")
def create_event():
    user = caller().require_organizer()
    data = json_body()
    values = read_fields(data, CREATE_FIELDS, reading_timezone(data, "UTC"))
    club_slug = values.pop("club", None)
    club = services.club_for_new_event(user, club_slug) if club_slug else None
    event = services.create_event(user, _details(values, None), _event_status(values) or EventStatus.DRAFT, club)
    return event_json(event), 201


@api_bp.get("/events")
def list_events():
    current = caller()
    if current.is_door:
        raise Forbidden(_("A door token can only check people in at its event."))
    query = services.events_visible_to(current.user).options(selectinload(Event.ticket_types))
    return paginate(query, lambda event: event_json(event, with_questions=False))


def _visible_event(slug: str) -> Event:
    current = caller()
    event = services.find_visible_event(slug, current.user)
    if current.is_door and current.token.event_id != event.id:
        raise Forbidden(_("This door token belongs to another event."))
    return event


@api_bp.get("/events/<slug>")
def get_event(slug: str):
    return event_json(_visible_event(slug))


def _managed_event(slug: str) -> Event:
    user = caller().require_organizer()
    return services.find_managed_event(slug, user)


@api_bp.patch("/events/<slug>")
def update_event(slug: str):
    event = _managed_event(slug)
    data = json_body()
    values = read_fields(data, EVENT_FIELDS, reading_timezone(data, event.timezone))
    for name in ("name", "starts_at", "ends_at", "timezone", "requires_approval", "waitlist", "access"):
        if name in values and values[name] is None:
            raise ValidationFailed({name: [_("This field cannot be empty.")]})
    if "translations" in values:
        values["translations"] = merged_translations(event.translations, values["translations"])
    services.update_event(event, _details(values, EventDetails.of(event)), _event_status(values), caller().user)
    return event_json(event)


@api_bp.post("/events/<slug>/copy")
def copy_event(slug: str):
    """Next year's edition: a draft copy; a start without an offset is read in the original's zone."""
    event = _managed_event(slug)
    values = read_fields(json_body(), COPY_FIELDS, event.timezone)
    edition = editions.copy_event(event, caller().user, values["name"], values["starts_at"], values.get("slug"))
    return event_json(edition), 201


# --- ticket types ---------------------------------------------------------------------------


@api_bp.get("/events/<slug>/ticket-types")
def list_ticket_types(slug: str):
    return paginate_rows(_visible_event(slug).ticket_types, ticket_type_json)


@api_bp.post("/events/<slug>/ticket-types")
def create_ticket_type(slug: str):
    event = _managed_event(slug)
    values = read_fields(json_body(), TICKET_TYPE_FIELDS)
    ticket_type = services.add_ticket_type(
        event,
        values["name"],
        values.get("capacity"),
        values.get("description") or "",
        values.get("translations"),
        by=caller().user,
    )
    return ticket_type_json(ticket_type), 201


@api_bp.patch("/events/<slug>/ticket-types/<int:ticket_type_id>")
def update_ticket_type(slug: str, ticket_type_id: int):
    event = _managed_event(slug)
    ticket_type = services.find_ticket_type(event, ticket_type_id)
    spec = {**TICKET_TYPE_FIELDS, "name": Field(str)}
    values = read_fields(json_body(), spec)
    services.update_ticket_type(
        ticket_type,
        values.get("name", ticket_type.name),
        values.get("capacity", ticket_type.capacity),
        values.get("description", ticket_type.description) or "",
        merged_translations(ticket_type.translations, values["translations"]) if "translations" in values else None,
        by=caller().user,
    )
    return ticket_type_json(ticket_type)


@api_bp.delete("/events/<slug>/ticket-types/<int:ticket_type_id>")
def delete_ticket_type(slug: str, ticket_type_id: int):
    event = _managed_event(slug)
    services.delete_ticket_type(services.find_ticket_type(event, ticket_type_id), by=caller().user)
    return "", 204


# --- questions --------------------------------------------------------------------------------


@api_bp.get("/events/<slug>/questions")
def list_questions(slug: str):
    return paginate_rows(_visible_event(slug).questions, question_json)


def _question_details(values: dict[str, Any]) -> QuestionDetails:
    return QuestionDetails(
        label=values["label"],
        kind=values["kind"],
        required=values.get("required", False),
        options=values.get("options") or [],
        help_text=values.get("help_text") or "",
        on_badge=values.get("on_badge", False),
        translations=values.get("translations"),
    )


@api_bp.post("/events/<slug>/questions")
def create_question(slug: str):
    event = _managed_event(slug)
    question = services.add_question(event, _question_details(read_fields(json_body(), QUESTION_FIELDS)), caller().user)
    return question_json(question), 201


@api_bp.patch("/events/<slug>/questions/<int:question_id>")
def update_question(slug: str, question_id: int):
    event = _managed_event(slug)
    question = services.find_question(event, question_id)
    spec = {name: Field(field.kind, nullable=field.nullable) for name, field in QUESTION_FIELDS.items()}
    current = question_json(question)
    values = {**current, **read_fields(json_body(), spec)}
    values["translations"] = merged_translations(question.translations, values["translations"])
    services.update_question(question, _question_details(values), caller().user)
    return question_json(question)


@api_bp.delete("/events/<slug>/questions/<int:question_id>")
def delete_question(slug: str, question_id: int):
    event = _managed_event(slug)
    services.delete_question(services.find_question(event, question_id), caller().user)
    return "", 204


# --- door tokens ------------------------------------------------------------------------------


@api_bp.post("/events/<slug>/door-tokens")
def create_door_token(slug: str):
    event = _managed_event(slug)
    values = read_fields(json_body(), DOOR_TOKEN_FIELDS)
    link = create_door_link(
        event,
        caller().user,
        values["label"],
        values.get("role", DoorTokenRole.SUPERVISOR),
        offline=values.get("offline", True),
    )
    body = door_token_json(link.token, event.timezone)
    body.update(token=link.clear, door_url=link.url)
    return body, 201


@api_bp.get("/events/<slug>/door-tokens")
def list_event_door_tokens(slug: str):
    event = _managed_event(slug)
    return paginate(list_door_tokens(event.id), lambda token: door_token_json(token, event.timezone))


@api_bp.patch("/events/<slug>/door-tokens/<int:token_id>")
def update_door_token(slug: str, token_id: int):
    """`{"offline": false}` makes the gate online-only; true lets it judge scans offline again."""
    event = _managed_event(slug)
    values = read_fields(json_body(), {"offline": Field(bool, required=True)})
    return door_token_json(set_gate_offline(event, token_id, values["offline"]), event.timezone)


@api_bp.delete("/events/<slug>/door-tokens/<int:token_id>")
def revoke_door_token(slug: str, token_id: int):
    event = _managed_event(slug)
    revoke_token(get_door_token(event.id, token_id).id)
    return "", 204
