"""The organizer's forms with their Chinese twins in a real browser, in both languages: beside the
original on a wide screen, right under it on a 390 px phone, reached by Tab right after it, no
sideways scrolling; the pictures go to SCREENSHOT_DIR (else the test's own folder)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from tests.conftest import PASSWORD, make_event, make_user
from tests.e2e.conftest import OVERFLOWING
from tests.e2e.test_accessibility import violations
from tests.e2e.test_backoffice_page import screenshot_dir

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
EMAIL = "mei@tecom.example"


@pytest.fixture
def conference(app):
    event = make_event(make_user(email=EMAIL, name="Mei"), name="TECOM Conf Hangzhou")
    question = add_question(
        event,
        QuestionDetails(
            "Your role",
            QuestionKind.SELECT,
            options=["Founder", "Investor"],
            translations={"zh-CN": {"label": "你的角色", "options": ["创始人", "投资人"]}},
        ),
    )
    return event, question


def sign_in(page: Page, base: str, language: str) -> None:
    page.goto(f"{base}/login?lang={language}")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/manage/events")


def refused_by_csp(text: str) -> bool:
    return "Content Security Policy" in text


def box(page: Page, element_id: str) -> dict[str, float]:
    return page.locator(f"#{element_id}").bounding_box()


def assert_twins_placed(page: Page, viewport: dict[str, int], pairs: list[tuple[str, str]]) -> None:
    """Each Chinese field beside its original (wide) or right under it (phone); nothing sticks out."""
    for original, chinese in pairs:
        first, twin = box(page, original), box(page, chinese)
        if viewport is PHONE:
            assert twin["y"] > first["y"] + first["height"] - 1, (original, first, twin)
        else:
            assert abs(twin["y"] - first["y"]) < 40 and twin["x"] > first["x"] + first["width"], (original, first, twin)
    overflow = page.evaluate(OVERFLOWING)
    assert overflow["scroll"] <= viewport["width"] and overflow["wide"] == [], overflow


def twins(*names: str) -> list[tuple[str, str]]:
    return [(name, f"zh_{name}") for name in names]


EVENT_PAIRS = twins("name", "tagline", "description", "venue", "address")
DASHBOARD_PAIRS = twins("name", "description", "label", "options", "help_text")  # ticket type, question


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_forms_place_each_chinese_twin_by_its_original(conference, live_server, launch, tmp_path, language):
    event, question = conference
    shots = screenshot_dir(tmp_path)
    browser = launch()
    base = live_server.url
    for label, viewport in (("390", PHONE), ("1280", DESKTOP)):
        page = browser.new_context(viewport=viewport).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.on("console", lambda message, errors=errors: refused_by_csp(message.text) and errors.append(message.text))
        sign_in(page, base, language)

        page.goto(f"{base}/manage/events/new")
        expect(page.locator("#name")).to_be_focused()
        page.keyboard.type("Founders Night")
        page.keyboard.press("Tab")  # the next stop is the name in Chinese
        expect(page.locator("#zh_name")).to_be_focused()
        page.keyboard.type("创业者之夜")
        twin_label = "名称（中文）" if language == "zh-CN" else "Name in Chinese"
        expect(page.get_by_label(twin_label, exact=True)).to_have_value("创业者之夜")
        assert_twins_placed(page, viewport, EVENT_PAIRS)
        page.screenshot(path=str(shots / f"event-form-{language}-{label}.png"), full_page=True)

        page.goto(f"{base}/manage/events/{event.slug}")
        for summary in page.locator("details > summary").all():
            summary.focus()
            page.keyboard.press("Enter")  # open the add forms by keyboard
        assert_twins_placed(page, viewport, DASHBOARD_PAIRS)
        page.screenshot(path=str(shots / f"dashboard-add-forms-{language}-{label}.png"), full_page=True)

        page.goto(f"{base}/manage/events/{event.slug}/questions/{question.id}")
        expect(page.locator("#zh_options")).to_have_value("创始人\n投资人")
        page.locator("#zh_options").fill("创始人")
        page.locator("form.card button[type=submit]").press("Enter")
        expect(page.locator("#zh_options-error")).to_be_visible()
        expect(page.locator("#zh_options")).to_have_value("创始人")
        assert_twins_placed(page, viewport, twins("label", "options", "help_text"))
        page.screenshot(path=str(shots / f"question-edit-error-{language}-{label}.png"), full_page=True)
        assert errors == []
        page.context.close()


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_forms_with_chinese_twins_have_no_serious_accessibility_violation(
    conference, live_server, launch, language
):
    event, question = conference
    base = live_server.url
    page = launch().new_context(viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True).new_page()
    sign_in(page, base, language)
    found: dict[str, list[dict]] = {}
    page.goto(f"{base}/manage/events/{event.slug}/edit")
    found["event form"] = violations(page)
    page.goto(f"{base}/manage/events/{event.slug}")
    for summary in page.locator("details > summary").all():
        summary.click()
    found["dashboard"] = violations(page)
    page.goto(f"{base}/manage/events/{event.slug}/questions/{question.id}")
    page.locator("#zh_options").fill("创始人")
    page.locator("form.card button[type=submit]").click()
    expect(page.locator("#zh_options-error")).to_be_visible()
    found["question with an error"] = violations(page)
    assert found == {name: [] for name in found}
