"""An event's address made from its name: short pinyin words for a Chinese name, Latin words when it has any."""

from __future__ import annotations

import pytest

from eventsys.events.services import SLUG_PATTERN
from eventsys.events.slugs import CJK_SLUG_MAX, slug_from_name
from tests.conftest import make_event


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("杭州创业者大会", "hangzhou-chuangyezhe-dahui"),
        ("中国", "zhongguo"),
        ("重庆火锅节", "chongqing-huoguojie"),
        ("行业峰会", "hangye-fenghui"),  # 行 read as in 行业, not xing
        ("【杭州】创业者·大会！", "hangzhou-chuangyezhe-dahui"),
        ("2027 杭州大会", "2027-hangzhou-dahui"),  # digits alone are no Latin name
    ],
)
def test_a_chinese_name_gives_one_pinyin_word_per_chinese_word(name, slug):
    assert slug_from_name(name, 74) == slug


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("TECOM Conf 杭州创业者大会 2027", "tecom-conf-2027"),
        ("杭州 AI 创业者大会", "ai"),
        ("Founders' Night · 创始人之夜", "founders-night"),
    ],
)
def test_a_mixed_name_keeps_its_latin_words_and_digits(name, slug):
    assert slug_from_name(name, 74) == slug


def test_a_long_chinese_name_is_cut_short_at_a_word():
    slug = slug_from_name("2027杭州国际人才交流大会暨西湖区创新创业大赛颁奖典礼", 74)
    assert slug == "2027-hangzhou-guoji-rencai"  # the next word, jiaoliu, would pass the limit
    assert len(slug) <= CJK_SLUG_MAX


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Hangzhou Tech Day", "hangzhou-tech-day"),
        ("Ünïcödé Çafé — Ärger", "unicode-cafe-arger"),
        ("  Spaces   around  ", "spaces-around"),
        ("!!!", ""),
    ],
)
def test_a_name_without_chinese_is_slugified_as_before(name, slug):
    assert slug_from_name(name, 74) == slug


def test_a_latin_name_may_stay_long():
    slug = slug_from_name("International Founders and Investors Summer Meetup in Hangzhou", 74)
    assert slug == "international-founders-and-investors-summer-meetup-in-hangzhou"


@pytest.mark.both_databases
def test_a_new_event_named_in_chinese_gets_the_short_address_and_a_suffix_when_taken(app):
    first = make_event(name="杭州创业者大会")
    second = make_event(name="杭州创业者大会")
    mixed = make_event(name="TECOM Conf 杭州创业者大会 2027")
    assert first.slug == "hangzhou-chuangyezhe-dahui"
    assert second.slug == "hangzhou-chuangyezhe-dahui-2"
    assert mixed.slug == "tecom-conf-2027"
    assert all(SLUG_PATTERN.match(event.slug) for event in (first, second, mixed))
