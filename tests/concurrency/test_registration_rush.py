"""A rush of registrations from several processes against gunicorn never oversells."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import func, select

from eventsys.events.models import Event, TicketType
from eventsys.extensions import db
from eventsys.registration.models import Registration
from tests.conftest import make_event
from tests.live_server import LiveServer, post_json

pytestmark = pytest.mark.both_databases

CLIENTS = 8
REGISTRATIONS = 200
SEATS = 50


def _register_batch(url: str, numbers: list[int]) -> list[tuple[int, str]]:
    results = []
    for number in numbers:
        status, body = post_json(url, {"name": f"Attendee {number}", "email": f"attendee{number}@example.org"})
        results.append((status, body.get("status") or body.get("error", {}).get("code", "?")))
    return results


@pytest.fixture
def live_server(database_url):
    server = LiveServer(database_url, workers=3).start()
    yield server
    server.stop()


def test_200_registrations_for_50_seats(app, live_server):
    event = make_event(capacity=SEATS, name="Rush")
    url = f"{live_server.url}/api/v1/events/{event.slug}/registrations"
    batches = [list(range(i, REGISTRATIONS, CLIENTS)) for i in range(CLIENTS)]
    with ProcessPoolExecutor(CLIENTS) as pool:
        results = [r for batch in pool.map(_register_batch, [url] * CLIENTS, batches) for r in batch]

    assert Counter(status for status, _ in results) == {201: REGISTRATIONS}
    assert Counter(verdict for _, verdict in results) == {"confirmed": SEATS, "waitlisted": REGISTRATIONS - SEATS}
    db.session.rollback()  # end the test's read transaction, to see what the server wrote
    in_database = Counter(db.session.scalars(select(Registration.status).where(Registration.event_id == event.id)))
    assert {status.value: count for status, count in in_database.items()} == {"confirmed": 50, "waitlisted": 150}
    assert db.session.scalar(select(Event.seats_taken).where(Event.id == event.id)) == SEATS
    assert db.session.scalar(select(func.sum(TicketType.seats_taken)).where(TicketType.event_id == event.id)) == SEATS


def test_rush_on_a_limited_ticket_type_holds_both_limits(app, live_server):
    """60 VIP requests race for 10 VIP seats while 20 General requests take the rest of the 30.

    General asks for exactly the seats VIP leaves, so each type's outcome is fixed whatever the
    order: VIP fills to its limit, General to the event's, and nobody is seated past either.
    """
    from eventsys.events.services import add_ticket_type

    event = make_event(capacity=30, name="Two types")
    general = event.ticket_types[0]
    vip = add_ticket_type(event, "VIP", capacity=10)
    url = f"{live_server.url}/api/v1/events/{event.slug}/registrations"
    requests = [(n, vip.id if n % 4 else general.id) for n in range(80)]  # every 4th is General

    with ProcessPoolExecutor(CLIENTS) as pool:
        batches = [requests[i::CLIENTS] for i in range(CLIENTS)]
        results = [r for batch in pool.map(_register_typed, [url] * CLIENTS, batches) for r in batch]
    assert all(status == 201 for status, _, _ in results)
    verdicts = Counter((type_id, verdict) for _, verdict, type_id in results)
    assert verdicts == {(vip.id, "confirmed"): 10, (vip.id, "waitlisted"): 50, (general.id, "confirmed"): 20}
    db.session.rollback()  # end the test's read transaction, to see what the server wrote
    assert db.session.scalar(select(Event.seats_taken).where(Event.id == event.id)) == 30
    assert db.session.scalar(select(TicketType.seats_taken).where(TicketType.id == vip.id)) == 10


def _register_typed(url: str, payload: list[tuple[int, int]]) -> list[tuple[int, str, int]]:
    results = []
    for number, ticket_type_id in payload:
        status, body = post_json(
            url, {"name": f"A{number}", "email": f"a{number}@example.org", "ticket_type_id": ticket_type_id}
        )
        results.append((status, body.get("status", "?"), ticket_type_id))
    return results


def _register_same_address(url: str, number: int) -> tuple[int, str]:
    status, body = post_json(url, {"name": f"Twin {number}", "email": "Twin@Example.org"})
    return status, body.get("status") or body.get("error", {}).get("code", "?")


def test_one_address_registering_at_once_from_many_clients_gets_one_seat(app, live_server):
    event = make_event(capacity=SEATS, name="Twins")
    url = f"{live_server.url}/api/v1/events/{event.slug}/registrations"
    with ProcessPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(_register_same_address, [url] * 40, range(40)))

    assert Counter(results) == {(201, "confirmed"): 1, (409, "already_registered"): 39}
    db.session.rollback()  # end the test's read transaction, to see what the server wrote
    assert db.session.scalar(select(Event.seats_taken).where(Event.id == event.id)) == 1
    assert db.session.scalar(select(func.count()).where(Registration.event_id == event.id)) == 1
