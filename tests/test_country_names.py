"""A country question speaks the reader's language: the form lists the countries by their names in the
page's language (Chinese in pinyin order), the stored answer stays the ISO code, and the back office,
its list and the exports name the country in the organizer's language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsys.events.models import Event, QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from eventsys.extensions import db
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import post_form
from tests.html_pages import page
from tests.test_exports import api, csv_rows

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def country(event: Event) -> int:
    return add_question(event, QuestionDetails("Country you are from", QuestionKind.COUNTRY, required=True)).id


def offered(html: str, question_id: int) -> list[tuple[str, str]]:
    """The (value, shown name) of each country the select offers, in its order (the prompt left out)."""
    select = re.search(rf'<select[^>]*name="q_{question_id}"[^>]*>(.*?)</select>', html, re.S)
    assert select, "no country select"
    return [
        (value, name)
        for value, name in re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
        if value
    ]


def test_the_form_names_the_countries_in_chinese_in_pinyin_order(client, event, country):
    choices = offered(client.get(f"/events/{event.slug}", headers=ZH).get_data(as_text=True), country)
    names = dict(choices)
    assert names["CN"] == "中国" and names["DE"] == "德国" and names["US"] == "美国" and names["JP"] == "日本"
    order = [code for code, _name in choices]
    # 阿尔巴尼亚 (a) first; 德国 (de) before 法国 (fa) before 美国 (mei) before 日本 (ri) before 中国 (zhong)
    assert order[0] == "AL"
    assert order.index("DE") < order.index("FR") < order.index("US") < order.index("JP") < order.index("CN")
    assert not any(re.search(r"[A-Za-z]{3,}", name) for name in names.values()), "an English name left"
    assert len(choices) == 249


def test_the_form_names_them_in_english_for_english_readers(client, event, country):
    choices = offered(client.get(f"/events/{event.slug}", headers=EN).get_data(as_text=True), country)
    names = dict(choices)
    assert names["CN"] == "China" and names["DE"] == "Germany" and names["TW"] == "Taiwan"
    order = [code for code, _name in choices]
    assert order[:3] == ["AF", "AX", "AL"]  # Åland Islands read as "Aland"


def test_the_answer_chosen_in_chinese_is_stored_as_its_code(client, event, country):
    done = post_form(
        client,
        f"/events/{event.slug}/register",
        {"name": "王芳", "email": "wang.fang@zju.edu.cn", f"q_{country}": "DE"},
        headers=ZH,
    )
    assert done.status_code == 302, page(done).text()
    registration = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).one()
    assert registration.answers == {str(country): "DE"}


def test_the_organizer_reads_the_country_in_the_page_language(organizer, event, country, owner_headers):
    registration = register_attendee(
        event, RegistrationRequest(name="Ana Lima", email="ana@example.org", answers={str(country): "BR"})
    )
    one = f"/manage/events/{event.slug}/registrations/{registration.code}"
    assert "巴西" in page(organizer.get(one, headers=ZH)).text()
    assert "Brazil" in page(organizer.get(one, headers=EN)).text()

    listed = organizer.get(f"/manage/events/{event.slug}/registrations", headers=ZH, query_string={"col": country})
    assert re.search(r'<td data-label="Country you are from">\s*巴西\s*</td>', listed.get_data(as_text=True))

    [row] = csv_rows(organizer.get(f"/manage/events/{event.slug}/exports/registrations.csv", headers=ZH))
    assert row["Country you are from"] == "巴西"
    [row] = csv_rows(api(organizer, event, "registrations.csv", {**owner_headers, **EN}))
    assert row["Country you are from"] == "Brazil"
    api_answers = organizer.get(f"/api/v1/events/{event.slug}/registrations/{registration.code}", headers=owner_headers)
    assert {a["question_id"]: a["value"] for a in api_answers.get_json()["answers"]}[country] == "BR"  # the code
