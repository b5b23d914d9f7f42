"""axe-core (npm, pinned) in Debian's chromium at 390 px, in both languages: the pages people use
most have no serious or critical accessibility violation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Page

from eventsys.auth.models import TokenKind
from eventsys.auth.services import issue_token
from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.registration.tickets import manage_secret_of
from tests.conftest import PASSWORD, make_event, make_user

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
SERIOUS = ("serious", "critical")


def violations(page: Page) -> list[dict]:
    """axe's serious and critical findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "where": [n["target"] for n in v["nodes"]][:5]}
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def site(app, live_server):
    owner = make_user(email="mei@tecom.example", name="Mei")
    event = make_event(
        owner, name="TECOM Conf Hangzhou", venue="ITC Guigu", description="Doors at 9\n\n- AI\n- Hardware"
    )
    add_question(event, QuestionDetails("Company or organization", QuestionKind.TEXT, required=True))
    add_question(event, QuestionDetails("Topics", QuestionKind.MULTISELECT, options=["AI", "Hardware"]))
    registration = register_attendee(
        event, RegistrationRequest("王芳", "wang@example.org", answers={str(event.questions[0].id): "Alibaba"})
    )
    _, door_token = issue_token(owner, TokenKind.DOOR, "North door", event_id=event.id)
    return {"event": event, "registration": registration, "door_token": door_token, "url": live_server.url}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_main_pages_have_no_serious_violation(site, launch, language):
    event, url = site["event"], site["url"]
    context = launch().new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[dict]] = {}

    page.goto(f"{url}/?lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    found["home"] = violations(page)
    page.goto(f"{url}/events/{event.slug}")
    found["event page"] = violations(page)
    page.locator("form button[type=submit]").last.click()
    page.locator(".form-errors").wait_for()  # the form came back with its errors
    found["registration form with errors"] = violations(page)
    page.goto(f"{url}/t/{manage_secret_of(site['registration'])}")
    found["ticket page"] = violations(page)
    page.goto(f"{url}/door/{site['door_token']}")
    page.locator("#door[data-state=ready]").wait_for()
    found["door page"] = violations(page)
    # The verdict's three looks, each read by axe for contrast: green, amber (a second scan), red.
    for code, look in [(site["registration"].code, "ok"), (site["registration"].code, "warn"), ("NOPE", "bad")]:
        page.locator("#scan-code").fill(code)
        page.keyboard.press("Enter")
        page.locator(f"#verdict.verdict-{look}").wait_for()
        found[f"door page, verdict {look}"] = violations(page)

    organizer = launch().new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True).new_page()
    organizer.goto(f"{url}/login?lang={language}")
    organizer.locator("#email").fill("mei@tecom.example")
    organizer.locator("#password").fill(PASSWORD)
    with organizer.expect_navigation():
        organizer.keyboard.press("Enter")
    organizer.goto(f"{url}/manage/events/{event.slug}/registrations")
    found["organizer's list"] = violations(organizer)

    problems = {name: items for name, items in found.items() if items}
    assert problems == {}, json.dumps(problems, ensure_ascii=False, indent=1)
