"""An organizer's messages to attendees: send, preview, the sent list."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from eventsys.api import api_bp
from eventsys.api.auth import caller
from eventsys.api.pagination import paginate_rows
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.errors import MalformedRequest
from eventsys.events.models import Event
from eventsys.mail import broadcast
from eventsys.mail.broadcast import CHINESE, Draft, SentMessage
from eventsys.timeutil import isoformat

MESSAGE_FIELDS = {
    "subject": Field(str, required=True),
    "body": Field(str, required=True),
    "translations": Field(dict, nullable=True),
    "to": Field(dict, nullable=True),
}
TO_FIELDS = {
    "status": Field("strings", nullable=True),
    "ticket_type": Field(int, nullable=True),
    "checked_in": Field(bool, nullable=True),
}
VERSION_FIELDS = {"subject": Field(str, nullable=True), "body": Field(str, nullable=True)}


def _event(slug: str) -> Event:
    return broadcast.managed_event(slug, caller().require_organizer())


def _draft(event: Event) -> Draft:
    """The request's message; wrong JSON types 400, the rest as the service judges (422)."""
    values = read_fields(json_body(), MESSAGE_FIELDS)
    to = _nested(values.get("to"), TO_FIELDS, "to")
    versions = values.get("translations") or {}
    chinese = _nested(versions.get(CHINESE), VERSION_FIELDS, f"translations.{CHINESE}")
    recipients = broadcast.read_recipients(event, to.get("status"), to.get("ticket_type"), to.get("checked_in"))
    return Draft(
        subject=values["subject"],
        body=values["body"],
        translations={CHINESE: {name: text for name, text in chinese.items() if text}},
        to=recipients,
    )


def _nested(value: Any, spec: dict[str, Field], name: str) -> dict[str, Any]:
    """An object inside the body, read like the body (its fields' errors named ``name.field``)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedRequest(_("Some fields have the wrong type."), fields={name: [_("Must be an object.")]})
    try:
        return read_fields(value, spec)
    except MalformedRequest as exc:
        fields = {f"{name}.{field}": problems for field, problems in (exc.fields or {}).items()}
        raise MalformedRequest(exc.message, fields=fields) from exc


def _sent_json(row: SentMessage) -> dict[str, Any]:
    message = row.message
    return {
        "id": message.id,
        "subject": message.subject,
        "body": message.body,
        "translations": message.translations or {},
        "to": message.recipients_filter or {},
        "recipients": message.recipients,
        "sent": row.sent,
        "failed": row.failed,
        "created_at": isoformat(message.created_at),
    }


@api_bp.post("/events/<slug>/messages")
def send_message(slug: str):
    event = _event(slug)
    message = broadcast.send_message(event, _draft(event), caller().user)
    return {"id": message.id, "recipients": message.recipients}, 202


@api_bp.post("/events/<slug>/messages/preview")
def preview_message(slug: str):
    event = _event(slug)
    preview = broadcast.preview_message(event, _draft(event))
    first = preview.first
    return {
        "recipients": preview.recipients,
        "subject": first.subject if first else None,
        "body": first.text if first else None,
    }


@api_bp.get("/events/<slug>/messages")
def list_messages(slug: str):
    event = _event(slug)
    return paginate_rows(broadcast.sent_messages(event), _sent_json)
