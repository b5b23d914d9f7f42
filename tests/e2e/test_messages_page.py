"""Writing to attendees in a real browser, on a phone and a wide screen, in English and Chinese:
write, preview (the count and the first recipient's mail), send, the sent list."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsys.events.services import add_ticket_type
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import PASSWORD, make_event, make_user
from tests.e2e.test_accessibility import violations
from tests.e2e.test_backoffice_page import fits_the_phone, screenshot_dir

WORDS = {
    "en": {"write": "Write a message", "preview": "Preview", "send": "Send to 2 people", "sent": "Sent to 2 people."},
    "zh-CN": {"write": "写消息", "preview": "预览", "send": "发送给 2 人", "sent": "已发送给 2 人。"},
}


@pytest.mark.parametrize("language", ["en", "zh-CN"])
@pytest.mark.parametrize("width", [390, 1280])
def test_write_preview_and_send_to_the_investors(app, live_server, launch, tmp_path, language, width):
    owner = make_user(email="mei@tecom.example", name="Mei")
    event = make_event(owner, name="TECOM Conf Hangzhou")
    investor = add_ticket_type(event, "Investor")
    register_attendee(event, RegistrationRequest("王芳", "wang@example.org", investor.id, locale="zh-CN"))
    register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org", investor.id))
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org", event.ticket_types[0].id))
    words, shots, tag = WORDS[language], screenshot_dir(tmp_path), f"{language}-{width}"
    context = launch().new_context(viewport={"width": width, "height": 900}, locale=language, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_server.url}/manage/events/{event.slug}")
    page.locator("input[name=email]").fill("mei@tecom.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.locator(f"a[href='/manage/events/{event.slug}/messages']").click()
    page.get_by_role("link", name=words["write"]).click()
    page.locator("select[name=ticket_type]").select_option(str(investor.id))
    page.locator("input[name=subject]").fill("Investor breakfast, {name}")
    page.locator("textarea[name=body]").fill("Hello {name},\nbreakfast at 8 on level 2.\n\nYour ticket: {ticket_url}")
    page.locator("input[name=zh_subject]").fill("投资人早餐，{name}")
    page.locator("textarea[name=zh_body]").fill("{name} 你好：\n早上 8 点在二楼早餐。\n\n你的门票：{ticket_url}")
    checked = {"compose": page_check(page, width)}
    page.screenshot(path=str(shots / f"messages-compose-{tag}.png"), full_page=True)

    page.get_by_role("button", name=words["preview"]).click()
    preview = page.locator(".message-preview")
    expect(preview).to_contain_text("投资人早餐，王芳")  # the first recipient registered in Chinese
    expect(preview).to_contain_text("TECOM Conf Hangzhou")
    checked["preview"] = page_check(page, width)
    page.screenshot(path=str(shots / f"messages-preview-{tag}.png"), full_page=True)

    page.get_by_role("button", name=words["send"]).click()
    expect(page.locator("body")).to_contain_text(words["sent"])
    expect(page.locator(".sent-messages li")).to_have_count(1)
    checked["sent list"] = page_check(page, width)
    page.screenshot(path=str(shots / f"messages-sent-{tag}.png"), full_page=True)
    assert errors == []
    assert {name: found for name, found in checked.items() if found} == {}


def page_check(page, width: int) -> list[dict]:
    """On a phone the page fits its width; axe's serious findings (none wanted)."""
    if width == 390:
        fits_the_phone(page)
    return violations(page)
