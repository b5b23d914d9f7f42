"""The sender's batches: their reads do not grow with their messages, and a crash in the middle of
one loses nothing and sends nothing twice."""

from __future__ import annotations

import smtplib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from eventsys.extensions import db
from eventsys.mail import sender
from eventsys.mail.broadcast import Draft, send_message
from eventsys.mail.models import MailKind, OutboxMessage, OutboxStatus
from eventsys.mail.sender import STALE_CLAIM, send_due
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.timeutil import utcnow
from tests.conftest import make_event

pytestmark = pytest.mark.both_databases


@contextmanager
def counting_statements() -> Iterator[Counter]:
    """Every SQL statement the app sends while inside, by its first word (SELECT, UPDATE …)."""
    counts: Counter = Counter()

    def count(_connection, _cursor, statement: str, *_args) -> None:
        counts[statement.split(None, 1)[0].upper()] += 1

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield counts
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def _event_with_mail(attendees: int) -> None:
    """An event whose ``attendees`` each have their ticket and an organizer's message queued."""
    meetup = make_event(capacity=attendees)
    for n in range(attendees):
        register_attendee(meetup, RegistrationRequest(f"Guest {n}", f"guest{n}.{meetup.id}@example.org"))
    send_message(meetup, Draft(subject="Doors open at 9", body="Hello {name}, see you at 9."), None)


def _drained(smtp) -> Counter:
    with counting_statements() as counts:
        report = send_due()
    assert report.sent == len(smtp.inbox.messages) and report.handled == report.sent
    return counts


def test_a_batch_reads_its_messages_in_the_same_few_queries_for_3_or_20(app, smtp):
    _event_with_mail(3)
    few = _drained(smtp)
    smtp.inbox.messages.clear()
    _event_with_mail(20)  # 40 messages: one batch
    many = _drained(smtp)

    assert len(smtp.inbox.messages) == 40  # tickets and the organizer's message, 20 of each
    assert many["SELECT"] == few["SELECT"] <= 12  # no lazy load per message: it would add 34 or more
    # Each message's claim and its outcome are written (and committed) on their own: a crash
    # between two messages leaves every sent one marked sent.
    assert (few["UPDATE"], many["UPDATE"]) == (2 * 6, 2 * 40)


class SenderDied(BaseException):
    """The process ended in the middle of a round (killed, the machine lost power)."""


def _die_at_send(number: int, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[str]]:
    """SMTP as usual until the ``number``-th message, at which the sender dies before sending it."""
    send_message_as_usual = smtplib.SMTP.send_message
    sent_to: list[str] = []

    def send_or_die(smtp, message, *args, **kwargs):
        if len(sent_to) + 1 == number:
            raise SenderDied()
        sent_to.append(message["To"])
        return send_message_as_usual(smtp, message, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", send_or_die)
    return lambda: sent_to


def test_a_sender_that_dies_in_a_batch_loses_no_message_and_sends_none_twice(app, smtp, monkeypatch):
    meetup = make_event(capacity=10)
    for n in range(10):
        register_attendee(meetup, RegistrationRequest(f"Guest {n}", f"guest{n}@example.org"))
    _die_at_send(4, monkeypatch)
    with pytest.raises(SenderDied):
        send_due()
    monkeypatch.undo()

    db.session.rollback()
    statuses = list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))
    # Sent and recorded; the one it was on stays claimed; the rest were never taken.
    assert statuses == [OutboxStatus.SENT] * 3 + [OutboxStatus.SENDING] + [OutboxStatus.QUEUED] * 6
    assert [m["To"] for m in smtp.inbox.messages] == [f"guest{n}@example.org" for n in range(3)]

    assert send_due().sent == 6  # another sender at once: the rest, not the claimed one
    _claims_go_stale()
    assert send_due().sent == 1  # ten minutes later, the claimed one too
    assert sorted(m["To"] for m in smtp.inbox.messages) == sorted(f"guest{n}@example.org" for n in range(10))
    assert db.session.scalar(select(OutboxMessage.kind).distinct()) == MailKind.CONFIRMED


def _claims_go_stale() -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING)
        .values(claimed_at=utcnow() - STALE_CLAIM - timedelta(seconds=1))
    )
    db.session.commit()


def test_one_round_sends_more_than_a_batch(app, smtp):
    _event_with_mail(sender.BATCH // 2 + 1)  # one more message than a batch holds
    with counting_statements() as counts:
        assert send_due().sent == sender.BATCH + 2
    assert counts["UPDATE"] == 2 * (sender.BATCH + 2)
