"""Invitations in a real browser, on a phone and a wide screen, in English and Chinese: the
organizer pastes a list, a stranger meets the invite-only page, an invitee opens their personal
link and registers with the name and address filled in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsys.events.models import EventAccess
from eventsys.extensions import db
from eventsys.registration import tickets
from eventsys.registration.models import Invitation, Registration
from tests.conftest import PASSWORD, make_event, make_user
from tests.e2e.test_accessibility import violations
from tests.e2e.test_backoffice_page import fits_the_phone, screenshot_dir

WORDS = {
    "en": {
        "invitations": "Invitations",
        "send": "Send invitations",
        "invited": "2 people invited",
        "closed": "This event is by invitation only.",
        "register": "Register",
        "done": "You are registered.",
    },
    "zh-CN": {
        "invitations": "邀请",
        "send": "发送邀请",
        "invited": "已邀请 2 人",
        "closed": "本活动仅限受邀者参加。",
        "register": "报名",
        "done": "报名成功",
    },
}


def invitation_of(email: str) -> Invitation:
    db.session.rollback()  # end the test's read transaction, to see what the server committed
    return db.session.scalar(select(Invitation).where(Invitation.email == email))


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("width", [390, 1280])
def test_invite_two_members_and_one_registers_from_the_link(app, live_server, launch, tmp_path, language, width):
    owner = make_user(email="mei@tecom.example", name="Mei")
    event = make_event(owner, name="TECOM Members' Dinner", access=EventAccess.INVITE_ONLY, venue="West Lake Hall")
    words, shots, tag = WORDS[language], screenshot_dir(tmp_path), f"{language}-{width}"
    browser = launch()
    errors: list[str] = []
    checked: dict[str, list] = {}

    organizer = browser.new_context(viewport={"width": width, "height": 900}, locale=language, bypass_csp=True)
    page = organizer.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/manage/events/{event.slug}")
    page.locator("input[name=email]").fill("mei@tecom.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.locator(f"a[href='/manage/events/{event.slug}/invitations']").first.click()
    page.locator("textarea[name=people]").fill("王芳, wang@example.org\nAna Souza <ana@example.org>")
    page.get_by_role("button", name=words["send"]).click()
    expect(page.locator(".invite-result")).to_contain_text(words["invited"])
    checked["invitations"] = page_check(page, width)
    page.screenshot(path=str(shots / f"invitations-{tag}.png"), full_page=True)

    phone = browser.new_context(viewport={"width": width, "height": 900}, locale=language, bypass_csp=True)
    guest = phone.new_page()
    guest.on("pageerror", lambda error: errors.append(str(error)))
    guest.goto(f"{live_server.url}/events/{event.slug}")
    expect(guest.locator("#register")).to_contain_text(words["closed"])
    expect(guest.locator("#register input[name=email]")).to_have_count(0)
    checked["invite-only page"] = page_check(guest, width)
    guest.screenshot(path=str(shots / f"invite-only-{tag}.png"), full_page=True)

    secret = tickets.event_invitation_secret_of(invitation_of("wang@example.org"))
    guest.goto(f"{live_server.url}/events/{event.slug}?invitation={secret}#register")
    expect(guest.locator("input[name=name]")).to_have_value("王芳")
    email = guest.locator("input[name=email]")
    expect(email).to_have_value("wang@example.org")
    expect(email).to_have_attribute("readonly", "")
    checked["invitee's form"] = page_check(guest, width)
    guest.screenshot(path=str(shots / f"invitee-form-{tag}.png"), full_page=True)
    guest.locator("#register").get_by_role("button", name=words["register"]).click()
    expect(guest.locator("body")).to_contain_text(words["done"])
    assert "/t/" in guest.url

    db.session.rollback()
    registered = db.session.scalar(select(Registration).where(Registration.event_id == event.id))
    assert (registered.name, registered.email) == ("王芳", "wang@example.org")
    assert invitation_of("wang@example.org").registration_id == registered.id
    assert errors == []
    assert {name: found for name, found in checked.items() if found} == {}


def page_check(page, width: int) -> list[dict]:
    """On a phone the page fits its width; axe's serious findings (none wanted)."""
    if width == 390:
        fits_the_phone(page)
    return violations(page)
