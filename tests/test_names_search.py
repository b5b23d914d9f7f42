"""Names in any script at the door and in the back office: one Chinese character looks a person
up, pinyin finds a Chinese name, and the name order puts 王芳 beside Wang Fang (issue 9, part 3)."""

from __future__ import annotations

import pytest

from eventsys.auth.models import TokenKind
from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question
from eventsys.registration import tickets
from eventsys.registration.services import RegistrationEdit, RegistrationRequest, edit_registration, register_attendee
from tests.checkin_helpers import open_door_link
from tests.conftest import make_token

pytestmark = pytest.mark.both_databases

NAMES = ("Zhang Wei", "Wang Fang", "王芳", "Émilie Dupont", "张伟", "Ana Souza", "王小明", "Li Wei")


@pytest.fixture
def crowd(event, monkeypatch):
    """Eight people; Ana's answer and e-mail address hold 王 and wang, her name neither. Their
    codes are digits (2222-2345 …), so that no random code holds the letters searched for."""
    digits = iter(range(2, 10))
    monkeypatch.setattr(tickets, "new_short_code", lambda: f"{next(digits)}222-2345")
    hometown = add_question(event, QuestionDetails("Hometown", QuestionKind.TEXT))
    people = {}
    for number, name in enumerate(NAMES):
        email = "wang.ana@example.org" if name == "Ana Souza" else f"person{number}@example.org"
        answers = {str(hometown.id): "王府井" if name == "Ana Souza" else "Hangzhou"}
        people[name] = register_attendee(event, RegistrationRequest(name, email, answers=answers))
    return people


@pytest.fixture
def door(app, event):
    """A gate's browser, signed in with a door link: look(q) → the names its look-up finds."""
    browser = app.test_client()
    config = open_door_link(browser, f"/door/{make_token(event.owner, TokenKind.DOOR, event, label='North door')}")

    def look(q: str) -> list[str]:
        response = browser.get(config["lookup_url"], query_string={"q": q})
        assert response.status_code == 200
        return [item["name"] for item in response.get_json()["items"]]

    return look


def test_one_chinese_character_finds_the_names_that_hold_it_at_the_door(crowd, door):
    assert door("王") == ["王芳", "王小明"]  # in name order: wang fang, wang xiao ming
    assert door(" 张 ") == ["张伟"]
    assert door("府") == []  # in Ana's answer only: a gate reads names and codes
    assert door("小明") == ["王小明"] and door("芳小") == []  # two characters: side by side in the name


def test_one_latin_letter_is_still_too_little_at_the_door(crowd, door):
    assert door("w") == [] and door("a") == []
    assert door("wa") == ["Wang Fang", "王芳", "王小明"]


def test_a_code_is_found_at_the_door_from_its_start_not_from_its_middle(event, door, monkeypatch):
    codes = iter(["HWAX-3456", "WAXY-3456"])
    monkeypatch.setattr(tickets, "new_short_code", lambda: next(codes))
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    register_attendee(event, RegistrationRequest("Zhang Wei", "zhang@example.org"))
    assert door("wa") == ["Zhang Wei"] and door("waxy-3") == ["Zhang Wei"]
    assert door("hwax") == ["Li Wei"] and door("wax") == ["Zhang Wei"]


def test_pinyin_finds_chinese_names_at_the_door_beside_the_same_name_in_latin_letters(crowd, door):
    assert door("wang") == ["Wang Fang", "王芳", "王小明"]  # not Ana, whose address says wang
    assert door("WANG FANG") == ["Wang Fang", "王芳"]
    assert door("wangfang") == ["王芳"]  # run together: the pinyin of a Chinese name
    assert door("xiaoming") == ["王小明"]
    assert door("emilie") == ["Émilie Dupont"]  # without its accent


def test_the_name_order_puts_chinese_names_among_latin_ones_by_pinyin(client, event, crowd, owner_headers):
    def listed(query: str) -> list[str]:
        response = client.get(f"/api/v1/events/{event.slug}/registrations{query}", headers=owner_headers)
        assert response.status_code == 200
        return [item["name"] for item in response.get_json()["items"]]

    in_order = ["Ana Souza", "Émilie Dupont", "Li Wei", "Wang Fang", "王芳", "王小明", "Zhang Wei", "张伟"]
    assert listed("?sort=name") == in_order
    assert listed("?sort=-name") == in_order[::-1]
    assert listed("?q=wang&sort=name") == ["Ana Souza", "Wang Fang", "王芳", "王小明"]  # the organizer reads addresses


def test_a_renamed_registration_sorts_and_is_found_by_its_new_name(event, crowd, door, organizer):
    edit_registration(crowd["王芳"], RegistrationEdit(name="李芳"))
    assert door("wang fang") == ["Wang Fang"]
    assert door("li fang") == ["李芳"]
    page = organizer.get(f"/manage/events/{event.slug}/registrations?sort=name").get_data(as_text=True)
    shown = [name for name in ("Émilie Dupont", "李芳", "Li Wei", "Wang Fang") if name in page]
    assert sorted(shown, key=page.index) == ["Émilie Dupont", "李芳", "Li Wei", "Wang Fang"]
