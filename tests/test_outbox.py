"""The outbox: one way to queue mail, a sender woken after commit, and one bad message blocking nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from eventsys.database import write_transaction
from eventsys.events.models import Event, EventStatus
from eventsys.events.services import change_status
from eventsys.extensions import db
from eventsys.mail import outbox
from eventsys.mail.models import MailKind, OutboxMessage, OutboxStatus
from eventsys.mail.sender import MAX_MESSAGE_ATTEMPTS, send_due
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import login, make_event, make_user


@pytest.fixture
def sender_signal(monkeypatch: pytest.MonkeyPatch):
    """The sender's wake-up signal, fresh for the test."""
    signal = outbox.threading.Event()
    monkeypatch.setattr(outbox, "_mail_waiting", signal)
    return signal


def _messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _break_event_name(event: Event) -> None:
    """An event name with a line break, as data written before names were checked could hold."""
    db.session.execute(update(Event).where(Event.id == event.id).values(name="TECOM\r\nBcc: everyone@example.org"))
    db.session.commit()


def test_a_message_that_cannot_be_built_is_recorded_and_the_round_goes_on(app, smtp):
    broken, fine = make_event(name="Broken"), make_event(name="Fine meetup")
    register_attendee(broken, RegistrationRequest("Li Wei", "li@example.org"))
    register_attendee(fine, RegistrationRequest("Zhang Min", "zhang@example.org"))
    _break_event_name(broken)

    report = send_due()

    assert report.sent == 1 and report.retrying == 1
    assert [m["Subject"] for m in smtp.inbox.to("zhang@example.org")] == ["Your ticket for Fine meetup"]
    assert smtp.inbox.to("li@example.org") == []
    stuck = next(m for m in _messages() if m.to_address == "li@example.org")
    assert stuck.status == OutboxStatus.QUEUED  # not left in `sending`, where it would jump the queue
    assert stuck.attempts == 1 and "could not be built" in stuck.last_error


def test_a_message_that_keeps_failing_ends_failed_with_its_reason_on_the_outbox_page(app, client, smtp):
    owner = make_user()
    event = make_event(owner, name="Broken")
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    _break_event_name(event)

    for _round in range(MAX_MESSAGE_ATTEMPTS):
        send_due(force=True)

    [message] = _messages()
    assert message.status == OutboxStatus.FAILED and message.attempts == MAX_MESSAGE_ATTEMPTS
    login(client, owner)
    page = client.get(f"/manage/events/{event.slug}/outbox").get_data(as_text=True)
    assert "could not be built" in page


def test_send_mail_command_reports_a_bad_message_instead_of_crashing(app, runner, smtp):
    broken, fine = make_event(name="Broken"), make_event(name="Fine meetup")
    register_attendee(broken, RegistrationRequest("Li Wei", "li@example.org"))
    register_attendee(fine, RegistrationRequest("Zhang Min", "zhang@example.org"))
    _break_event_name(broken)

    result = runner.invoke(args=["send-mail"])

    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception
    assert "1 sent, 1 to retry" in result.output
    assert len(smtp.inbox.to("zhang@example.org")) == 1


def test_queue_mail_wakes_the_sender_only_once_its_transaction_commits(app, sender_signal):
    event = make_event()
    with write_transaction() as conn:
        outbox.queue_mail(conn, MailKind.EVENT_CANCELLED, "li@example.org", event_id=event.id)
        assert not sender_signal.is_set()
    assert sender_signal.is_set()
    assert [m.to_address for m in _messages()] == ["li@example.org"]


def test_queue_mail_in_a_rolled_back_transaction_queues_nothing_and_wakes_nobody(app, sender_signal):
    event = make_event()
    with pytest.raises(RuntimeError), write_transaction() as conn:
        outbox.queue_mail(conn, MailKind.EVENT_CANCELLED, "li@example.org", event_id=event.id)
        raise RuntimeError("the change failed")
    assert not sender_signal.is_set()
    with write_transaction():
        pass  # the next transaction on a pooled connection inherits no pending wake-up
    assert not sender_signal.is_set()
    assert _messages() == []

    outbox.queue_mail(db.session, MailKind.EVENT_CANCELLED, "li@example.org", event_id=event.id)
    db.session.rollback()
    db.session.commit()
    assert not sender_signal.is_set()
    assert _messages() == []


def test_cancelling_an_event_wakes_the_sender_at_once(app, sender_signal):
    event = make_event()
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    sender_signal.clear()

    change_status(event, EventStatus.CANCELLED)

    assert sender_signal.is_set()  # the cancellation mail does not wait for the next poll
    assert [m.kind for m in _messages()] == [MailKind.CONFIRMED, MailKind.EVENT_CANCELLED]


def test_registering_wakes_the_sender(app, sender_signal):
    register_attendee(make_event(), RegistrationRequest("Li Wei", "li@example.org"))
    assert sender_signal.is_set()
