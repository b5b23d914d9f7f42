"""Shared by the check-in tests: attendees in every state, the scan log, the door page's config."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select

from eventsys.checkin.models import Scan
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, register_attendee

YEAR = datetime.now(UTC).year + 2  # a date well ahead, whatever day the tests run


def days_ago(days: int) -> str:
    """The date ``days`` before today (UTC), ISO: a scan may be uploaded at most 7 days late."""
    return (datetime.now(UTC) - timedelta(days=days)).date().isoformat()


DAY = days_ago(2)  # a day on which scans were made, recent enough to be uploaded now
DOOR_CONFIG = re.compile(r'<script type="application/json" id="door-config">(.*?)</script>', re.S)


def attendee(event: Event, name: str, ticket_type_id: int | None = None) -> Registration:
    email = re.sub(r"[^a-z0-9]+", ".", name.lower()).strip(".") + "@example.org"
    return register_attendee(event, RegistrationRequest(name, email, ticket_type_id))


def scan_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Scan))


def scan_log(event: Event) -> list[Scan]:
    """The event's scan log, oldest first, as the database holds it now."""
    db.session.expire_all()
    return list(db.session.scalars(select(Scan).where(Scan.event_id == event.id).order_by(Scan.id)))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def door_config(response) -> dict:
    """The door page's JSON config (URLs, CSRF token, gate, counts), as door.js reads it."""
    assert response.status_code == 200, response.status_code
    match = DOOR_CONFIG.search(response.get_data(as_text=True))
    assert match, "no door-config on the door page"
    return json.loads(match.group(1))


def open_door_link(client: FlaskClient, door_url: str) -> dict:
    """Open a door link as a gate's browser would: follow it to the door page; returns the page's config."""
    path = door_url.removeprefix("http://eventsys.test")
    response = client.get(path)
    assert response.status_code == 302, response.status_code
    location = response.headers["Location"]
    assert "/door/" not in location and path.rsplit("/", 1)[-1] not in location  # the token leaves the address bar
    return door_config(client.get(location))
