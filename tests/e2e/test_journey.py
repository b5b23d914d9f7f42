"""The whole journey in a real browser, in Chinese (issue 9): an organizer creates and publishes an
event with its Chinese texts and a question; an attendee registers from a phone in Chinese and gets
the ticket with its QR, and its e-mail in Chinese over real SMTP; door staff scan that ticket with the
phone's camera; the organizer's dashboard counts the check-in.

Everything goes through the pages, as people use them; the test only reads the database to check
what the pages showed. Screenshots of every step go to SCREENSHOT_DIR, else a folder of the test's
own; the test prints where.
"""

from __future__ import annotations

import base64
import io
import os
import re
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select

from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.tickets import qr_payload_of
from tests.conftest import MAIL_SENDER, PASSWORD
from tests.e2e.conftest import still_video
from tests.live_server import LiveServer
from tests.smtp import SmtpServer

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
VERDICT_TIMEOUT = 15_000  # ms; the first camera decode includes compiling the wasm decoder
LIVE_STATS_TIMEOUT = 15_000  # ms; the dashboard asks for new numbers every 10 s
MAIL_TIMEOUT = 20.0  # s

ORGANIZER = {"name": "Mei Lin", "email": "mei@tecom.example"}
ATTENDEE = {"name": "王芳", "email": "wang.fang@zju.edu.cn"}
EVENT = {
    "name": "Hangzhou Founders Night",
    "tagline": "Founders, investors and the city's international clubs",
    "description": "An evening of short talks.\n\n- Pitches\n- Dinner",
    "venue": "ITC Guigu International Center",
    "address": "Xihu District, Hangzhou",
}
EVENT_ZH = {
    "zh_name": "杭州创业者之夜",
    "zh_tagline": "创业者、投资人与城市国际俱乐部",
    "zh_description": "一个短讲之夜。\n\n- 路演\n- 晚餐",
    "zh_venue": "硅谷国际中心",
    "zh_address": "杭州市西湖区",
}
TICKET_TYPE = {"name": "Founder pass", "description": "For founders of a company up to five years old."}
TICKET_TYPE_ZH = {"zh_name": "创业者通票", "zh_description": "适用于成立五年以内公司的创始人。"}
QUESTION = {
    "label": "Which track?",
    "options": "Founders\nInvestors\nCommunity",
    "help_text": "Pick the one you will spend most time in.",
}
QUESTION_ZH = {
    "zh_label": "你想参加哪个分论坛？",
    "zh_options": "创业者\n投资人\n社区",
    "zh_help_text": "选择你停留时间最长的那个。",
}


@pytest.fixture
def mailing_server(app, database_url, smtp: SmtpServer) -> Iterator[LiveServer]:
    """The app under gunicorn, sending its mail to the test's SMTP server."""
    mail = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp.port), "MAIL_DEFAULT_SENDER": MAIL_SENDER}
    server = LiveServer(database_url, workers=2, extra_env=mail).start()
    yield server
    server.stop()


def screenshot_folder(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def snap(page: Page, folder: Path, name: str) -> None:
    """A full-page screenshot. Focus leaves the field first: after the screenshot's resize, Chromium
    scrolls a focused field back into view, and the next click would land beside its target."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def type_over(page: Page, selector: str, text: str) -> None:
    """Type ``text`` over what a field holds: a text box's words, or a select's choice (typing picks it)."""
    field = page.locator(selector)
    field.focus()
    field.press("ControlOrMeta+a")
    field.press_sequentially(text)
    field.press("Tab")


def type_into(page: Page, selector: str, text: str) -> None:
    """Type ``text`` key by key into a field, as a person does (Enter between lines of a text area)."""
    field = page.locator(selector)
    field.click()
    for number, line in enumerate(text.split("\n")):
        if number:
            field.press("Enter")
        field.press_sequentially(line)


def the_mail_to(smtp: SmtpServer, address: str) -> EmailMessage:
    """The one message the server delivered to ``address``, waiting for the app's sender to send it."""
    deadline = time.monotonic() + MAIL_TIMEOUT
    while not smtp.inbox.to(address):
        assert time.monotonic() < deadline, f"no mail to {address} within {MAIL_TIMEOUT} s"
        time.sleep(0.1)
    [message] = smtp.inbox.to(address)
    return message


def decoded(png: bytes) -> str:
    [barcode] = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert barcode.format == zxingcpp.BarcodeFormat.QRCode
    return barcode.text


def registration_of(email: str) -> Registration:
    db.session.rollback()  # end the test's read transaction, to see what the server committed
    return db.session.scalar(select(Registration).where(Registration.email == email))


def test_an_event_in_chinese_from_its_creation_to_the_door(app, mailing_server, smtp, launch, tmp_path):
    url = mailing_server.url
    shots = screenshot_folder(tmp_path)
    print(f"\nScreenshots of the journey: {shots}")
    errors: list[str] = []
    browser = launch()

    # --- The organizer, on a laptop in English: signs up, creates the event with its Chinese texts.
    organizer = browser.new_context(viewport=DESKTOP, locale="en-US")
    desk = organizer.new_page()
    desk.on("pageerror", lambda error: errors.append(str(error)))
    desk.goto(f"{url}/login")
    desk.get_by_role("link", name="Create an account").click()
    type_into(desk, "#name", ORGANIZER["name"])
    type_into(desk, "#email", ORGANIZER["email"])
    type_into(desk, "#password", PASSWORD)
    snap(desk, shots, "01-organizer-signup-1280")
    desk.get_by_role("button", name="Create account").click()
    expect(desk.get_by_role("heading", name="New event")).to_be_visible()
    expect(desk.locator(".flashes")).to_contain_text(f"Welcome, {ORGANIZER['name']}.")

    for name, text in {**EVENT, **EVENT_ZH}.items():
        type_into(desk, f"#{name}", text)
    type_over(desk, "#timezone", "Asia/Shanghai")
    desk.fill("#starts_at", "2030-06-18T18:30")
    desk.fill("#ends_at", "2030-06-18T22:00")
    type_into(desk, "#capacity", "120")
    snap(desk, shots, "02-organizer-new-event-1280")
    desk.get_by_role("button", name="Create event").click()
    expect(desk.locator(".flashes")).to_contain_text(f"“{EVENT['name']}” is created as a draft.")
    expect(desk.locator("main")).to_contain_text("18:30 – 22:00 (Asia/Shanghai)")
    slug = desk.url.rstrip("/").rsplit("/", 1)[-1]

    # A ticket type of its own, 50 seats, in Chinese too.
    desk.get_by_text("Add a ticket type").click()
    for name, text in {**TICKET_TYPE, **TICKET_TYPE_ZH}.items():
        type_into(desk, f"#{name}", text)
    type_into(desk, "#capacity", "50")
    desk.get_by_role("button", name="Add ticket type").click()
    expect(desk.locator(".flashes")).to_contain_text(f"Ticket type “{TICKET_TYPE['name']}” added.")

    # A question for everyone, a choice from a list, in Chinese too.
    desk.get_by_text("Add a question").click()
    type_into(desk, "#label", QUESTION["label"])
    desk.select_option("#kind", label="One choice from a list")
    for name in ("options", "help_text"):
        type_into(desk, f"#{name}", QUESTION[name])
    for name, text in QUESTION_ZH.items():
        type_into(desk, f"#{name}", text)
    desk.get_by_label("An answer is required").check()
    snap(desk, shots, "03-organizer-question-1280")
    desk.get_by_role("button", name="Add question").click()
    expect(desk.locator(".flashes")).to_contain_text("Question added.")
    expect(desk.locator("#questions")).to_contain_text(QUESTION["label"])

    desk.get_by_role("button", name="Publish", exact=True).click()
    expect(desk.locator(".flashes")).to_contain_text("Published: the event page is live")
    snap(desk, shots, "04-organizer-published-1280")

    # A door link for the North door, handed to the gate's phone.
    desk.get_by_role("link", name="Door", exact=True).click()
    expect(desk.get_by_role("heading", name="Door access")).to_be_visible()
    type_into(desk, "#label", "North door")
    desk.get_by_role("button", name="Create door link").click()
    door_link = desk.locator("code.copyable").inner_text().strip()
    assert door_link.startswith(f"{url}/door/"), door_link
    snap(desk, shots, "05-organizer-door-link-1280")

    # --- The attendee, on a phone that asks for Chinese: the event page and its form in Chinese.
    attendee = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = attendee.new_page()
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"{url}/events/{slug}")
    assert phone.get_attribute("html", "lang") == "zh-CN"
    expect(phone.get_by_role("heading", level=1)).to_have_text(EVENT_ZH["zh_name"])
    expect(phone.locator(".tagline")).to_have_text(EVENT_ZH["zh_tagline"])
    expect(phone.locator(".description li")).to_have_text(["路演", "晚餐"])
    expect(phone.locator("main")).to_contain_text(EVENT_ZH["zh_venue"])
    expect(phone.locator("main")).not_to_contain_text(EVENT["name"])
    snap(phone, shots, "06-attendee-event-page-390")

    type_into(phone, "#name", ATTENDEE["name"])
    type_into(phone, "#email", ATTENDEE["email"])
    phone.get_by_label(f"{TICKET_TYPE_ZH['zh_name']}（剩余 50 张）").check()
    track = phone.get_by_label(QUESTION_ZH["zh_label"])
    expect(track.locator("option")).to_have_text(["请选择…", *QUESTION_ZH["zh_options"].split("\n")])
    expect(phone.locator(f"#{track.get_attribute('aria-describedby')}")).to_have_text(QUESTION_ZH["zh_help_text"])
    track.select_option(label="投资人")
    snap(phone, shots, "07-attendee-form-filled-390")
    phone.get_by_role("button", name="报名").click()

    # The ticket page: the Chinese name, confirmed, and a QR that reads back as the ticket's payload.
    expect(phone.locator(".eyebrow")).to_have_text("我的报名")
    expect(phone.get_by_role("heading", level=1)).to_have_text(EVENT_ZH["zh_name"])
    facts = phone.locator(".facts")
    expect(facts.locator("dt")).to_have_text(["姓名", "票种", "状态"])
    expect(facts.locator("dd")).to_have_text([ATTENDEE["name"], TICKET_TYPE_ZH["zh_name"], "已确认"])
    qr = phone.get_by_role("img", name=f"{ATTENDEE['name']} 的门票二维码")
    expect(qr).to_be_visible()
    snap(phone, shots, "08-attendee-ticket-390")
    shown_qr = qr.screenshot()
    registration = registration_of(ATTENDEE["email"])
    payload = qr_payload_of(registration)
    assert decoded(shown_qr) == payload
    expect(phone.locator(".qr figcaption")).to_contain_text(registration.code)
    assert registration.locale == "zh-CN"
    assert list(registration.answers.values()) == ["Investors"]  # the option as the organizer wrote it

    # --- The confirmation e-mail, delivered over SMTP, in Chinese, with the same QR.
    mail = the_mail_to(smtp, ATTENDEE["email"])
    assert mail["Subject"] == f"你的 {EVENT_ZH['zh_name']} 门票"
    text = mail.get_body(preferencelist=("plain",))
    assert text.get_content_charset() == "utf-8"
    body = text.get_content()
    assert f"{ATTENDEE['name']}，你好：" in body
    assert f"你已成功报名 {EVENT_ZH['zh_name']}。入场时请出示门票上的二维码。" in body
    assert f"票种：{TICKET_TYPE_ZH['zh_name']}" in body
    assert EVENT_ZH["zh_venue"] in body and EVENT["name"] not in body
    [mailed_qr] = [part for part in mail.walk() if part.get_content_type() == "image/png"]
    assert decoded(mailed_qr.get_content()) == payload
    inline_qr = f"data:image/png;base64,{base64.b64encode(mailed_qr.get_content()).decode()}"
    html = mail.get_body(preferencelist=("html",)).get_content().replace("cid:ticket-qr", inline_qr)
    reader = attendee.new_page()
    reader.set_content(html)  # the HTML part as a phone's mail app shows it
    expect(reader.locator("body")).to_contain_text(f"你已成功报名 {EVENT_ZH['zh_name']}")
    snap(reader, shots, "09-attendee-mail-390")

    # The organizer keeps the event's dashboard open: nobody is in yet.
    desk.goto(f"{url}/manage/events/{slug}")
    checked_in = desk.locator("#checkin-stats [data-stat=checked_in]")
    expect(checked_in).to_have_text("0")
    expect(desk.locator("#arrivals-caption")).to_contain_text("Nobody has arrived yet.")

    # --- The North door's phone: the door link, then the camera sees the ticket as the attendee's phone shows it.
    camera = still_video(Image.open(io.BytesIO(shown_qr)), tmp_path / "ticket.y4m")
    gate = launch(camera=camera).new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    door = gate.new_page()
    door.on("pageerror", lambda error: errors.append(str(error)))
    door.goto(door_link)
    assert door.url == f"{url}/events/{slug}/door"  # the token left the address bar
    verdict = door.locator("#verdict")
    expect(verdict).to_have_attribute("data-result", "ok", timeout=VERDICT_TIMEOUT)
    expect(verdict).to_have_class(re.compile(r"\bverdict-ok\b"))
    expect(verdict).to_contain_text(f"欢迎，{ATTENDEE['name']}")
    expect(verdict).to_contain_text(TICKET_TYPE_ZH["zh_name"])  # the ticket type in the door page's language
    expect(door.locator("#count-in")).to_have_text("1")
    snap(door, shots, "10-door-verdict-390")

    # --- The organizer's dashboard counts the check-in on its own (its live numbers).
    expect(checked_in).to_have_text("1", timeout=LIVE_STATS_TIMEOUT)
    expect(desk.locator("#by-gate")).to_contain_text("North door")
    expect(desk.locator("#arrivals-caption")).to_contain_text("the busiest had 1 person.")
    expect(desk.locator("#arrivals-caption")).not_to_contain_text("Nobody has arrived yet.")
    snap(desk, shots, "11-organizer-dashboard-1280")
    assert errors == [], "uncaught errors in the pages' scripts"
