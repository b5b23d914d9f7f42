"""Next year's edition: an event copied as a draft, every time in it moved by as much as its start.

The copy takes every column of the event, its ticket types and its questions except those listed
below, so a setting added to the models later is copied too unless it is named here.
"""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import inspect

from eventsys.auth.models import User
from eventsys.errors import ValidationFailed
from eventsys.events.models import Event, EventStatus, Question, TicketType
from eventsys.events.services import EventDetails, check_details, commit_slug, unique_slug_from
from eventsys.extensions import db
from eventsys.timeutil import UTCDateTime, from_local, to_local

YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")

# What a copy does not take over: its identity, its owner, its state and what registrations counted.
NOT_COPIED = {
    Event: {"id", "owner_id", "slug", "name", "status", "seats_taken", "created_at", "updated_at"},
    TicketType: {"id", "event_id", "seats_taken"},
    Question: {"id", "event_id"},
}


def copy_event(event: Event, owner: User, name: str, starts_at: datetime, slug: str | None = None) -> Event:
    """A draft of ``owner`` named ``name`` with ``event``'s settings, ticket types, questions and
    translations, starting at ``starts_at``; its other times move by as much as the start.
    Registrations, scans, door tokens and mail stay with the original."""
    shift = starts_at - event.starts_at
    values = _copied(event, shift)
    name = name.strip()
    settings = {field: values[field] for field in EventDetails.__dataclass_fields__ if field in values}
    details = EventDetails(**{**settings, "name": name, "slug": slug or None})
    if errors := check_details(details, None):
        raise ValidationFailed(errors)
    edition = Event(**values, owner_id=owner.id, name=name, status=EventStatus.DRAFT)
    edition.slug = slug or unique_slug_from(name)
    edition.ticket_types = [TicketType(**_copied(t, shift)) for t in event.ticket_types]
    edition.questions = [Question(**_copied(q, shift)) for q in event.questions]
    db.session.add(edition)
    commit_slug(edition)
    return edition


def _copied(row: Event | TicketType | Question, shift: timedelta) -> dict[str, Any]:
    """The row's copied columns; its times moved by ``shift``, its JSON (translations, options) its own."""
    values = {}
    for column in inspect(type(row)).column_attrs:
        if column.key in NOT_COPIED[type(row)]:
            continue
        value = getattr(row, column.key)
        if isinstance(column.columns[0].type, UTCDateTime) and value is not None:
            value = _moved(value, shift)
        values[column.key] = copy.deepcopy(value)
    return values


def _moved(moment: datetime, shift: timedelta) -> datetime:
    """``moment`` + ``shift``, refused when that leaves the years every zone can show."""
    try:
        moved = moment + shift
    except OverflowError:
        moved = None
    if moved is None or not 1 < moved.year < 9999:
        message = _("Moved by this much, the event's other dates fall outside the calendar.")
        raise ValidationFailed({"starts_at": [message]})
    return moved


def next_edition_name(name: str) -> str:
    """The name a copy is offered: each year in it one later ("TECOM Conf 2026" → "TECOM Conf 2027"),
    else the same name."""
    return YEAR.sub(lambda year: str(int(year.group()) + 1), name)


def next_edition_start(event: Event) -> datetime:
    """The start a copy is offered: a year later at the same wall-clock time in the event's zone
    (29 February becomes the 28th)."""
    local = to_local(event.starts_at, event.timezone)
    day = min(local.day, 28) if (local.month, local.day) == (2, 29) else local.day
    return from_local(local.replace(tzinfo=None, year=local.year + 1, day=day), event.timezone)
