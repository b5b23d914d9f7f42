"""The door page in a real browser that asks for Chinese: the page and its script speak Chinese."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import Door


def test_the_door_page_and_its_script_in_chinese(door: Door, launch):
    context = launch().new_context(locale="zh-CN")  # Accept-Language: zh-CN
    page = door.open(context.new_page())
    assert page.get_attribute("html", "lang") == "zh-CN"
    expect(page.locator("#verdict")).to_contain_text("可以扫码了")

    page.fill("#lookup-q", "z")
    page.keyboard.press("Enter")
    expect(page.locator("#lookup-status")).to_have_text("请至少输入 2 个字符。")

    page.fill("#lookup-q", "zhang")
    page.keyboard.press("Enter")
    expect(page.locator("#lookup-status")).to_have_text("找到 1 人。")
    row = page.locator(f".person[data-code='{door.people['Zhang Min'].code}']")
    row.get_by_role("button", name="签到 Zhang Min").click()
    expect(page.locator("#verdict")).to_have_attribute("data-result", "ok")
    expect(row).to_contain_text("已签到")
    assert door.script_errors == []
