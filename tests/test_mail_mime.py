"""The e-mail's MIME structure: boundaries chosen up front (messages._boundary), and what each kind carries."""

from __future__ import annotations

import itertools

from eventsys.mail import messages
from eventsys.mail.broadcast import Draft, send_message
from eventsys.mail.sender import send_due
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.registration.tickets import manage_secret_of
from tests.conftest import make_event


def test_a_message_that_holds_a_boundary_line_still_arrives_whole(app, smtp, monkeypatch):
    """Someone's words that happen to hold the first boundary drawn: another one is drawn, so the
    message still has its two parts, each with all of its text."""
    meetup = make_event()
    register_attendee(meetup, RegistrationRequest("Li Wei", "li@example.org"))
    send_due()
    draws = itertools.count(7)
    monkeypatch.setattr(messages.secrets, "randbelow", lambda _limit: next(draws))
    first_boundary = "=" * 15 + f"{7:019d}=="
    body = f"Before the line\n--{first_boundary}\nafter the line, still the message."
    send_message(meetup, Draft(subject="A line", body=body), None)
    assert send_due().sent == 1

    received = smtp.inbox.to("li@example.org")[-1]
    assert received.get_content_type() == "multipart/alternative"
    text, html = received.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert body in text.get_content().replace("\r\n", "\n")
    assert "after the line, still the message." in html.get_content()
    assert received.get_boundary() != first_boundary


def test_an_organizers_message_carries_the_ticket_link_and_no_qr_code_or_calendar(app, smtp):
    meetup = make_event()
    registration = register_attendee(meetup, RegistrationRequest("Li Wei", "li@example.org"))
    send_due()
    send_message(meetup, Draft(subject="Doors open at 9", body="See you at 9."), None)
    assert send_due().sent == 1

    received = smtp.inbox.to("li@example.org")[-1]
    types = [part.get_content_type() for part in received.walk() if not part.is_multipart()]
    assert types == ["text/plain", "text/html"]  # the ticket mail alone carries the QR code and .ics
    ticket_url = f"http://eventsys.test/t/{manage_secret_of(registration)}"
    assert all(ticket_url in part.get_content() for part in received.get_payload())
