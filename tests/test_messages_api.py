"""An organizer's messages to attendees through the API: exactly the chosen people get them, over
real SMTP, each in their language, placeholders filled, their own ticket link at the end."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from eventsys.demo_attendees import bulk_seed
from eventsys.events.services import add_ticket_type
from eventsys.extensions import db
from eventsys.mail.models import OutboxMessage
from eventsys.mail.sender import send_due
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import RegistrationRequest, cancel_registration, register_attendee
from tests.conftest import bearer, make_token, make_user
from tests.registration_helpers import path_of

CHINESE = {"zh-CN": {"subject": "{name}，{event} 的入场须知", "body": "{name} 你好：\n请带好证件。门票：{ticket_url}"}}


def url(event, tail: str = "") -> str:
    return f"/api/v1/events/{event.slug}/messages{tail}"


def text_of(message) -> str:
    return next(p.get_content() for p in message.walk() if p.get_content_type() == "text/plain").replace("\r\n", "\n")


def html_of(message) -> str:
    return next(p.get_content() for p in message.walk() if p.get_content_type() == "text/html").replace("\r\n", "\n")


def check_in(client, event, gate, registration: Registration) -> None:
    response = client.post(f"/api/v1/events/{event.slug}/checkins", json={"code": registration.code}, headers=gate)
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.fixture
def crowd(client, event, gate):
    """Founders and investors, confirmed or not, checked in or not, in English and Chinese."""
    founder = event.ticket_types[0].id
    investor = add_ticket_type(event, "Investor").id
    people = {
        "ana": register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org", founder)),
        "wang": register_attendee(event, RegistrationRequest("王芳", "wang@example.org", founder, locale="zh-CN")),
        "late": register_attendee(event, RegistrationRequest("Late Lee", "late@example.org", founder)),
        "vc": register_attendee(event, RegistrationRequest("Vera Capital", "vc@example.org", investor)),
        "gone": register_attendee(event, RegistrationRequest("Gone Gao", "gone@example.org", founder)),
    }
    for key in ("ana", "wang", "vc", "gone"):
        check_in(client, event, gate, people[key])
    cancel_registration(people["gone"])  # checked in, then cancelled: not confirmed
    send_due()
    return people, founder


@pytest.mark.both_databases
def test_a_message_to_checked_in_confirmed_founders_reaches_exactly_them_in_their_language(
    client, event, owner_headers, crowd, smtp
):
    _, founder = crowd
    smtp.inbox.messages.clear()  # the ticket mails
    body = {
        "subject": "Hi {name}: lunch at {time}",
        "body": "Dear {name},\n\nLunch is on level 2.\nYour ticket: {ticket_url} {0.__class__}",
        "translations": CHINESE,
        "to": {"status": ["confirmed"], "ticket_type": founder, "checked_in": True},
    }
    preview = client.post(url(event, "/preview"), json=body, headers=owner_headers)
    assert preview.status_code == 200
    assert preview.get_json()["recipients"] == 2
    assert preview.get_json()["subject"] == "Hi Ana Souza: lunch at {time}"  # the first registered, in English
    assert smtp.inbox.messages == [] and send_due().sent == 0  # a preview sends nothing

    sent = client.post(url(event), json=body, headers=owner_headers)
    assert sent.status_code == 202
    assert sent.get_json() == {"id": sent.get_json()["id"], "recipients": 2}
    assert send_due().sent == 2

    assert sorted(m["X-Envelope-To"] for m in smtp.inbox.messages) == ["ana@example.org", "wang@example.org"]
    [english] = smtp.inbox.to("ana@example.org")
    assert english["Subject"] == "Hi Ana Souza: lunch at {time}"
    text = text_of(english)
    ticket_link = text.split("Your ticket: ")[1].split()[0]
    assert path_of(ticket_link).startswith("/t/")
    assert text.startswith("Dear Ana Souza,\n\nLunch is on level 2.\n")
    assert "{0.__class__}" in text  # typed braces stay as typed
    assert text.rstrip().endswith(f"TECOM Conf Hangzhou\nYour ticket and registration: {ticket_link}")
    assert f'<a href="{ticket_link}">Open your ticket and registration</a>' in html_of(english)
    assert "Lunch is on level 2.<br>" in html_of(english)

    [chinese] = smtp.inbox.to("wang@example.org")
    assert chinese["Subject"] == "王芳，{event} 的入场须知"
    zh_text = text_of(chinese)
    assert zh_text.startswith("王芳 你好：\n请带好证件。门票：http://eventsys.test/t/")
    assert "Dear" not in zh_text
    assert "你的门票和报名信息：http://eventsys.test/t/" in zh_text and "TECOM Conf Hangzhou" in zh_text
    assert ticket_link not in zh_text  # each gets their own ticket link

    [listed] = client.get(url(event), headers=owner_headers).get_json()["items"]
    assert (listed["recipients"], listed["sent"], listed["failed"]) == (2, 2, 0)
    assert listed["to"] == {"status": ["confirmed"], "ticket_type": founder, "checked_in": True}


@pytest.mark.both_databases
def test_by_default_every_confirmed_attendee_gets_it_and_a_refused_address_counts_as_failed(
    client, event, owner_headers, crowd, smtp
):
    smtp.refuse("late@example.org")
    response = client.post(url(event), json={"subject": "Doors open at 9", "body": "See you."}, headers=owner_headers)
    assert response.get_json()["recipients"] == 4  # ana, wang, late, vc; not the cancelled one
    send_due()
    [listed] = client.get(url(event), headers=owner_headers).get_json()["items"]
    assert (listed["recipients"], listed["sent"], listed["failed"]) == (4, 3, 1)
    assert smtp.inbox.to("gone@example.org")[-1]["Subject"] != "Doors open at 9"


def test_the_sent_list_counts_nothing_sent_before_the_sender_runs(client, event, owner_headers, crowd):
    client.post(url(event), json={"subject": "S", "body": "B", "to": {"checked_in": False}}, headers=owner_headers)
    [listed] = client.get(url(event), headers=owner_headers).get_json()["items"]
    assert (listed["recipients"], listed["sent"], listed["failed"]) == (1, 0, 0)  # late, not checked in


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"subject": "", "body": "x"}, 422, {"subject"}),
        ({"body": "x"}, 422, {"subject"}),
        ({"subject": "a\nb", "body": "x"}, 422, {"subject"}),
        ({"subject": "s", "body": "  "}, 422, {"body"}),
        ({"subject": "s", "body": "x" * 20_001}, 422, {"body"}),
        ({"subject": "s", "body": "x", "to": {"status": ["maybe"]}}, 422, {"to.status"}),
        ({"subject": "s", "body": "x", "to": {"status": []}}, 422, {"to.status"}),
        ({"subject": "s", "body": "x", "to": {"ticket_type": 999999}}, 422, {"to.ticket_type"}),
        ({"subject": "s", "body": "x", "to": {"ticket_type": 10**30}}, 422, {"to.ticket_type"}),
        ({"subject": "s", "body": "x", "to": {"checked_in": "yes"}}, 400, {"to.checked_in"}),
        ({"subject": "s", "body": "x", "to": []}, 400, {"to"}),
        ({"subject": "s", "body": "x", "translations": {"zh-CN": "你好"}}, 400, {"translations.zh-CN"}),
        ({"subject": "s", "body": "x", "to": {"status": ["rejected"]}}, 422, {"to"}),  # nobody
    ],
)
def test_a_bad_message_is_refused_with_the_contracts_error_body(
    client, event, owner_headers, crowd, body, status, fields
):
    for tail in ("", "/preview"):
        if tail and fields == {"to"}:
            continue  # previewing nobody is fine: 0 recipients
        response = client.post(url(event, tail), json=body, headers=owner_headers)
        assert response.status_code == status, response.get_data(as_text=True)
        error = response.get_json()["error"]
        assert set(error["fields"]) == fields and error["code"]
    assert client.get(url(event), headers=owner_headers).get_json()["items"] == []


def test_previewing_nobody_says_zero(client, event, owner_headers):
    response = client.post(url(event, "/preview"), json={"subject": "s", "body": "b"}, headers=owner_headers)
    assert response.get_json() == {"recipients": 0, "subject": None, "body": None}


def test_another_organizer_cannot_write_to_the_attendees_nor_read_the_list(client, event, owner_headers, crowd):
    stranger = bearer(make_token(make_user()))
    for method, tail in (("post", ""), ("post", "/preview"), ("get", "")):
        response = getattr(client, method)(url(event, tail), json={"subject": "s", "body": "b"}, headers=stranger)
        assert response.status_code == 403
        assert getattr(client, method)(url(event, tail), json={"subject": "s", "body": "b"}).status_code == 401
    assert client.get(url(event), headers=owner_headers).get_json()["items"] == []


@pytest.mark.both_databases
def test_a_message_to_10000_people_is_queued_at_once(client, event, owner, owner_headers):
    add_ticket_type(event, "Investor")
    add_ticket_type(event, "Community")  # the demo's three ticket types
    bulk_seed(event, 10_000, owner)
    confirmed = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    )
    assert confirmed > 5_000
    started = time.perf_counter()
    response = client.post(url(event), json={"subject": "Doors at 9", "body": "Hi {name}"}, headers=owner_headers)
    took = time.perf_counter() - started
    assert response.status_code == 202 and response.get_json()["recipients"] == confirmed
    assert took < 5, f"{took:.2f} s to queue {confirmed}"
    queued = db.session.scalar(select(func.count()).where(OutboxMessage.message_id == response.get_json()["id"]))
    assert queued == confirmed
    [listed] = client.get(url(event), headers=owner_headers).get_json()["items"]
    assert (listed["recipients"], listed["sent"], listed["failed"]) == (confirmed, 0, 0)
