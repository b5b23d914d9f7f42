"""The door page's modes and roles in a real browser: review mode (who it is, then Admit or Enter),
the gate's numbers, and a steward's page without look-up on a 390 px phone."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from eventsys.auth.models import DoorTokenRole, TokenKind
from eventsys.auth.services import issue_token
from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.e2e.conftest import OVERFLOWING, Door, scans_of
from tests.e2e.test_accessibility import violations
from tests.e2e.test_door_page import SMALL_TARGETS, UNLABELED_FIELDS, scan_field_has_focus, verdict


def scan(page: Page, code: str) -> None:
    """A USB scanner's read: the code typed into the focused field, then Enter."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def choose_review(page: Page) -> None:
    page.get_by_label("Review").check()
    expect(page.locator("#mode-help")).to_contain_text("Review: see who it is first")
    assert scan_field_has_focus(page)


def test_review_mode_shows_who_it_is_and_enter_admits(door: Door, launch):
    event = door.event
    add_question(event, QuestionDetails("Company", QuestionKind.TEXT, on_badge=True))
    add_question(event, QuestionDetails("Phone", QuestionKind.PHONE))
    company, phone = (str(question.id) for question in event.questions)
    vip = register_attendee(
        event,
        RegistrationRequest("Wang Fang", "wang.fang@example.org", answers={company: "Alibaba", phone: "+86 1380000"}),
    )
    page = door.open(launch().new_context(bypass_csp=True).new_page())  # bypass: axe is added below
    expect(page.locator("#num-expected")).to_have_text("4")
    choose_review(page)

    scan(page, vip.code)
    card = page.locator("#review")
    expect(card).to_be_visible()
    expect(page.locator("#review-name")).to_have_text("Wang Fang")
    expect(page.locator("#review-type")).to_have_text("General admission")
    expect(page.locator("#review-answers")).to_have_text("CompanyAlibaba")
    expect(card).not_to_contain_text("+86")
    expect(verdict(page)).to_have_attribute("data-result", "review_ok")
    expect(verdict(page)).to_contain_text("Not admitted yet")
    assert scans_of(vip) == []  # the dry run recorded nothing
    assert violations(page) == []
    assert scan_field_has_focus(page)

    page.keyboard.press("Enter")  # Enter in the empty code field admits the person on the card
    expect(verdict(page)).to_have_attribute("data-result", "ok")
    expect(verdict(page)).to_contain_text("Welcome, Wang Fang")
    expect(card).to_be_hidden()
    assert [s.result.value for s in scans_of(vip)] == ["ok"]
    expect(page.locator("#num-recent")).to_have_text("1", timeout=10_000)
    expect(page.locator("#num-inside")).to_have_text("1")
    expect(page.locator("#num-expected")).to_have_text("3")

    # The same ticket again: the dry run says already checked in, and offers no Admit; Esc puts it aside.
    scan(page, vip.code)
    expect(verdict(page)).to_have_attribute("data-result", "already_checked_in")
    expect(verdict(page)).to_contain_text(re.compile(r"Already checked in at \d\d:\d\d"))
    expect(page.locator("#review-name")).to_have_text("Wang Fang")
    expect(page.locator("#review-admit")).to_be_hidden()
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    expect(verdict(page)).to_contain_text("Dismissed: nobody was admitted")
    assert [s.result.value for s in scans_of(vip)] == ["ok"]

    # Tapping Admit works too; and the gate's phone remembers the mode after a reload.
    li = door.people["Li Wei"]
    page.reload()
    page.locator("#door[data-state=ready]").wait_for()
    expect(page.get_by_label("Review")).to_be_checked()
    scan(page, li.code)
    page.get_by_role("button", name="Admit").click()
    expect(verdict(page)).to_contain_text("Welcome, Li Wei")
    assert [s.result.value for s in scans_of(li)] == ["ok"]

    # Express again: a valid scan admits at once.
    page.get_by_label("Express").check()
    scan(page, door.people["Zhang Min"].code)
    expect(verdict(page)).to_contain_text("Welcome, Zhang Min")
    expect(card).to_be_hidden()


def test_a_stewards_door_page_has_no_look_up_on_a_390_px_phone(door: Door, launch):
    _, token = issue_token(door.event.owner, TokenKind.DOOR, "Side door", door.event.id, DoorTokenRole.STEWARD)
    phone = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
    context = launch().new_context(**phone, bypass_csp=True)  # bypass: axe is added below
    page = context.new_page()
    page.goto(door.link.rsplit("/", 1)[0] + f"/{token}")
    page.locator("#door[data-state=ready]").wait_for()

    expect(page.locator("#lookup-q")).to_have_count(0)
    expect(page.get_by_role("heading", name="Find a person")).to_have_count(0)
    expect(page.locator(".gate-numbers")).to_have_count(0)
    expect(page.locator(".door-gate")).to_contain_text("scan only")
    scan(page, door.people["Ana García"].code)
    expect(verdict(page)).to_contain_text("Welcome, Ana García")
    expect(page.locator("#recent")).to_contain_text("Welcome, Ana García", timeout=10_000)

    overflow = page.evaluate(OVERFLOWING)
    assert overflow["scroll"] <= 390 and overflow["wide"] == [], overflow
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.evaluate(UNLABELED_FIELDS) == []
    assert violations(page) == []
