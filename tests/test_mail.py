"""E-mail through the outbox, delivered to a real SMTP server on loopback."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import zxingcpp
from icalendar import Calendar
from PIL import Image
from sqlalchemy import select

from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage, OutboxStatus
from eventsys.mail.sender import send_due
from eventsys.registration.models import RegistrationStatus
from eventsys.registration.services import (
    RegistrationRequest,
    cancel_registration,
    register_attendee,
)
from eventsys.registration.tickets import manage_secret_of, qr_payload_of
from eventsys.timeutil import utcnow
from tests.conftest import make_event
from tests.smtp import SmtpServer, free_port


def _outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def _parts(message):
    return {part.get_content_type(): part for part in message.walk() if not part.is_multipart()}


def test_confirmation_carries_ticket_link_qr_and_calendar(app, smtp):
    event = make_event(name="TECOM Conf Hangzhou", venue="ITC Guigu International Center", capacity=10)
    registration = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    assert send_due().sent == 1

    [message] = smtp.inbox.to("li@example.org")
    assert message["Subject"] == "Your ticket for TECOM Conf Hangzhou"
    assert message["From"] == "TECOM <tickets@tecom.test>"
    parts = _parts(message)
    manage_url = f"http://eventsys.test/t/{manage_secret_of(registration)}"
    assert manage_url in parts["text/plain"].get_content()
    assert registration.code in parts["text/plain"].get_content()
    assert manage_url in parts["text/html"].get_content()
    assert 'src="cid:ticket-qr"' in parts["text/html"].get_content()

    qr = parts["image/png"]
    assert qr["Content-ID"] == "<ticket-qr>"
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.get_content())))
    assert barcode.text == qr_payload_of(registration)

    calendar = Calendar.from_ical(parts["text/calendar"].get_content())
    [entry] = calendar.walk("VEVENT")
    assert entry.decoded("dtstart") == event.starts_at
    assert str(entry["location"]).startswith("ITC Guigu International Center")
    assert _outbox()[0].status == OutboxStatus.SENT


def test_waitlist_promotion_mails_the_next_person_their_ticket(app, smtp):
    event = make_event(capacity=1)
    first = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org"))
    send_due()
    [waiting] = smtp.inbox.to("ana@example.org")
    assert "waiting list" in waiting["Subject"]
    assert "(place 1)" in _parts(waiting)["text/plain"].get_content()

    cancel_registration(first)
    send_due()
    promoted = smtp.inbox.to("ana@example.org")[-1]
    assert promoted["Subject"].startswith("A seat opened up")
    assert "image/png" in _parts(promoted)
    cancelled = smtp.inbox.to("li@example.org")[-1]
    assert cancelled["Subject"].endswith("is cancelled")
    assert "image/png" not in _parts(cancelled)


def test_second_registration_mails_the_link_to_the_owner_once(app, smtp):
    event = make_event()
    registration = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    for _ in range(3):
        with pytest.raises(Exception, match="already registered"):
            register_attendee(event, RegistrationRequest("Someone", "LI@example.org"))
    send_due()
    messages = smtp.inbox.to("li@example.org")
    assert [m["Subject"].split(" for ")[0] for m in messages] == ["Your ticket", "Your registration"]
    assert manage_secret_of(registration) in _parts(messages[1])["text/plain"].get_content()


def test_ticket_mail_for_a_registration_cancelled_before_sending_is_skipped(app, smtp):
    event = make_event()
    registration = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    cancel_registration(registration)
    report = send_due()
    assert (report.sent, report.skipped) == (1, 1)
    [message] = smtp.inbox.to("li@example.org")
    assert message["Subject"].endswith("is cancelled")


def test_the_html_mail_shows_an_event_name_as_text_not_markup(app, smtp):
    event = make_event(name='Meetup <a href="https://evil.example/">claim your prize</a>')
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    send_due()
    [message] = smtp.inbox.to("li@example.org")
    html = _parts(message)["text/html"].get_content()
    assert '<a href="https://evil.example/">' not in html
    assert "&lt;a href=" in html


class TestSmtpOutage:
    @pytest.fixture
    def app_config(self):
        self.port = free_port()  # nothing listens here yet: the mail server is down
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port}

    def test_nothing_is_lost_and_send_mail_delivers_when_the_server_is_back(self, app, runner):
        event = make_event()
        registration = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
        assert registration.status == RegistrationStatus.CONFIRMED  # registering never waits on SMTP

        report = send_due()
        assert (report.sent, report.retrying) == (0, 1)
        [queued] = _outbox()
        assert queued.status == OutboxStatus.QUEUED and queued.attempts == 1
        assert "Connection refused" in queued.last_error or "Errno" in queued.last_error
        assert queued.next_attempt_at > utcnow() + timedelta(seconds=20)
        assert send_due().handled == 0  # not due yet: backing off

        # Messages behind the failed one wait as queued, not stuck as claimed by a sender.
        register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org"))
        register_attendee(event, RegistrationRequest("Kenji Tanaka", "kenji@example.org"))
        send_due()
        assert sorted(m.status for m in _outbox()) == [OutboxStatus.QUEUED] * 3

        server = SmtpServer(self.port).start()
        try:
            result = runner.invoke(args=["send-mail"])
            assert result.exit_code == 0, result.output
            assert "3 sent" in result.output
            assert len(server.inbox.to("li@example.org")) == 1
        finally:
            server.stop()
        first, *others = _outbox()
        assert first.status == OutboxStatus.SENT and first.attempts == 2
        assert [m.status for m in others] == [OutboxStatus.SENT] * 2


class TestWithoutMailServer:
    @pytest.fixture
    def app_config(self):
        return {"MAIL_SERVER": None}

    def test_messages_stay_in_the_outbox(self, app):
        event = make_event()
        register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
        assert send_due().handled == 0
        [message] = _outbox()
        assert (message.kind, message.status) == (MailKind.CONFIRMED, OutboxStatus.QUEUED)
