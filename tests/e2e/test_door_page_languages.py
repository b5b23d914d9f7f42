"""The door page in a real browser that asks for Chinese: the page and its script speak Chinese."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.e2e.conftest import Door


def test_the_door_page_and_its_script_in_chinese(door: Door, launch):
    wang = register_attendee(door.event, RegistrationRequest("王芳", "fang@example.org"))
    context = launch().new_context(locale="zh-CN")  # Accept-Language: zh-CN
    page = door.open(context.new_page())
    assert page.get_attribute("html", "lang") == "zh-CN"
    expect(page.locator("#verdict")).to_contain_text("可以扫码了")

    page.fill("#lookup-q", "z")
    page.keyboard.press("Enter")
    expect(page.locator("#lookup-status")).to_have_text("请至少输入 2 个字母，或 1 个汉字。")

    page.fill("#lookup-q", "王")  # one Chinese character is enough
    page.keyboard.press("Enter")
    expect(page.locator("#lookup-status")).to_have_text("找到 1 人。")
    expect(page.locator(f".person[data-code='{wang.code}']")).to_contain_text("王芳")
    page.fill("#lookup-q", "wang")  # and its pinyin, for someone who cannot type Chinese
    page.keyboard.press("Enter")
    expect(page.locator(f".person[data-code='{wang.code}']")).to_contain_text("王芳")

    page.fill("#lookup-q", "zhang")
    page.keyboard.press("Enter")
    expect(page.locator("#lookup-status")).to_have_text("找到 1 人。")
    row = page.locator(f".person[data-code='{door.people['Zhang Min'].code}']")
    row.get_by_role("button", name="签到 Zhang Min").click()
    expect(page.locator("#verdict")).to_have_attribute("data-result", "ok")
    expect(page.locator("#verdict .verdict-word")).to_have_text("✓通过")
    expect(row).to_contain_text("已签到")

    row.get_by_role("button", name="签到 Zhang Min").click()  # a second time: amber, a warning
    expect(page.locator("#verdict")).to_have_attribute("data-result", "already_checked_in")
    expect(page.locator("#verdict")).to_have_class(re.compile(r"\bverdict-warn\b"))
    expect(page.locator("#verdict .verdict-word")).to_have_text("!注意")
    page.fill("#scan-code", "NOT-A-TICKET")
    page.keyboard.press("Enter")
    expect(page.locator("#verdict .verdict-word")).to_have_text("✕不通过")
    page.check("input[name=direction][value=out]")
    expect(page.locator("label[for=scan-code]")).to_have_text("票号 — 离场：扫码即为签出")  # no English left
    assert door.script_errors == []
