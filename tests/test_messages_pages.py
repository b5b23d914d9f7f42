"""The organizer's message pages: write, preview for the first recipient, send, the sent list."""

from __future__ import annotations

import pytest

from eventsys.events.services import add_ticket_type
from eventsys.mail.sender import send_due
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import csrf_token, make_user, signed_in_organizer


def page(slug: str, tail: str = "") -> str:
    return f"/manage/events/{slug}/messages{tail}"


@pytest.fixture
def attendees(event):
    investor = add_ticket_type(event, "Investor")
    register_attendee(event, RegistrationRequest("王芳", "wang@example.org", investor.id, locale="zh-CN"))
    register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org", investor.id))
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org", event.ticket_types[0].id))
    send_due()
    return investor


def post(client, slug: str, **fields):
    data = {"csrf_token": csrf_token(client, page(slug, "/new")), "status": "confirmed", **fields}
    return client.post(page(slug, "/new"), data=data)


def test_preview_then_send_to_one_ticket_type_in_each_recipients_language(organizer, event, attendees, smtp):
    smtp.inbox.messages.clear()
    dashboard = organizer.get(f"/manage/events/{event.slug}").get_data(as_text=True)
    assert f'href="{page(event.slug)}"' in dashboard
    fields = {
        "subject": "Investor breakfast, {name}",
        "body": "Hello {name},\nbreakfast at 8.",
        "zh_subject": "投资人早餐，{name}",
        "zh_body": "{name} 你好：\n早上 8 点早餐。",
        "ticket_type": str(attendees.id),
        "checked_in": "",
    }
    preview = post(organizer, event.slug, preview="1", **fields)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "2 people get this message" in html and "Send to 2 people" in html
    assert "The first of them, 王芳, reads it in 中文:" in html
    assert "投资人早餐，王芳" in html and "王芳 你好：" in html  # the first recipient, in Chinese
    assert smtp.inbox.messages == [] and send_due().sent == 0

    sent = post(organizer, event.slug, send="1", expected="2", **fields)
    assert sent.status_code == 302 and sent.headers["Location"].endswith(page(event.slug))
    send_due()
    assert sorted(m["X-Envelope-To"] for m in smtp.inbox.messages) == ["ana@example.org", "wang@example.org"]
    assert smtp.inbox.to("ana@example.org")[0]["Subject"] == "Investor breakfast, Ana Souza"
    listing = organizer.get(page(event.slug)).get_data(as_text=True)
    assert "Sent to 2 people." in listing and "Investor breakfast, {name}" in listing
    assert "<dt>Sent</dt><dd>2</dd>" in listing and "<dt>Failed</dt><dd>0</dd>" in listing
    assert "<dt>Waiting</dt><dd>0</dd>" in listing
    assert "To: confirmed · Investor" in listing


def test_a_changed_count_since_the_preview_shows_the_preview_again(organizer, event, attendees):
    response = post(organizer, event.slug, send="1", expected="1", subject="S", body="B")
    html = response.get_data(as_text=True)
    assert "The number of recipients changed since the preview" in html and "Send to 3 people" in html
    assert "No messages yet" in organizer.get(page(event.slug)).get_data(as_text=True)


def test_missing_texts_and_no_status_are_shown_in_the_error_summary(organizer, event, attendees):
    response = organizer.post(
        page(event.slug, "/new"),
        data={"csrf_token": csrf_token(organizer, page(event.slug, "/new")), "preview": "1"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and "Write a subject." in html and "Write the message." in html


def test_the_pages_speak_chinese(organizer, event, attendees):
    organizer.set_cookie("lang", "zh-CN")
    html = organizer.get(page(event.slug, "/new"), headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "写消息" in html and "中文主题" in html and "消息内容" in html


def test_another_organizer_cannot_open_the_pages(client, event, attendees):
    signed_in_organizer(client, make_user())
    assert client.get(page(event.slug)).status_code == 403
    assert client.get(page(event.slug, "/new")).status_code == 403
    assert post(client, event.slug, send="1", subject="S", body="B").status_code == 403


def test_without_a_mail_server_each_message_waits_in_the_outbox_readable_as_sent(organizer, event, attendees):
    post(organizer, event.slug, send="1", expected="3", subject="Doors at 9, {name}", body="See you.")
    outbox = organizer.get(f"/manage/events/{event.slug}/outbox").get_data(as_text=True)
    assert outbox.count("message from the organizer") == 3
    [row] = [r for r in outbox.split("<tr>") if "li@example.org" in r and "from the organizer" in r]
    link = row.split('href="')[1].split('"')[0]
    shown = organizer.get(link).get_data(as_text=True)
    assert "Doors at 9, Li Wei" in shown and "See you." in shown
    listing = organizer.get(page(event.slug)).get_data(as_text=True)
    assert "<dt>Waiting</dt><dd>3</dd>" in listing


def test_a_nul_in_the_message_is_refused_not_a_crash(organizer, event, attendees):
    response = post(organizer, event.slug, send="1", expected="3", subject="Hi", body="a\x00b")
    assert response.status_code == 400 and "which no field accepts" in response.get_data(as_text=True)
    assert "No messages yet" in organizer.get(page(event.slug)).get_data(as_text=True)
