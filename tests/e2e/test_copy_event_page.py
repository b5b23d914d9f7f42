"""Copying an event as next year's edition in a real browser, by keyboard, in both languages, on a
390 px phone and a 1280 px screen: the offered name and start, an error beside the address and in
the summary, then the draft's dashboard; the pictures go to SCREENSHOT_DIR (else the test's folder)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_event, make_user
from tests.e2e.conftest import OVERFLOWING
from tests.e2e.test_backoffice_page import screenshot_dir
from tests.e2e.test_translation_forms_page import DESKTOP, EMAIL, PHONE, sign_in

STARTS = datetime(2030, 6, 18, 1, 0, tzinfo=UTC)  # 09:00 in Hangzhou


def fits(page: Page, viewport: dict[str, int]) -> None:
    overflow = page.evaluate(OVERFLOWING)
    assert overflow["scroll"] <= viewport["width"] and overflow["wide"] == [], overflow


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_an_organizer_copies_the_conference_as_next_years_draft(app, live_server, launch, tmp_path, language):
    event = make_event(
        make_user(email=EMAIL, name="Mei"),
        name="TECOM Conf 2030",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=9),
        timezone="Asia/Shanghai",
    )
    shots = screenshot_dir(tmp_path)
    browser = launch()
    base = live_server.url
    for label, viewport in (("390", PHONE), ("1280", DESKTOP)):
        page = browser.new_context(viewport=viewport).new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        sign_in(page, base, language)
        page.goto(f"{base}/manage/events/{event.slug}")
        page.locator(f'a[href="/manage/events/{event.slug}/copy"]').focus()
        page.keyboard.press("Enter")
        expect(page.locator("#name")).to_be_focused()
        expect(page.locator("#name")).to_have_value("TECOM Conf 2031")
        expect(page.locator("#starts_at")).to_have_value("2031-06-18T09:00")
        fits(page, viewport)
        page.screenshot(path=str(shots / f"copy-event-{language}-{label}.png"), full_page=True)

        page.locator("#slug").fill(event.slug)  # taken: the original's own address
        page.keyboard.press("Enter")
        expect(page.locator("[data-error-summary]")).to_be_focused()
        expect(page.locator("#slug-error")).to_be_visible()
        expect(page.locator("#name")).to_have_value("TECOM Conf 2031")
        fits(page, viewport)
        page.screenshot(path=str(shots / f"copy-event-error-{language}-{label}.png"), full_page=True)

        page.locator("#slug").fill(f"tecom-2031-{label}")
        page.locator("#slug").press("Enter")
        page.wait_for_url(f"{base}/manage/events/tecom-2031-{label}")
        expect(page.locator(".flash-success")).to_contain_text("TECOM Conf 2031")
        page.screenshot(path=str(shots / f"copy-event-done-{language}-{label}.png"), full_page=True)
        assert errors == []
        page.context.close()
