"""Models to the contract's JSON shapes."""

from __future__ import annotations

from typing import Any

from eventsys.auth.models import ApiToken
from eventsys.events.models import Event, Question, TicketType
from eventsys.timeutil import isoformat
from eventsys.urls import public_url


def ticket_type_json(ticket_type: TicketType) -> dict[str, Any]:
    return {
        "id": ticket_type.id,
        "name": ticket_type.name,
        "description": ticket_type.description,
        "capacity": ticket_type.capacity,
        "remaining": ticket_type.remaining,
        "translations": ticket_type.translations or {},
    }


def question_json(question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "label": question.label,
        "kind": question.kind.value,
        "required": question.required,
        "options": list(question.options or []),
        "help_text": question.help_text,
        "on_badge": question.on_badge,
        "position": question.position,
        "translations": question.translations or {},
    }


def event_json(event: Event, with_questions: bool = True) -> dict[str, Any]:
    """An event with its ticket types; lists leave out the questions (an event may have 100)."""
    tz = event.timezone
    body: dict[str, Any] = {
        "id": event.id,
        "slug": event.slug,
        "name": event.name,
        "tagline": event.tagline,
        "description": event.description,
        "venue": event.venue,
        "address": event.address,
        "starts_at": isoformat(event.starts_at, tz),
        "ends_at": isoformat(event.ends_at, tz),
        "timezone": tz,
        "capacity": event.capacity,
        "remaining": event.seats_left,
        "registration_opens_at": isoformat(event.registration_opens_at, tz),
        "registration_closes_at": isoformat(event.registration_closes_at, tz),
        "requires_approval": event.requires_approval,
        "waitlist": event.waitlist,
        "reminder_hours_before": event.reminder_hours_before,
        "access": event.access.value,
        "status": event.status.value,
        "club": event.club.slug if event.club_id is not None else None,
        "url": public_url("public.event_page", slug=event.slug),
        "translations": event.translations or {},
    }
    body["ticket_types"] = [ticket_type_json(t) for t in event.ticket_types]
    if with_questions:
        body["questions"] = [question_json(q) for q in event.questions]
    return body


def door_token_json(token: ApiToken, tz: str) -> dict[str, Any]:
    return {
        "id": token.id,
        "label": token.label,
        "role": token.door_role.value,
        "offline": token.offline,
        "created_at": isoformat(token.created_at, tz),
    }


def personal_token_json(token: ApiToken, current_id: int | None) -> dict[str, Any]:
    """A personal token as its owner sees it: never the token itself, which is not stored."""
    return {
        "id": token.id,
        "label": token.label,
        "created_at": isoformat(token.created_at),
        "last_used_at": isoformat(token.last_used_at),
        "current": token.id == current_id,
    }
