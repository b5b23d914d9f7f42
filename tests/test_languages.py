"""The page's language (the contract's "Languages"): ?lang= remembered in a cookie, then the
browser's Accept-Language, else English; <html lang> and a switcher on every page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question, update_ticket_type
from tests.conftest import make_event
from tests.html_pages import page
from tests.registration_helpers import YEAR


def html_lang(response) -> str:
    doc = page(response)
    start = doc.html.index("<html lang=\"") + len('<html lang="')
    return doc.html[start : doc.html.index('"', start)]


@pytest.mark.parametrize(
    ("accept", "shown"),
    [
        ("zh", "zh-CN"),
        ("zh-CN,zh;q=0.9", "zh-CN"),
        ("zh-Hans", "zh-CN"),
        ("zh-Hans-CN", "zh-CN"),
        ("zh-SG", "zh-CN"),
        ("fr-FR, zh;q=0.5", "zh-CN"),  # the first of the browser's languages that we speak
        ("en-US,en;q=0.9", "en"),
        ("zh-TW", "en"),  # Traditional Chinese is not ours: English
        ("de", "en"),
        ("", "en"),
    ],
)
def test_the_browsers_language_chooses(client, accept, shown):
    response = client.get("/", headers={"Accept-Language": accept})
    assert html_lang(response) == shown
    assert ("登录" in page(response).text()) == (shown == "zh-CN")


def test_lang_switches_the_language_and_a_cookie_remembers_it(client):
    response = client.get("/?lang=zh-CN", headers={"Accept-Language": "en"})
    assert html_lang(response) == "zh-CN"
    assert "lang=zh-CN" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    later = client.get("/login", headers={"Accept-Language": "en"})
    assert html_lang(later) == "zh-CN" and "跳到正文" in page(later).text()
    back = client.get("/login?lang=en", headers={"Accept-Language": "zh-CN"})
    assert html_lang(back) == "en" and "Skip to content" in page(back).text()
    assert html_lang(client.get("/")) == "en"


def test_an_unknown_lang_is_ignored(client):
    response = client.get("/?lang=klingon", headers={"Accept-Language": "zh"})
    assert html_lang(response) == "zh-CN"
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]


def test_every_page_has_a_switcher_that_keeps_the_address(client):
    doc = page(client.get("/login?next=%2Fmanage%2Fevents"))
    assert 'href="/login?next=%2Fmanage%2Fevents&amp;lang=zh-CN"' in doc.html
    assert 'lang="zh-CN" hreflang="zh-CN">中文</a>' in doc.html
    assert 'aria-current="true">English</a>' in doc.html


def test_dates_read_as_in_the_language_in_the_events_time_zone(client):
    starts = datetime(YEAR, 6, 18, 1, 0, tzinfo=UTC)  # 09:00 in Hangzhou
    event = make_event(starts_at=starts, ends_at=starts + timedelta(hours=9), timezone="Asia/Shanghai")
    chinese = page(client.get(f"/events/{event.slug}?lang=zh-CN")).text()
    weekday = "一二三四五六日"[starts.astimezone(ZoneInfo("Asia/Shanghai")).weekday()]
    assert f"{YEAR}年6月18日 周{weekday} 09:00" in chinese
    english = page(client.get(f"/events/{event.slug}?lang=en")).text()
    assert f"18 Jun {YEAR}, 09:00" in english


def test_visitors_read_the_events_own_texts_in_their_language_field_by_field(client):
    event = make_event(
        name="TECOM Conf Hangzhou",
        tagline="A day for founders",
        description="Doors at 9",
        translations={"zh-CN": {"name": "TECOM 杭州创业者大会", "description": "九点开门\n\n- 人工智能\n- 硬件"}},
    )
    add_question(
        event,
        QuestionDetails(
            "Your role",
            QuestionKind.SELECT,
            options=["Founder", "Investor"],
            translations={"zh-CN": {"label": "你的角色", "options": ["创始人", "投资人"]}},
        ),
    )
    update_ticket_type(event.ticket_types[0], "General admission", None, translations={"zh-CN": {"name": "普通票"}})
    chinese = page(client.get(f"/events/{event.slug}?lang=zh-CN"))
    text = chinese.text()
    assert "TECOM 杭州创业者大会" in text and "A day for founders" in text  # no Chinese tagline: the original
    assert "<li>人工智能</li>" in chinese.html and "普通票" in text and "你的角色" in text
    assert '<option value="Founder">创始人</option>' in chinese.html  # the answer stored stays the original
    english = page(client.get(f"/events/{event.slug}?lang=en")).text()
    assert "TECOM Conf Hangzhou" in english and "Doors at 9" in english and "Your role" in english
