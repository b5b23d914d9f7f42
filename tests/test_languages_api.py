"""The API speaks the caller's language too (the contract's "Languages"): an error's `message` and its
field messages, and the door's verdict, follow Accept-Language; the machine codes never change."""

from __future__ import annotations

import pytest

from eventsys.events.services import add_ticket_type
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.registration.tickets import qr_payload_of
from tests.api_helpers import assert_error, assert_validation
from tests.checkin_helpers import DAY, attendee
from tests.conftest import make_event, post_form
from tests.html_pages import page
from tests.registration_helpers import add_every_question

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}


def register(client, event, headers=None, **fields):
    body = {"name": "", "email": "li.wei@example.cn", **fields}
    return client.post(f"/api/v1/events/{event.slug}/registrations", json=body, headers=headers or {})


def test_a_422_speaks_chinese_and_keeps_its_code(client, event):
    question = add_every_question(event, required=("text",))["text"]
    response = register(client, event, ZH)
    fields = assert_validation(response, "name", f"answers.{question.id}")
    error = response.get_json()["error"]
    assert error["code"] == "validation_failed"
    assert error["message"] == "部分字段缺失或无效。"
    assert fields["name"] == ["请输入姓名。"]
    assert fields[f"answers.{question.id}"] == ["此问题必须回答。"]


def test_without_accept_language_the_api_stays_english(client, event):
    question = add_every_question(event, required=("text",))["text"]
    response = register(client, event)
    fields = assert_validation(response, "name", f"answers.{question.id}")
    assert response.get_json()["error"]["message"] == "Some fields are missing or invalid."
    assert fields["name"] == ["Enter your name."]
    assert fields[f"answers.{question.id}"] == ["This question needs an answer."]


def test_malformed_bodies_and_unknown_things_answer_in_chinese(client, event):
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations", data="{", content_type="application/json", headers=ZH
    )
    assert assert_error(response, 400, "bad_request")["message"] == "请求体不是有效的 JSON。"
    response = client.post(
        f"/api/v1/events/{event.slug}/registrations", json={"name": 7, "email": "a@example.cn"}, headers=ZH
    )
    error = assert_error(response, 400, "bad_request")
    assert error["message"] == "部分字段类型错误。" and error["fields"]["name"] == ["必须是字符串。"]
    response = client.get("/api/v1/events/no-such-event", headers=ZH)
    assert assert_error(response, 404, "not_found")["code"] == "not_found"


def test_sold_out_names_the_ticket_type_in_chinese(client, event, owner_headers):
    investor = add_ticket_type(event, "Investor", 1)
    first = register(client, event, name="Li Wei", ticket_type_id=investor.id)
    assert first.status_code == 201, first.get_data(as_text=True)
    general = next(t for t in event.ticket_types if t.id != investor.id)
    other = register(client, event, name="Wang Fang", email="wang.fang@example.cn", ticket_type_id=general.id)
    assert other.status_code == 201, other.get_data(as_text=True)
    response = client.patch(
        f"/api/v1/events/{event.slug}/registrations/{other.get_json()['code']}",
        json={"ticket_type_id": investor.id},
        headers={**owner_headers, **ZH},
    )
    error = assert_error(response, 409, "sold_out")
    assert error["message"] == "“Investor”已无余票。"


@pytest.mark.parametrize(
    ("headers", "welcome", "again"),
    [
        (ZH, "欢迎，Li Wei", "已于 09:04 在 North door 签到"),
        ({}, "Welcome, Li Wei", "Already checked in at 09:04 at North door"),
    ],
)
def test_the_doors_verdict_follows_the_scanners_language(client, event, gate, headers, welcome, again):
    li = attendee(event, "Li Wei")
    url = f"/api/v1/events/{event.slug}/checkins"
    first = client.post(url, json={"code": li.code, "scanned_at": f"{DAY}T09:04:00+08:00"}, headers={**gate, **headers})
    assert (first.get_json()["result"], first.get_json()["message"]) == ("ok", welcome)
    second = client.post(url, json={"code": qr_payload_of(li)}, headers={**gate, **headers}).get_json()
    assert (second["result"], second["message"]) == ("already_checked_in", again)


# --- the same words on the pages ------------------------------------------------------------------


def test_the_registration_page_shows_the_domains_messages_in_chinese(client):
    event = make_event(capacity=10, waitlist=False)
    vip = add_ticket_type(event, "VIP", capacity=1)
    register_attendee(event, RegistrationRequest("First", "first@example.org", ticket_type_id=vip.id))
    data = {"name": "Li Wei", "email": "li@example.org", "ticket_type_id": vip.id}
    response = post_form(client, f"/events/{event.slug}/register", data, headers=ZH)
    assert response.status_code == 409
    doc = page(response)
    assert "该票种已售罄。" in doc.text() and "This ticket type is sold out." not in doc.text()
    assert '<html lang="zh-CN"' in doc.html


def test_lang_in_the_address_chooses_the_verdicts_language_too(client, event, gate):
    li = attendee(event, "Li Wei")
    response = client.post(f"/api/v1/events/{event.slug}/checkins?lang=zh-CN", json={"code": li.code}, headers=gate)
    assert response.get_json()["message"] == "欢迎，Li Wei"
