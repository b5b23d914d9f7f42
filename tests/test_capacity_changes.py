"""Changing a capacity: more seats go to the waitlist at once; fewer than taken is refused, even mid-race."""

import pytest
from sqlalchemy import select, update

from eventsys.errors import CapacityBelowRegistrations
from eventsys.events.models import Event
from eventsys.events.services import EventDetails, update_event, update_ticket_type
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.registration.models import RegistrationStatus
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import bearer, make_event, make_token

pytestmark = pytest.mark.both_databases


def _statuses(event):
    db.session.expire_all()
    return [r.status for r in sorted(event_registrations(event), key=lambda r: r.id)]


def event_registrations(event):
    from eventsys.registration.models import Registration

    return db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()


def test_raising_the_event_capacity_confirms_the_waitlist_first_come_first_served(app, client):
    event = make_event(capacity=1)
    for n in range(3):
        register_attendee(event, RegistrationRequest(f"Guest {n}", f"guest{n}@example.org"))
    assert _statuses(event) == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]

    response = client.patch(
        f"/api/v1/events/{event.slug}", json={"capacity": 2}, headers=bearer(make_token(event.owner))
    )
    assert response.status_code == 200, response.json
    assert response.json["remaining"] == 0
    assert _statuses(event) == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    promoted = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == MailKind.PROMOTED)).all()
    assert [m.to_address for m in promoted] == ["guest1@example.org"]


def test_raising_a_ticket_type_capacity_confirms_its_waitlist(app):
    event = make_event()
    ticket_type = event.ticket_types[0]
    update_ticket_type(ticket_type, ticket_type.name, 1)
    for n in range(2):
        register_attendee(event, RegistrationRequest(f"Guest {n}", f"guest{n}@example.org"))
    update_ticket_type(db.session.get(type(ticket_type), ticket_type.id), ticket_type.name, None)
    assert _statuses(event) == [RegistrationStatus.CONFIRMED, RegistrationStatus.CONFIRMED]


def test_a_capacity_below_seats_taken_meanwhile_is_refused(app):
    event = make_event(capacity=10)
    details = EventDetails.of(event)
    # A registration rush takes seats after the organizer's page was loaded.
    with db.engine.begin() as conn:
        conn.execute(update(Event.__table__).where(Event.__table__.c.id == event.id).values(seats_taken=5))
    details.capacity = 3
    with pytest.raises(CapacityBelowRegistrations):
        update_event(event, details)
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 10
