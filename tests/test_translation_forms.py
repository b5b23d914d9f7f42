"""Organizers write their event's texts in Chinese on the same forms: a twin ``zh_<text>`` beside each
translatable text, read back by visitors in Chinese, falling back field by field to the original."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsys.events.models import Event
from eventsys.events.services import QuestionDetails, add_question
from eventsys.extensions import db
from tests.conftest import make_event, make_user, post_form, signed_in_organizer
from tests.html_pages import assert_form_page_is_accessible, location_path, page
from tests.test_events_views import event_form, reload

CHINESE_EVENT = {
    "zh_name": "杭州创业者之夜",
    "zh_tagline": "创业者与投资人相聚",
    "zh_description": "演讲和晚宴。\n\n- 签到\n- 交流",
    "zh_venue": "杭州国际博览中心",
    "zh_address": "杭州市西湖区",
}
QUESTION = {"label": "Your role", "kind": "select", "options": "Founder\nInvestor\nCommunity", "help_text": "Pick one"}
CHINESE_QUESTION = {"zh_label": "你的角色", "zh_help_text": "选一个", "zh_options": "创始人\n投资人\n社区"}


def test_the_new_event_form_has_a_labelled_chinese_twin_for_each_text(client):
    signed_in_organizer(client)
    doc = page(client.get("/manage/events/new?lang=zh-CN"))
    assert_form_page_is_accessible(doc)
    for name in CHINESE_EVENT:
        assert doc.control(name)["lang"] == "zh-CN"
        assert doc.control(name)["aria-describedby"] == f"{name}-help"
        assert doc.texts[f"{name}-help"] == "留空则显示原文。"
    assert '<label for="zh_name">名称（中文）</label>' in doc.html
    assert doc.control("zh_description")["tag"] == "textarea"
    english = page(client.get("/manage/events/new?lang=en"))
    assert '<label for="zh_venue">Venue in Chinese</label>' in english.html
    assert english.texts["zh_venue-help"] == "Leave empty to show the original."


def test_an_event_created_with_chinese_texts_shows_them_to_chinese_readers_only(client):
    signed_in_organizer(client)
    response = post_form(client, "/manage/events/new", event_form(**CHINESE_EVENT))
    assert location_path(response) == "/manage/events/hangzhou-founders-night"
    client.get(response.headers["Location"])  # the dashboard, with its flash message
    event = db.session.scalar(select(Event))
    assert event.translations["zh-CN"]["name"] == "杭州创业者之夜"

    chinese = page(client.get("/events/hangzhou-founders-night?lang=zh-CN")).text()
    for text in ("杭州创业者之夜", "创业者与投资人相聚", "演讲和晚宴。", "签到", "杭州国际博览中心", "杭州市西湖区"):
        assert text in chinese
    assert "Hangzhou Founders Night" not in chinese and "ITC Guigu" not in chinese
    english = page(client.get("/events/hangzhou-founders-night?lang=en")).text()
    assert "Hangzhou Founders Night" in english and "Builders meet investors" in english
    assert "ITC Guigu International Center" in english and "杭州" not in english


@pytest.mark.both_databases
def test_editing_shows_the_chinese_texts_and_an_emptied_one_falls_back_to_the_original(client):
    signed_in_organizer(client)
    post_form(client, "/manage/events/new", event_form(**CHINESE_EVENT))
    edit = page(client.get("/manage/events/hangzhou-founders-night/edit"))
    for name, typed in CHINESE_EVENT.items():
        assert edit.value(name) == typed

    changed = {**CHINESE_EVENT, "zh_venue": "", "zh_tagline": "  新的一句话  "}
    response = post_form(client, "/manage/events/hangzhou-founders-night/edit", event_form(**changed))
    assert location_path(response) == "/manage/events/hangzhou-founders-night"
    event = db.session.scalar(select(Event))
    assert "venue" not in reload(event).translations["zh-CN"]
    chinese = page(client.get("/events/hangzhou-founders-night?lang=zh-CN")).text()
    assert "ITC Guigu International Center" in chinese and "杭州国际博览中心" not in chinese
    assert "新的一句话" in chinese and "杭州创业者之夜" in chinese
    assert page(client.get("/manage/events/hangzhou-founders-night/edit")).value("zh_venue") == ""


def test_a_chinese_text_the_service_refuses_shows_beside_its_twin_with_all_that_was_typed(client):
    signed_in_organizer(client)
    typed = {**CHINESE_EVENT, "zh_venue": "杭州\u0007博览中心"}  # a control character: not a single line of text
    response = post_form(client, "/manage/events/new", event_form(**typed))
    assert response.status_code == 422
    doc = page(response)
    assert doc.fields_with_errors() == {"zh_venue"}
    assert doc.control("zh_venue")["aria-describedby"] == "zh_venue-help zh_venue-error"
    assert doc.value("zh_name") == "杭州创业者之夜" and doc.value("name") == "Hangzhou Founders Night"
    assert doc.value("zh_description") == CHINESE_EVENT["zh_description"]
    assert db.session.scalar(select(Event)) is None


def test_a_ticket_type_and_a_question_in_chinese_appear_on_the_chinese_registration_form(client):
    owner = signed_in_organizer(client)
    event = make_event(owner, name="Founders Night")
    base = f"/manage/events/{event.slug}"
    response = post_form(
        client, f"{base}/ticket-types", {"name": "Investor", "zh_name": "投资人票", "zh_description": "含晚宴"}
    )
    assert location_path(response) == base
    response = post_form(client, f"{base}/questions", {**QUESTION, **CHINESE_QUESTION})
    assert location_path(response) == base

    dashboard = page(client.get(base))
    assert dashboard.text().count("In Chinese too") == 3  # 普通票, the new ticket type, the question
    chinese = page(client.get(f"/events/{event.slug}?lang=zh-CN"))
    text = chinese.text()
    for shown in ("投资人票", "含晚宴", "你的角色", "选一个", "创始人", "投资人", "社区"):
        assert shown in text
    assert "Your role" not in text and "Pick one" not in text
    assert 'value="Founder"' in chinese.html  # the answer stored stays the original option
    english = page(client.get(f"/events/{event.slug}?lang=en")).text()
    assert "Investor" in english and "Your role" in english and "创始人" not in english


def test_editing_a_question_fills_its_chinese_and_can_clear_it(client):
    owner = signed_in_organizer(client)
    event = make_event(owner)
    base = f"/manage/events/{event.slug}"
    post_form(client, f"{base}/questions", {**QUESTION, **CHINESE_QUESTION})
    question = reload(event).questions[0]
    edit = page(client.get(f"{base}/questions/{question.id}"))
    assert_form_page_is_accessible(edit)
    assert edit.value("zh_label") == "你的角色" and edit.value("zh_options") == "创始人\n投资人\n社区"

    cleared = {**QUESTION, **CHINESE_QUESTION, "zh_help_text": "", "zh_options": ""}
    assert location_path(post_form(client, f"{base}/questions/{question.id}", cleared)) == base
    text = page(client.get(f"/events/{event.slug}?lang=zh-CN")).text()
    assert "你的角色" in text and "Pick one" in text and "Investor" in text and "投资人" not in text


def test_a_wrong_number_of_chinese_options_shows_beside_them_and_keeps_what_was_typed(client):
    owner = signed_in_organizer(client)
    event = make_event(owner)
    base = f"/manage/events/{event.slug}"
    typed = {**QUESTION, **CHINESE_QUESTION, "zh_options": "创始人\n投资人"}
    response = post_form(client, f"{base}/questions", typed)
    assert response.status_code == 422
    doc = page(response)
    assert doc.fields_with_errors() == {"zh_options"}
    assert "3" in doc.error("zh_options")
    assert doc.value("zh_options") == "创始人\n投资人" and doc.value("zh_label") == "你的角色"
    assert doc.value("options") == QUESTION["options"] and doc.value("label") == "Your role"
    assert reload(event).questions == []

    post_form(client, f"{base}/questions", {**QUESTION, **CHINESE_QUESTION})
    question = reload(event).questions[0]
    response = post_form(client, f"{base}/questions/{question.id}", {**typed, "zh_options": "创始人"})
    assert response.status_code == 422
    doc = page(response)
    assert doc.fields_with_errors() == {"zh_options"} and doc.value("zh_options") == "创始人"
    assert reload(question).translations["zh-CN"]["options"] == ["创始人", "投资人", "社区"]


def test_chinese_options_of_a_question_without_options_are_left_out_as_the_originals(client):
    owner = signed_in_organizer(client)
    event = make_event(owner)
    typed = {**QUESTION, **CHINESE_QUESTION, "kind": "text"}
    response = post_form(client, f"/manage/events/{event.slug}/questions", typed)
    assert location_path(response) == f"/manage/events/{event.slug}"
    question = reload(event).questions[0]
    assert question.options == [] and question.translations == {"zh-CN": {"label": "你的角色", "help_text": "选一个"}}


def test_editing_a_ticket_type_fills_its_chinese_and_an_emptied_name_falls_back(client):
    owner = signed_in_organizer(client)
    event = make_event(owner)
    ticket_type = event.ticket_types[0]
    path = f"/manage/events/{event.slug}/ticket-types/{ticket_type.id}"
    assert location_path(post_form(client, path, {"name": "Founder", "zh_name": "创始人票"}))
    edit = page(client.get(path))
    assert_form_page_is_accessible(edit)
    assert edit.value("zh_name") == "创始人票" and edit.value("zh_description") == ""
    assert "创始人票" in page(client.get(f"/events/{event.slug}?lang=zh-CN")).text()

    too_long = post_form(client, path, {"name": "Founder", "zh_name": "创" * 121})
    assert too_long.status_code == 422
    assert page(too_long).fields_with_errors() == {"zh_name"}

    assert location_path(post_form(client, path, {"name": "Founder", "zh_name": ""}))
    assert reload(ticket_type).translations == {}
    assert "Founder" in page(client.get(f"/events/{event.slug}?lang=zh-CN")).text()


def test_another_organizer_cannot_post_chinese_texts_to_these_forms(client):
    event = make_event(make_user())
    question = add_question(event, QuestionDetails("Your role", "select", options=["Founder", "Investor", "Community"]))
    signed_in_organizer(client)  # someone else
    base = f"/manage/events/{event.slug}"
    ticket_type = event.ticket_types[0]
    attempts = {
        f"{base}/edit": event_form(**CHINESE_EVENT),
        f"{base}/ticket-types": {"name": "Investor", "zh_name": "投资人票"},
        f"{base}/ticket-types/{ticket_type.id}": {"name": "Investor", "zh_name": "投资人票"},
        f"{base}/questions": {**QUESTION, **CHINESE_QUESTION},
        f"{base}/questions/{question.id}": {**QUESTION, **CHINESE_QUESTION},
    }
    for path, data in attempts.items():
        assert post_form(client, path, data).status_code == 403, path
    event = reload(event)
    assert event.translations == {} and len(event.questions) == 1 and len(event.ticket_types) == 1
    assert event.ticket_types[0].translations == {"zh-CN": {"name": "普通票"}}  # as created, untouched
    assert event.questions[0].translations == {}
