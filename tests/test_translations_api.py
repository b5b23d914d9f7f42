"""The organizer's own texts in Chinese (the contract's `translations`): written and read through the
API, checked like the originals, merged text by text on PATCH, and read by attendees in their language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.mail.sender import send_due
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.api_helpers import assert_error, assert_validation
from tests.conftest import bearer, make_token, make_user
from tests.registration_helpers import YEAR

pytestmark = pytest.mark.both_databases
STARTS = datetime(YEAR, 9, 18, 1, 0, tzinfo=UTC)
CHINESE = {"name": "TECOM 杭州创业者大会", "description": "欢迎！\n\n- 人工智能\n- 硬件", "venue": "杭州国际人才中心"}


@pytest.fixture
def headers(app):
    return bearer(make_token(make_user()))


@pytest.fixture
def conference(client, headers):
    body = {
        "name": "TECOM Conf Hangzhou",
        "starts_at": STARTS.isoformat(),
        "ends_at": (STARTS + timedelta(hours=9)).isoformat(),
        "timezone": "Asia/Shanghai",
        "venue": "ITC Guigu",
        "address": "Xixi Road 1",
        "status": "published",
        "translations": {"zh-CN": CHINESE},
    }
    response = client.post("/api/v1/events", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_an_events_translations_come_back_and_patch_merges_them_text_by_text(client, headers, conference):
    assert conference["translations"] == {"zh-CN": {**CHINESE, "description": "欢迎！\n\n- 人工智能\n- 硬件"}}
    path = f"/api/v1/events/{conference['slug']}"
    changed = client.patch(
        path, json={"translations": {"zh-CN": {"venue": None, "tagline": "创业者的一天"}}}, headers=headers
    )
    assert changed.status_code == 200, changed.get_json()
    zh = changed.get_json()["translations"]["zh-CN"]
    assert zh == {"name": CHINESE["name"], "description": CHINESE["description"], "tagline": "创业者的一天"}
    cleared = client.patch(path, json={"translations": {"zh-CN": None}}, headers=headers)
    assert cleared.get_json()["translations"] == {}
    assert client.get(path, headers=headers).get_json()["name"] == "TECOM Conf Hangzhou"


@pytest.mark.parametrize(
    ("translations", "field"),
    [
        ({"fr": {"name": "Conférence"}}, "translations.fr"),
        ({"zh-CN": {"colour": "红"}}, "translations.zh-CN.colour"),
        ({"zh-CN": {"name": "x" * 201}}, "translations.zh-CN.name"),
        ({"zh-CN": {"name": "两行\n名字"}}, "translations.zh-CN.name"),
        ({"zh-CN": {"name": 7}}, "translations.zh-CN.name"),
        ({"zh-CN": "杭州"}, "translations.zh-CN"),
    ],
)
def test_bad_translations_are_refused_by_field(client, headers, conference, translations, field):
    response = client.patch(
        f"/api/v1/events/{conference['slug']}", json={"translations": translations}, headers=headers
    )
    assert_validation(response, field)


def test_translations_that_are_no_object_are_a_bad_request(client, headers, conference):
    response = client.patch(f"/api/v1/events/{conference['slug']}", json={"translations": ["zh-CN"]}, headers=headers)
    assert "translations" in assert_error(response, 400, "bad_request")["fields"]


def test_ticket_types_and_questions_translate_with_options_in_the_same_order(client, headers, conference):
    base = f"/api/v1/events/{conference['slug']}"
    ticket = client.post(
        f"{base}/ticket-types",
        json={"name": "Investor", "capacity": 5, "translations": {"zh-CN": {"name": "投资人"}}},
        headers=headers,
    )
    assert ticket.status_code == 201 and ticket.get_json()["translations"] == {"zh-CN": {"name": "投资人"}}
    question = {"label": "Your role", "kind": "select", "options": ["Founder", "Investor"]}
    wrong = {**question, "translations": {"zh-CN": {"label": "你的角色", "options": ["创始人"]}}}
    assert_validation(client.post(f"{base}/questions", json=wrong, headers=headers), "translations.zh-CN.options")
    right = {**question, "translations": {"zh-CN": {"label": "你的角色", "options": ["创始人", "投资人"]}}}
    created = client.post(f"{base}/questions", json=right, headers=headers)
    assert created.status_code == 201, created.get_json()
    patched = client.patch(
        f"{base}/questions/{created.get_json()['id']}",
        json={"translations": {"zh-CN": {"help_text": "选一个"}}},
        headers=headers,
    )
    assert patched.get_json()["translations"]["zh-CN"] == {
        "label": "你的角色",
        "options": ["创始人", "投资人"],
        "help_text": "选一个",
    }


def test_an_attendee_in_chinese_reads_the_events_chinese_texts_in_the_mail(app, smtp, client, conference):
    event = db.session.get(Event, conference["id"])
    register_attendee(event, RegistrationRequest("王芳", "wang@example.org", locale="zh-CN"))
    register_attendee(event, RegistrationRequest("Ana Souza", "ana@example.org", locale="en"))
    send_due()
    [chinese] = smtp.inbox.to("wang@example.org")
    assert chinese["Subject"] == "你的 TECOM 杭州创业者大会 门票"
    text = chinese.get_body(("plain",)).get_content()
    assert "杭州国际人才中心，Xixi Road 1" in text  # the address has no translation: the original
    [english] = smtp.inbox.to("ana@example.org")
    assert english["Subject"] == "Your ticket for TECOM Conf Hangzhou"
