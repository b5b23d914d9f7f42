"""A Chinese visitor on a phone picks a country by its Chinese name and registers; the page does not
scroll sideways. Screenshots at 390 and 1280 px go to the folder the test prints (not committed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from tests.conftest import make_event
from tests.e2e.conftest import OVERFLOWING

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-zh-leftovers"))
SIZES = {"390": {"width": 390, "height": 844}, "1280": {"width": 1280, "height": 900}}


@pytest.mark.parametrize("width", SIZES)
def test_a_chinese_visitor_picks_a_country_by_its_chinese_name(app, live_server, launch, width):
    event = make_event(name="TECOM Conf Hangzhou", timezone="Asia/Shanghai")
    question = add_question(event, QuestionDetails("Country you are from", QuestionKind.COUNTRY, required=True))
    context = launch().new_context(viewport=SIZES[width], locale="zh-CN", is_mobile=width == "390")
    page = context.new_page()
    page.goto(f"{live_server.url}/events/{event.slug}")
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    select = page.locator(f"select[name=q_{question.id}]")
    names = select.locator("option").all_inner_texts()
    assert names[:3] == ["选择国家或地区…", "阿尔巴尼亚", "阿尔及利亚"]  # by pinyin: a'erbaniya, a'erjiliya
    assert "中国" in names and "德国" in names and "China" not in names
    overflow = page.evaluate(OVERFLOWING)
    assert overflow["wide"] == [] and overflow["scroll"] <= overflow["width"], overflow

    SHOTS.mkdir(parents=True, exist_ok=True)
    select.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"country-select-zh-{width}.png"))
    # The native list a phone opens is no part of the page; shown open, as a list box, for the screenshot.
    select.evaluate("el => { el.size = 12; }")
    select.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"country-list-zh-{width}.png"))
    select.evaluate("el => { el.size = 0; }")
    print(f"screenshots in {SHOTS}")

    page.fill("input[name=name]", "王芳")
    page.fill("input[name=email]", f"wang.{width}@zju.edu.cn")
    select.select_option(label="德国")
    page.get_by_role("button", name="报名").click()
    page.wait_for_url("**/t/**")
    assert "报名成功" in page.locator("body").inner_text()
