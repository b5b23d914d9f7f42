"""Door links: a gate's link signs a browser in as that gate, with no account."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user

from eventsys.auth.models import ApiToken, TokenKind
from eventsys.auth.services import find_active_token
from eventsys.errors import NotFound
from eventsys.events import services as event_services
from eventsys.extensions import db

door_bp = Blueprint("door", __name__)

SESSION_KEY = "door_token_id"


@door_bp.get("/door/<token>")
def door_entry(token: str):
    """Trade the token in the link for a session, and drop it from the address bar."""
    door_token = find_active_token(token)
    if door_token is None or door_token.kind != TokenKind.DOOR:
        raise NotFound("This door link is not valid, or it was revoked. Ask the organizer for a new one.")
    session[SESSION_KEY] = door_token.id
    response = redirect(url_for("door.door_page", slug=door_token.event.slug))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def current_gate(event_id: int) -> ApiToken | None:
    """The door token this browser was signed in with, while it is still active."""
    token_id = session.get(SESSION_KEY)
    token = db.session.get(ApiToken, token_id) if isinstance(token_id, int) else None
    if token is None or not token.is_active or token.event_id != event_id:
        return None
    return token


@door_bp.get("/events/<slug>/door")
def door_page(slug: str):
    viewer = current_user if current_user.is_authenticated else None
    event = event_services.find_visible_event(slug, viewer)
    gate = current_gate(event.id)
    if gate is None and not event_services.can_manage(event, viewer):
        raise NotFound("Open this page with the door link the organizer gave you.")
    return render_template("checkin/door.html", event=event, gate=gate)
