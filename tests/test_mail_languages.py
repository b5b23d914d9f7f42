"""Every e-mail to an attendee is in their language (the registration's locale), dates included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventsys.extensions import db
from eventsys.mail.sender import send_due
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, cancel_registration, register_attendee
from tests.conftest import make_event
from tests.registration_helpers import YEAR

STARTS = datetime(YEAR, 9, 18, 1, 0, tzinfo=UTC)  # 09:00 in Hangzhou


def parts(message):
    return {part.get_content_type(): part.get_content() for part in message.walk() if not part.is_multipart()}


@pytest.fixture
def conference(app):
    return make_event(
        name="TECOM Conf Hangzhou",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=9),
        timezone="Asia/Shanghai",
        capacity=1,
    )


@pytest.mark.parametrize("locale", ["zh-CN", "zh", "zh_CN", "zh-Hans"])
def test_an_attendee_who_registered_in_chinese_gets_every_mail_in_chinese(conference, smtp, locale):
    wang = register_attendee(conference, RegistrationRequest("王芳", "wang@example.org", locale=locale))
    register_attendee(conference, RegistrationRequest("李娜", "li@example.org", locale=locale))
    assert db.session.scalar(select(Registration.locale).where(Registration.id == wang.id)) == "zh-CN"
    send_due()
    cancel_registration(wang)  # 李娜 is promoted
    send_due()

    subjects = [message["Subject"] for message in smtp.inbox.to("wang@example.org")]
    assert subjects == ["你的 TECOM Conf Hangzhou 门票", "你的 TECOM Conf Hangzhou 报名已取消"]
    [ticket, cancelled] = smtp.inbox.to("wang@example.org")
    text, html = parts(ticket)["text/plain"], parts(ticket)["text/html"]
    assert text.startswith("王芳，你好：")
    assert "你已成功报名 TECOM Conf Hangzhou。入场时请出示门票上的二维码。" in text
    weekday = "一二三四五六日"[(STARTS + timedelta(hours=8)).weekday()]
    assert f"{YEAR}年9月18日 周{weekday} 09:00 – 18:00 (Asia/Shanghai)" in text  # the same day: its end as a time
    assert f"票号：{wang.code}" in text and "票种：" in text
    assert '<html lang="zh-CN">' in html and "查看你的门票和报名信息" in html
    [entry] = Calendar.from_ical(parts(ticket)["text/calendar"]).walk("VEVENT")
    assert str(entry["description"]).startswith("你的门票：http://eventsys.test/t/")
    assert "如果这是误操作" in parts(cancelled)["text/plain"]

    [waiting, promoted] = smtp.inbox.to("li@example.org")
    assert waiting["Subject"] == "你已进入 TECOM Conf Hangzhou 的候补名单"
    assert "（第 1 位）" in parts(waiting)["text/plain"]
    assert promoted["Subject"] == "有空位了：你的 TECOM Conf Hangzhou 门票"


def test_an_attendee_who_registered_in_english_gets_english(conference, smtp):
    register_attendee(conference, RegistrationRequest("Ana Souza", "ana@example.org", locale="fr"))  # not ours
    send_due()
    [ticket] = smtp.inbox.to("ana@example.org")
    assert ticket["Subject"] == "Your ticket for TECOM Conf Hangzhou"
    text = parts(ticket)["text/plain"]
    assert text.startswith("Hello Ana Souza,")
    assert f"18 Sep {YEAR}, 09:00" in text and '<html lang="en">' in parts(ticket)["text/html"]


def test_the_ticket_mail_carries_the_description_with_its_paragraphs_and_lists(app, smtp):
    event = make_event(name="TECOM Conf", description="Doors at 9\nBring your ID\n\n- AI\n- <b>Hardware</b>")
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    send_due()
    [ticket] = smtp.inbox.to("li@example.org")
    html = parts(ticket)["text/html"].replace("\r\n", "\n")
    assert "<p>Doors at 9<br>\nBring your ID</p>" in html and "<li>AI</li>" in html
    assert "&lt;b&gt;Hardware&lt;/b&gt;" in html  # typed HTML shows as text
    assert "Doors at 9\nBring your ID" in parts(ticket)["text/plain"].replace("\r\n", "\n")
