"""Reminders: the ticket again ``reminder_hours_before`` the start, once per confirmed registration."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from eventsys import create_app
from eventsys.events.models import EventStatus
from eventsys.events.services import EventDetails, change_status, update_event
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.mail.outbox import queue_mail
from eventsys.mail.reminders import queue_due_reminders
from eventsys.mail.sender import send_due
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, cancel_registration, register_attendee
from eventsys.timeutil import utcnow
from tests.api_helpers import assert_error
from tests.conftest import base_config, bearer, make_event, make_token, make_user, post_form, signed_in_organizer
from tests.html_pages import page

NOW = datetime.now(UTC).replace(microsecond=0)
GUESTS = 200


def reminders_to() -> list[str]:
    """The addresses with a reminder in the outbox, one entry per reminder row."""
    db.session.expire_all()
    query = select(OutboxMessage.to_address).where(OutboxMessage.kind == MailKind.REMINDER)
    return sorted(db.session.scalars(query.order_by(OutboxMessage.to_address)))


def event_starting_in(delta: timedelta, **fields):
    return make_event(starts_at=NOW + delta, ends_at=NOW + delta + timedelta(hours=3), **fields)


def register(event, name: str, email: str, locale: str = "en") -> Registration:
    return register_attendee(event, RegistrationRequest(name, email, locale=locale))


# --- when a reminder is due ------------------------------------------------------------------


@pytest.mark.both_databases
def test_reminders_are_due_from_the_hours_before_until_the_start(app):
    soon = event_starting_in(timedelta(hours=10))  # default: 24 hours before
    later = event_starting_in(timedelta(hours=30))
    started = event_starting_in(timedelta(hours=-1))
    off = event_starting_in(timedelta(hours=2), reminder_hours_before=None)
    for event, who in ((soon, "soon"), (later, "later"), (started, "started"), (off, "off")):
        register(event, who.title(), f"{who}@example.org")

    assert queue_due_reminders(NOW) == 1
    assert reminders_to() == ["soon@example.org"]
    # Six hours on, the later event's 24 hours have begun too; the started one never reminds anyone.
    assert queue_due_reminders(NOW + timedelta(hours=6, minutes=1)) == 1
    assert reminders_to() == ["later@example.org", "soon@example.org"]
    assert queue_due_reminders(NOW + timedelta(hours=31)) == 0


def test_the_hours_are_the_events_own(app):
    event = event_starting_in(timedelta(hours=10), reminder_hours_before=2)
    register(event, "Li Wei", "li@example.org")
    assert queue_due_reminders(NOW + timedelta(hours=7, minutes=59)) == 0
    assert queue_due_reminders(NOW + timedelta(hours=8)) == 1


def test_only_confirmed_registrations_of_published_events_get_one(app):
    event = event_starting_in(timedelta(hours=10), capacity=1)
    register(event, "Li Wei", "li@example.org")
    register(event, "Ana Souza", "ana@example.org")  # waiting list
    cancelled = event_starting_in(timedelta(hours=10))
    register(cancelled, "Wang Fang", "wang@example.org")
    change_status(cancelled, EventStatus.CANCELLED)
    draft = event_starting_in(timedelta(hours=10), status=EventStatus.DRAFT)
    assert draft.status == EventStatus.DRAFT

    queue_due_reminders(NOW)
    assert reminders_to() == ["li@example.org"]


def test_running_again_queues_nothing_twice_and_a_late_registration_still_gets_one(app):
    event = event_starting_in(timedelta(hours=10))
    first = register(event, "Li Wei", "li@example.org")
    assert queue_due_reminders(NOW) == 1
    assert queue_due_reminders(NOW) == 0

    register(event, "Ana Souza", "ana@example.org")  # after the reminder time, before the start
    cancel_registration(first)
    register(event, "Li Wei", "li@example.org")  # registers again: a new registration, its own reminder
    assert queue_due_reminders(NOW + timedelta(minutes=1)) == 2
    assert reminders_to() == ["ana@example.org", "li@example.org", "li@example.org"]


def test_a_moved_event_reminds_by_its_new_start(app):
    event = event_starting_in(timedelta(days=5))
    register(event, "Li Wei", "li@example.org")
    assert queue_due_reminders(NOW) == 0
    details = EventDetails.of(event)
    details.starts_at, details.ends_at = NOW + timedelta(hours=5), NOW + timedelta(hours=8)
    update_event(event, details)
    assert queue_due_reminders(NOW) == 1


@pytest.mark.both_databases
def test_the_database_refuses_a_second_reminder_for_one_registration(app):
    """Exactly once rests on the unique index, not on the query that looks first."""
    registration = register(event_starting_in(timedelta(hours=10)), "Li Wei", "li@example.org")
    for _ in range(2):
        queue_mail(db.session, MailKind.REMINDER, "li@example.org", registration_id=registration.id)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # Other kinds of mail to the same registration are not limited.
    for _ in range(2):
        queue_mail(db.session, MailKind.LINK_AGAIN, "li@example.org", registration_id=registration.id)
    db.session.commit()


@pytest.mark.both_databases
def test_eight_senders_at_the_same_moment_queue_each_reminder_once(app, database_url):
    """The race itself: eight threads, each with its own app and connection, released together."""
    event = event_starting_in(timedelta(hours=10))
    for n in range(GUESTS):
        register(event, f"Guest {n}", f"guest{n}@example.org")
    db.session.commit()
    start = threading.Barrier(8, timeout=60)  # a sender that failed to start must not hang the others
    written: list[int] = []
    errors: list[BaseException] = []

    # Made here, one after the other: CPython 3.11 can fail compiling (ast) in several threads at
    # once ("AST constructor recursion depth mismatch"), which is not the race this test is about.
    apps = [create_app(base_config(database_url)) for _ in range(8)]

    def sender(other) -> None:
        try:
            with other.app_context():
                db.session.execute(select(1))  # connected before the start, so that they start together
                start.wait()
                written.append(queue_due_reminders(NOW))
                db.session.remove()
                db.engine.dispose()
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
            start.abort()

    threads = [threading.Thread(target=sender, args=(other,)) for other in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(written) == [0] * 7 + [GUESTS]
    assert reminders_to() == sorted(f"guest{n}@example.org" for n in range(GUESTS))


# --- the mail --------------------------------------------------------------------------------


def test_the_reminder_is_the_ticket_again_in_the_attendees_language(app, smtp):
    event = event_starting_in(timedelta(hours=10), name="TECOM Conf Hangzhou")
    event.translations = {"zh-CN": {"name": "TECOM 杭州大会"}}
    db.session.commit()
    register(event, "Ana Souza", "ana@example.org")
    register(event, "王芳", "wang@example.org", locale="zh-CN")
    send_due()  # the confirmations, and the reminders that are due
    assert send_due().sent == 0

    [english] = [m for m in smtp.inbox.to("ana@example.org") if m["Subject"].startswith("Reminder")]
    assert english["Subject"] == "Reminder: your ticket for TECOM Conf Hangzhou"
    text = english.get_body(("plain",)).get_content()
    assert "A reminder: TECOM Conf Hangzhou starts on" in text
    parts = {part.get_content_type() for part in english.walk()}
    assert {"image/png", "text/calendar"} <= parts  # the QR code and the calendar file, as on the ticket

    [chinese] = [m for m in smtp.inbox.to("wang@example.org") if m["Subject"].startswith("提醒")]
    assert chinese["Subject"] == "提醒：你的 TECOM 杭州大会 门票"
    assert "温馨提醒：TECOM 杭州大会 将于" in chinese.get_body(("plain",)).get_content()


def test_a_reminder_still_queued_at_the_start_is_not_sent(app, smtp):
    event = event_starting_in(timedelta(hours=10))
    register(event, "Li Wei", "li@example.org")
    queue_due_reminders(NOW)
    event.starts_at, event.ends_at = utcnow() - timedelta(minutes=1), utcnow() + timedelta(hours=2)
    db.session.commit()
    report = send_due()
    assert report.skipped == 1
    assert [m["Subject"] for m in smtp.inbox.to("li@example.org")] == [f"Your ticket for {event.name}"]


# --- the setting: API and form ------------------------------------------------------------------


def _event_body(**fields) -> dict:
    return {
        "name": "TECOM Conf Hangzhou",
        "starts_at": "2030-06-18T09:00:00+08:00",
        "ends_at": "2030-06-18T18:00:00+08:00",
        **fields,
    }


def test_the_api_takes_hours_or_null_and_defaults_to_24(client):
    headers = bearer(make_token(make_user()))
    created = client.post("/api/v1/events", json=_event_body(), headers=headers)
    assert created.status_code == 201 and created.json["reminder_hours_before"] == 24
    slug = created.json["slug"]
    assert client.patch(f"/api/v1/events/{slug}", json={"reminder_hours_before": None}, headers=headers).json[
        "reminder_hours_before"
    ] is None
    assert client.get(f"/api/v1/events/{slug}", headers=headers).json["reminder_hours_before"] is None
    changed = client.patch(f"/api/v1/events/{slug}", json={"reminder_hours_before": 720}, headers=headers)
    assert changed.json["reminder_hours_before"] == 720
    off = client.post("/api/v1/events", json=_event_body(reminder_hours_before=None), headers=headers)
    assert off.json["reminder_hours_before"] is None


@pytest.mark.parametrize(
    ("bad", "status", "code"),
    [(-1, 422, "validation_failed"), (721, 422, "validation_failed")]
    + [(wrong_type, 400, "bad_request") for wrong_type in ("24", 2.5, True)],
)
def test_the_api_refuses_hours_out_of_range_or_not_an_integer(client, bad, status, code):
    """The contract: 400 for a wrong type, 422 for a value out of range, the field named either way."""
    headers = bearer(make_token(make_user()))
    response = client.post("/api/v1/events", json=_event_body(reminder_hours_before=bad), headers=headers)
    assert "reminder_hours_before" in assert_error(response, status, code)["fields"]
    slug = client.post("/api/v1/events", json=_event_body(), headers=headers).json["slug"]
    response = client.patch(f"/api/v1/events/{slug}", json={"reminder_hours_before": bad}, headers=headers)
    assert "reminder_hours_before" in assert_error(response, status, code)["fields"]
    assert client.get(f"/api/v1/events/{slug}", headers=headers).json["reminder_hours_before"] == 24


def _form(**fields) -> dict[str, str]:
    year = NOW.year + 2
    return {
        "name": "Founders Night",
        "slug": "founders-night",
        "timezone": "Asia/Shanghai",
        "starts_at": f"{year}-03-14T19:00",
        "ends_at": f"{year}-03-14T22:00",
        "waitlist": "y",
        **fields,
    }


def test_the_event_form_offers_the_reminder_with_its_help_in_both_languages(client):
    signed_in_organizer(client)
    doc = page(client.get("/manage/events/new"))
    assert doc.value("reminder_hours_before") == "24"
    assert "this long before. Empty: no reminder." in doc.text()
    chinese = page(client.get("/manage/events/new?lang=zh-CN"))
    assert "提醒（开始前几小时）" in chinese.text() and "留空：不发送提醒" in chinese.text()

    page(client.get("/manage/events/new?lang=en"))  # back to English
    post_form(client, "/manage/events/new", _form(reminder_hours_before="6"))
    dashboard = page(client.get("/manage/events/founders-night"))
    assert "The ticket again 6 hours before the start" in dashboard.text()
    edit = page(client.get("/manage/events/founders-night/edit"))
    assert edit.value("reminder_hours_before") == "6"

    post_form(client, "/manage/events/founders-night/edit", _form(reminder_hours_before=""))
    assert page(client.get("/manage/events/founders-night/edit")).value("reminder_hours_before") == ""
    assert "Reminder Off" in page(client.get("/manage/events/founders-night")).text()


def test_the_event_form_refuses_hours_out_of_range_beside_the_field(client):
    signed_in_organizer(client)
    response = post_form(client, "/manage/events/new", _form(reminder_hours_before="721"))
    assert response.status_code == 422
    assert page(response).error("reminder_hours_before") == "Enter a number from 0 to 720."
