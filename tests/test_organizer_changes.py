"""What attendees notice when the organizer changes an event they registered for."""

import pytest
from sqlalchemy import select

from eventsys.events.models import EventStatus
from eventsys.events.services import add_ticket_type, change_status
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.registration.services import (
    RegistrationRequest,
    cancel_registration,
    register_attendee,
)
from eventsys.registration.tickets import manage_secret_of
from tests.conftest import bearer, make_event, make_token

pytestmark = pytest.mark.both_databases


def test_cancelling_the_event_tells_every_registered_person_and_their_ticket_page(app, client):
    event = make_event(capacity=1, name="Hangzhou Meetup")
    confirmed = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org"))  # waitlisted
    gone = register_attendee(make_event(), RegistrationRequest("Other", "other@example.org"))
    cancel_registration(gone)

    change_status(event, EventStatus.CANCELLED)

    told = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == MailKind.EVENT_CANCELLED)).all()
    assert sorted(m.to_address for m in told) == ["ana@example.org", "li@example.org"]
    page = client.get(f"/t/{manage_secret_of(confirmed)}").get_data(as_text=True)
    assert "This event is cancelled" in page
    assert "qr.svg" not in page


def test_a_ticket_type_someone_registered_with_cannot_be_deleted(app, client):
    event = make_event()
    vip = add_ticket_type(event, "VIP")
    registration = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org", vip.id))
    cancel_registration(registration)  # even a cancelled registration keeps its ticket type

    response = client.delete(
        f"/api/v1/events/{event.slug}/ticket-types/{vip.id}", headers=bearer(make_token(event.owner))
    )
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"


def test_the_event_dashboard_shows_check_in_numbers(app, client):
    from eventsys.auth.models import TokenKind
    from eventsys.registration.tickets import qr_payload_of
    from tests.conftest import login

    event = make_event()
    li = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org"))
    gate = make_token(event.owner, TokenKind.DOOR, event, label="North door")
    client.post(f"/api/v1/events/{event.slug}/checkins", json={"code": qr_payload_of(li)}, headers=bearer(gate))

    login(client, event.owner)
    text = client.get(f"/manage/events/{event.slug}").get_data(as_text=True)
    assert 'data-stat="checked_in">1</span> / <span data-stat="confirmed">2</span>' in text
    assert "North door" in text
