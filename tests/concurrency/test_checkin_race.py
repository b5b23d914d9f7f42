"""Many gates scanning the same tickets at the same moment admit each person exactly once."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from eventsys.auth.models import TokenKind
from eventsys.checkin.models import Scan
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.registration.tickets import qr_payload_of
from tests.conftest import make_event, make_token
from tests.live_server import LiveServer, post_json

pytestmark = pytest.mark.both_databases

TICKETS = 100
GATES = 8


@pytest.fixture
def live_server(database_url):
    server = LiveServer(database_url, workers=3).start()
    yield server
    server.stop()


def _gate(url: str, token: str, payloads: list[str]) -> list[tuple[int, str]]:
    """One gate: scans every ticket, with a few scanners (threads) at once, as fast as it can."""
    headers = {"Authorization": f"Bearer {token}"}

    def scan(payload: str) -> tuple[int, str]:
        status, body = post_json(url, {"code": payload}, headers)
        return status, body.get("result", body.get("error", {}).get("code", "?"))

    with ThreadPoolExecutor(4) as threads:
        return list(threads.map(scan, payloads))


def test_100_tickets_scanned_by_8_gates_at_once(app, live_server):
    event = make_event(name="Race")
    payloads = [
        qr_payload_of(register_attendee(event, RegistrationRequest(f"Guest {n}", f"guest{n}@example.org")))
        for n in range(TICKETS)
    ]
    tokens = [make_token(event.owner, TokenKind.DOOR, event, label=f"Gate {g}") for g in range(GATES)]
    url = f"{live_server.url}/api/v1/events/{event.slug}/checkins"
    with ProcessPoolExecutor(GATES) as pool:
        answers = [a for gate in pool.map(_gate, [url] * GATES, tokens, [payloads] * GATES) for a in gate]

    assert Counter(status for status, _ in answers) == {200: TICKETS * GATES}
    verdicts = Counter(result for _, result in answers)
    assert verdicts == {"ok": TICKETS, "already_checked_in": TICKETS * (GATES - 1)}
    db.session.rollback()
    admitted = db.session.scalar(
        select(func.count()).where(Registration.event_id == event.id, Registration.checked_in_at.isnot(None))
    )
    assert admitted == TICKETS
    assert db.session.scalar(select(func.count()).select_from(Scan).where(Scan.event_id == event.id)) == TICKETS * GATES
    ok_per_registration = Counter(
        db.session.scalars(select(Scan.registration_id).where(Scan.event_id == event.id, Scan.result == "ok"))
    )
    assert set(ok_per_registration.values()) == {1}
