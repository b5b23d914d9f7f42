"""The numbers of the door: the counter at each gate, and the organizer's statistics and arrivals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from eventsys.checkin.models import STANDING, CheckinResult, Direction, Scan
from eventsys.checkin.services import EventAtDoor
from eventsys.events.models import TicketType
from eventsys.extensions import db
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.timeutil import isoformat

ARRIVAL_BUCKET_SECONDS = 300

_registrations = Registration.__table__
_types = TicketType.__table__
_scans = Scan.__table__


def attendance(event_id: int) -> dict[str, int]:
    """Confirmed, checked in (admitted at least once) and inside now: the door's counter."""
    return _totals(_per_ticket_type(event_id))


def _per_ticket_type(event_id: int) -> list[tuple[int, str, int, int, int]]:
    """Each ticket type of the event: id, name, confirmed, checked in, inside now.

    The counts are one pass over the event's confirmed registrations in
    ix_registrations_event_attendance, which holds every column counted (the door polls this).
    """
    counted = db.session.execute(
        select(
            _registrations.c.ticket_type_id,
            func.count(),
            func.count(_registrations.c.checked_in_at),
            func.sum(func.cast(_registrations.c.is_inside, db.Integer)),
        )
        .where(
            _registrations.c.event_id == event_id,
            _registrations.c.status == RegistrationStatus.CONFIRMED.value,
        )
        .group_by(_registrations.c.ticket_type_id)
    ).all()
    counts = {type_id: (confirmed, checked, int(inside or 0)) for type_id, confirmed, checked, inside in counted}
    types = db.session.execute(
        select(_types.c.id, _types.c.name).where(_types.c.event_id == event_id).order_by(_types.c.position, _types.c.id)
    ).all()
    return [(type_id, name, *counts.get(type_id, (0, 0, 0))) for type_id, name in types]


def checkin_stats(event: EventAtDoor) -> dict[str, Any]:
    """Confirmed, checked in (admitted at least once), inside now; per ticket type, per gate; arrivals."""
    by_type = _per_ticket_type(event.id)
    by_gate = db.session.execute(
        select(_scans.c.gate, func.count())
        .where(
            _scans.c.event_id == event.id,
            _scans.c.result == CheckinResult.OK.value,
            _scans.c.direction == Direction.IN.value,
            STANDING,
        )
        .group_by(_scans.c.gate)
        .order_by(func.count().desc(), _scans.c.gate)
    ).all()
    first_admissions = db.session.scalars(
        select(_registrations.c.checked_in_at).where(
            _registrations.c.event_id == event.id,
            _registrations.c.status == RegistrationStatus.CONFIRMED.value,
            _registrations.c.checked_in_at.isnot(None),
        )
    ).all()
    return {
        **_totals(by_type),
        "by_ticket_type": [
            {"id": id_, "name": name, "confirmed": total, "checked_in": checked, "inside": now_inside}
            for id_, name, total, checked, now_inside in by_type
        ],
        "by_gate": [{"gate": gate, "checked_in": count} for gate, count in by_gate],
        "arrivals": arrivals(first_admissions, event.timezone),
    }


def arrivals(first_admissions: list[datetime], tz: str) -> list[dict[str, Any]]:
    """First admissions counted in 5-minute buckets, oldest first (empty buckets left out)."""
    buckets = Counter(int(moment.timestamp()) // ARRIVAL_BUCKET_SECONDS for moment in first_admissions)
    return [
        {"start": isoformat(datetime.fromtimestamp(bucket * ARRIVAL_BUCKET_SECONDS, UTC), tz), "count": count}
        for bucket, count in sorted(buckets.items())
    ]


def _totals(by_type: Sequence[tuple]) -> dict[str, int]:
    """The event's totals are the sums over its ticket types (each row: id, name, confirmed, checked in, inside)."""
    return {
        "confirmed": sum(row[2] for row in by_type),
        "checked_in": sum(row[3] for row in by_type),
        "inside": sum(row[4] for row in by_type),
    }


GATE_WINDOW = timedelta(minutes=15)


def gate_numbers(event_id: int, gate: str, now: datetime, totals: dict[str, int] | None = None) -> dict[str, int]:
    """What a supervisor at ``gate`` watches: admitted there in the last 15 minutes, and on site:
    inside now, and still expected (confirmed, never admitted yet).

    ``totals``: the event's ``attendance``, when the caller has it already; the gate's window is
    one more query, read by ix_scans_event_gate_time.
    """
    totals = totals or attendance(event_id)
    admitted = db.session.scalar(
        select(func.count())
        .select_from(_scans)
        .where(
            _scans.c.event_id == event_id,
            _scans.c.gate == gate,
            _scans.c.scanned_at > now - GATE_WINDOW,
            _scans.c.scanned_at <= now,
            _scans.c.result == CheckinResult.OK.value,
            _scans.c.direction == Direction.IN.value,
            STANDING,
        )
    )
    return {
        "admitted_recently": admitted or 0,
        "inside": totals["inside"],
        "expected": totals["confirmed"] - totals["checked_in"],
    }
