"""Mail to an account (a password reset, a door staff invitation) speaks the language of the page it
was asked from, and keeps it with the message: the sender, which renders it later outside any request,
still writes it in that language. Read back from the real SMTP test server."""

from __future__ import annotations

import re

from sqlalchemy import select

from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.mail.sender import send_due
from tests.conftest import make_user, post_form

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
RESET_LINK = re.compile(r"http://eventsys\.test/password/reset/[A-Z2-7]{32}")
INVITE_LINK = re.compile(r"http://eventsys\.test/door-invite/[A-Z2-7]{32}")


def texts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def stored_locale(kind: MailKind) -> str | None:
    return db.session.scalars(select(OutboxMessage.locale).where(OutboxMessage.kind == kind)).one()


def test_a_reset_asked_on_a_chinese_page_is_mailed_in_chinese(client, smtp):
    make_user(email="mei@example.org", name="Mei")
    response = post_form(client, "/password/forgot", {"email": "mei@example.org"}, headers=ZH)
    assert response.status_code == 200
    assert stored_locale(MailKind.PASSWORD_RESET) == "zh-CN"

    send_due()  # later, by the sender: no request, no Accept-Language
    [mail] = smtp.inbox.to("mei@example.org")
    assert mail["Subject"] == "重置你的 eventsys 密码"
    text, html = texts(mail)
    assert text.startswith("Mei，你好：")
    assert "Hello" not in text and "If you did not ask" not in text
    assert RESET_LINK.search(text) and '<html lang="zh-CN">' in html


def test_the_language_chosen_with_lang_beats_the_browsers(client, smtp):
    make_user(email="li@example.org", name="Li")
    client.get("/password/forgot?lang=zh-CN")  # the switcher's choice, kept in a cookie
    post_form(client, "/password/forgot", {"email": "li@example.org"}, headers=EN)
    send_due()
    [mail] = smtp.inbox.to("li@example.org")
    assert mail["Subject"] == "重置你的 eventsys 密码"


def test_a_reset_asked_in_english_stays_english(client, smtp):
    make_user(email="ana@example.org", name="Ana")
    post_form(client, "/password/forgot", {"email": "ana@example.org"}, headers=EN)
    send_due()
    [mail] = smtp.inbox.to("ana@example.org")
    assert mail["Subject"] == "Reset your eventsys password"
    assert texts(mail)[0].startswith("Hello Ana,")


def test_a_door_invitation_sent_from_a_chinese_page_is_in_chinese(organizer, event, smtp):
    access = f"/manage/events/{event.slug}/door-access"
    organizer.get(access, headers=ZH)
    response = post_form(organizer, f"/manage/events/{event.slug}/door-staff", {"email": "v@example.org"}, headers=ZH)
    assert response.status_code == 302
    assert stored_locale(MailKind.DOOR_INVITE) == "zh-CN"

    send_due()
    [mail] = smtp.inbox.to("v@example.org")
    assert mail["Subject"] == f"邀请你为 {event.name} 签到验票"
    text, html = texts(mail)
    assert text.startswith("你好：") and f"{event.name} 的组织者邀请你在入口为来宾签到。" in text
    assert INVITE_LINK.search(text) and '<html lang="zh-CN">' in html
