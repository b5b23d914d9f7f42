"""Forms in Debian's chromium: after a failed submit the error summary has the focus and its links
move it to their fields; a new event's time zone is the browser's, picked from a searchable box."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from eventsys.events.models import Event
from eventsys.events.services import add_ticket_type
from eventsys.extensions import db
from tests.conftest import PASSWORD, make_event, make_user

PHONE = {"width": 390, "height": 844}
FOCUSED = """() => {
    const el = document.activeElement;
    return el.matches("[data-error-summary]") ? "summary" : el.id || el.tagName;
}"""
IN_VIEW = """(selector) => {
    const box = document.querySelector(selector).getBoundingClientRect();
    return box.top >= 0 && box.top < window.innerHeight;
}"""


def phone(browser: Browser, **options) -> Page:
    return browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, **options).new_page()


def signed_in(page: Page, url: str, email: str) -> Page:
    page.goto(f"{url}/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    return page


def test_a_failed_registration_on_a_phone_focuses_the_summary_and_its_links_focus_the_fields(app, live_server, launch):
    event = make_event(name="TECOM Conf Hangzhou", description="A long day.\n\n" + "Talks and more talks. " * 60)
    add_ticket_type(event, "Investor")
    page = phone(launch())
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/events/{event.slug}")
    assert not page.evaluate(IN_VIEW, "#register form button[type=submit]")  # the form is below the fold
    page.locator("#email").fill("li@example.org")
    with page.expect_navigation():
        page.locator("#register button[type=submit]").click()

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate(FOCUSED) == "summary"
    assert page.evaluate(IN_VIEW, "[data-error-summary]"), "the summary is not on the screen"
    assert summary.locator("a").all_inner_texts() == [
        "Your name: Enter your name.",
        "Ticket type: Choose a ticket type.",
    ]

    page.keyboard.press("Tab")  # the summary's first link
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == "name"
    assert page.evaluate(IN_VIEW, "label[for=name]")
    page.locator("#name").fill("Li Wei")

    summary.locator("a", has_text="Ticket type").focus()
    page.keyboard.press("Enter")
    assert page.evaluate(FOCUSED) == "ticket_type_id-0"  # the first radio of the list
    page.keyboard.press("ArrowDown")  # radios are chosen with the arrow keys
    with page.expect_navigation():
        page.locator("#register button[type=submit]").click()
    assert "/t/" in page.url, page.url  # registered
    assert errors == []


def test_the_autofocused_field_keeps_the_focus_without_errors_and_loses_it_to_the_summary(app, live_server, launch):
    page = launch().new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{live_server.url}/login")
    assert page.evaluate(FOCUSED) == "email"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.locator("[data-error-summary]").wait_for()
    assert page.evaluate(FOCUSED) == "summary"


@pytest.mark.parametrize(
    ("browser_zone", "shown"), [("Europe/Berlin", "Europe/Berlin"), ("Etc/GMT+3", "Asia/Shanghai")]
)
def test_a_new_events_time_zone_is_the_browsers_when_the_picker_knows_it(app, live_server, launch, browser_zone, shown):
    make_user(email="mei@tecom.example")
    page = signed_in(phone(launch(), timezone_id=browser_zone), live_server.url, "mei@tecom.example")
    page.goto(f"{live_server.url}/manage/events/new")
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == browser_zone
    assert page.locator("#timezone").input_value() == shown


def test_the_time_zone_is_searched_kept_when_wrong_and_saved_when_right(app, live_server, launch):
    make_user(email="mei@tecom.example")
    page = signed_in(phone(launch(), timezone_id="Asia/Tokyo"), live_server.url, "mei@tecom.example")
    page.goto(f"{live_server.url}/manage/events/new")
    box = page.locator("#timezone")
    assert box.input_value() == "Asia/Tokyo"
    suggestions = page.locator("#timezone-zones option")
    assert suggestions.first.get_attribute("label") == "Asia/Shanghai (UTC+08:00)"
    kolkata = page.locator("#timezone-zones option[value='Asia/Kolkata']")
    assert kolkata.get_attribute("label") == "Asia/Kolkata (UTC+05:30)"

    page.locator("#name").fill("杭州创业者大会")
    page.locator("#starts_at").fill("2031-06-18T09:00")
    page.locator("#ends_at").fill("2031-06-18T18:00")
    box.fill("Asia/Hangzhou")  # no such zone
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()
    assert page.evaluate(FOCUSED) == "summary"
    assert box.input_value() == "Asia/Hangzhou" and page.locator("#name").input_value() == "杭州创业者大会"
    assert page.locator("#timezone-error").inner_text() == "Choose a time zone such as Asia/Shanghai."
    assert "timezone-error" in box.get_attribute("aria-describedby")
    assert page.locator("#slug-help").inner_text().endswith("/events/hangzhou-chuangyezhe-dahui")

    page.locator("[data-error-summary] a", has_text="Time zone").click()
    assert page.evaluate(FOCUSED) == "timezone"
    box.fill("asia/hong kong")  # as typed by hand: read leniently
    with page.expect_navigation():
        page.locator("form.card button[type=submit]").click()
    db.session.rollback()
    event = db.session.scalar(select(Event).where(Event.name == "杭州创业者大会"))
    assert event.timezone == "Asia/Hong_Kong" and event.slug == "hangzhou-chuangyezhe-dahui"
