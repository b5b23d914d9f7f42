"""`flask seed-demo --attendees N` for a large N: written in bulk, and then as consistent as if
every attendee had registered through the form (seats, search, history, check-ins)."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sqlalchemy_events
from sqlalchemy import func, select

from eventsys.auth.models import User
from eventsys.backoffice.history import history_of
from eventsys.checkin.models import CheckinResult, Direction, Scan
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.mail.models import OutboxMessage
from eventsys.registration.listing import TABS, AttendeeFilter, attendees, tab_counts
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import bearer, make_token

COUNT = 2000


@pytest.fixture
def seeded(app, runner, tmp_path, monkeypatch) -> Event:
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = runner.invoke(args=["seed-demo", "--attendees", str(COUNT)])
    assert result.exit_code == 0, result.output
    assert f"({COUNT} registrations)" in result.output
    return db.session.scalar(select(Event).where(Event.slug == "tecom-conf-hangzhou"))


def registrations(event: Event, *conditions) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id, *conditions)))


def found(event: Event, q: str) -> set[str]:
    return set(db.session.scalars(attendees(event.id, AttendeeFilter(q=q)).with_only_columns(Registration.code)))


def by_status(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id).group_by(Registration.status)
    )
    return {status.value: n for status, n in rows}


@pytest.mark.both_databases
def test_the_seat_counters_agree_with_the_seeded_registrations(seeded):
    counts = by_status(seeded)
    assert sum(counts.values()) == COUNT
    assert counts["confirmed"] > COUNT * 0.8 and counts["waitlisted"] > 0 and counts["cancelled"] > 0
    assert seeded.seats_taken == counts["confirmed"] <= seeded.capacity
    for ticket_type in seeded.ticket_types:
        confirmed = db.session.scalar(
            select(func.count()).where(
                Registration.ticket_type_id == ticket_type.id, Registration.status == RegistrationStatus.CONFIRMED
            )
        )
        assert ticket_type.seats_taken == confirmed
        # The demo's 250/80/70 seats grew to hold them; who waits, waits for a full ticket type.
        assert ticket_type.capacity == confirmed > 250
    assert sum(t.capacity for t in seeded.ticket_types) <= seeded.capacity
    assert tab_counts(seeded.id, AttendeeFilter())["all"] == COUNT
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # no mail to made-up people


def test_the_seeded_attendees_look_like_a_hangzhou_conference(seeded):
    people = registrations(seeded)
    names = {r.name for r in people}
    assert any(all("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names)  # 王伟, 陈静 ...
    assert any(name.isascii() for name in names)
    domains = {r.email.rpartition("@")[2] for r in people}
    assert {"zju.edu.cn", "alibaba-inc.com", "gmail.com", "qq.com"} <= domains
    assert len({r.email for r in people}) == COUNT and len({r.code for r in people}) == COUNT
    assert len({r.ticket_type_id for r in people}) == 3
    labels = {str(q.id): q.label for q in seeded.questions}
    answered = {labels[key] for r in people for key in r.answers}
    assert {"Company or organization", "Your role", "Country you are from", "Topics you care about"} <= answered


def test_the_search_finds_seeded_attendees_by_name_chinese_name_and_domain(seeded):
    people = registrations(seeded)
    chinese = next(r for r in people if len(r.name) == 3 and not r.name.isascii())
    assert chinese.code in found(seeded, chinese.name)
    assert {r.code for r in people if chinese.name in r.name} == found(seeded, chinese.name)
    zhang = found(seeded, "zhang")
    assert zhang == {r.code for r in people if "zhang" in r.search_text}
    assert any("zhang" in r.name.lower() for r in people if r.code in zhang)
    zju = found(seeded, "@zju.edu.cn")
    assert zju and zju == {r.code for r in people if r.email.endswith("@zju.edu.cn")}
    assert found(seeded, chinese.code) == {chinese.code}  # the short code, as typed at the door


def test_every_seeded_registration_has_its_history(seeded):
    for registration in registrations(seeded)[:300]:
        steps = [entry.what for entry in history_of(registration)]
        assert steps[0] == "registered"
        if registration.status == RegistrationStatus.CANCELLED:
            assert steps[1:3] == ["confirmed", "cancelled"]
        else:
            assert steps[1] == registration.status.value


def test_about_a_third_of_the_confirmed_are_checked_in_with_their_scans(seeded):
    confirmed = registrations(seeded, Registration.status == RegistrationStatus.CONFIRMED)
    inside = [r for r in confirmed if r.checked_in_at is not None]
    assert 0.2 < len(inside) / len(confirmed) < 0.4
    assert tab_counts(seeded.id, AttendeeFilter())["checked_in"] == len(inside)
    assert all(r.checked_in_at is None for r in registrations(seeded, Registration.status != "confirmed"))
    scans = db.session.execute(select(Scan.registration_id, Scan.direction, Scan.result)).all()
    assert {result for _, _, result in scans} == {CheckinResult.OK}
    admitted = {registration_id for registration_id, direction, _ in scans if direction == Direction.IN}
    left = {registration_id for registration_id, direction, _ in scans if direction == Direction.OUT}
    assert admitted == {r.id for r in inside}
    assert left == {r.id for r in inside if not r.is_inside} and left
    checked_in = next(r for r in inside)
    assert "checked_in" in [entry.what for entry in history_of(checked_in)]


def test_registrations_after_the_seed_are_found_too(seeded):
    ids = {q.label: str(q.id) for q in seeded.questions}
    answers = {ids["Company or organization"]: "西湖智能", ids["Your role"]: "Other", ids["Country you are from"]: "CN"}
    request = RegistrationRequest("欧阳娜娜", "nana@example.org", seeded.ticket_types[2].id, answers)
    registration = register_attendee(seeded, request)
    assert found(seeded, "欧阳娜娜") == {registration.code}
    assert registration.code in found(seeded, "西湖智能")


def test_the_list_asks_the_database_the_same_few_questions_however_long_the_page(seeded, client):
    """No query per row (ticket type, waitlist place), so page 1 of 100,000 costs what page 1 of 10 does."""
    statements: list[str] = []

    def listen(_connection, _cursor, statement, *_rest) -> None:
        statements.append(statement)

    headers = bearer(make_token(db.session.get(User, seeded.owner_id)))
    asked = {}
    sqlalchemy_events.listen(db.engine, "before_cursor_execute", listen)
    try:
        for query in ("?per_page=5", "?per_page=200", "?status=waitlisted&per_page=200", "?q=zhang&per_page=200"):
            statements.clear()
            response = client.get(f"/api/v1/events/{seeded.slug}/registrations{query}", headers=headers)
            assert response.status_code == 200 and response.get_json()["items"]
            asked[query] = len(statements)
    finally:
        sqlalchemy_events.remove(db.engine, "before_cursor_execute", listen)
    assert max(asked.values()) <= asked["?per_page=5"] + 1  # + the page's waitlist places


@pytest.mark.both_databases
@pytest.mark.parametrize("q", ["", "zhang", "陈静", "@zju.edu.cn"])
def test_each_tabs_count_is_what_the_tab_lists(seeded, q):
    values = AttendeeFilter(q=q)
    counts = tab_counts(seeded.id, values)
    for tab in TABS:
        listed = attendees(seeded.id, values.on_tab(tab)).with_only_columns(func.count()).order_by(None)
        assert counts[tab.key] == db.session.scalar(listed), tab.key
    assert counts["all"] >= counts["confirmed"] >= counts["checked_in"] and counts["all"] > 0
