"""The last English a Chinese reader met: the default ticket type's name, and the API's own error messages
(404, 405, 413, 415, 500), which follow Accept-Language while their machine codes never change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from eventsys.authorization import PUBLIC, ROUTES
from tests.conftest import make_user
from tests.html_pages import page
from tests.registration_helpers import YEAR

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
STARTS = datetime(YEAR, 9, 18, 1, 0, tzinfo=UTC)


def new_event(client, headers) -> dict:
    body = {
        "name": "TECOM Conf Hangzhou",
        "starts_at": STARTS.isoformat(),
        "ends_at": (STARTS + timedelta(hours=9)).isoformat(),
        "timezone": "Asia/Shanghai",
        "status": "published",
    }
    response = client.post("/api/v1/events", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


# --- the default ticket type ----------------------------------------------------------------------


@pytest.mark.both_databases
def test_a_new_events_ticket_type_reads_chinese_for_chinese_visitors(client, owner_headers):
    event = new_event(client, {**owner_headers, **EN})  # created by an English-speaking organizer
    [general] = client.get(f"/api/v1/events/{event['slug']}").get_json()["ticket_types"]
    assert general["name"] == "General admission"  # the contract's name, unchanged
    assert general["translations"] == {"zh-CN": {"name": "普通票"}}

    chinese = page(client.get(f"/events/{event['slug']}", headers=ZH)).text()
    assert "普通票" in chinese and "General admission" not in chinese
    assert "General admission" in page(client.get(f"/events/{event['slug']}", headers=EN)).text()


def test_renaming_the_default_ticket_type_drops_its_chinese_default_name(client, owner_headers):
    event = new_event(client, owner_headers)
    [general] = event["ticket_types"]
    path = f"/api/v1/events/{event['slug']}/ticket-types/{general['id']}"
    kept = client.patch(path, json={"capacity": 50}, headers=owner_headers).get_json()
    assert kept["translations"] == {"zh-CN": {"name": "普通票"}}

    renamed = client.patch(path, json={"name": "Early bird"}, headers=owner_headers).get_json()
    assert renamed["name"] == "Early bird" and renamed["translations"] == {}  # 普通票 no longer says it
    chinese = page(client.get(f"/events/{event['slug']}", headers=ZH)).text()
    assert "Early bird" in chinese and "普通票" not in chinese


# --- the API's error messages ---------------------------------------------------------------------


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    return response.get_json()["error"]


def test_an_unknown_api_address_answers_in_the_callers_language(client):
    assert error_of(client.get("/api/v1/no-such-thing", headers=ZH), 404) == {
        "code": "not_found",
        "message": "这里什么都没有，请检查网址。",
    }
    assert error_of(client.get("/api/v1/no-such-thing", headers=EN), 404) == {
        "code": "not_found",
        "message": "Nothing is here. Check the address.",
    }
    assert error_of(client.get("/api/v1/no-such-thing"), 404)["message"] == "Nothing is here. Check the address."


def test_a_wrong_method_a_large_body_and_no_json_are_said_in_chinese(client):
    wrong = client.put("/api/v1/tokens", json={}, headers=ZH)
    assert error_of(wrong, 405) == {"code": "method_not_allowed", "message": "此网址不支持该请求方法。"}
    assert "POST" in wrong.headers["Allow"]

    large = client.post(
        "/api/v1/tokens", data=b"{" + b" " * (1024 * 1024 + 10) + b"}", headers=ZH, content_type="application/json"
    )
    assert error_of(large, 413) == {"code": "payload_too_large", "message": "请求内容过大。"}

    plain = client.post("/api/v1/tokens", data="email=a", headers=ZH, content_type="text/plain")
    assert error_of(plain, 415) == {
        "code": "unsupported_media_type",
        "message": "请求体请使用 JSON（Content-Type: application/json）。",
    }


def test_a_crash_is_said_in_the_callers_language_without_a_trace(app: Flask, client, monkeypatch):
    def broken():
        raise RuntimeError("a bug of ours")

    app.add_url_rule("/api/v1/broken", "broken", broken)
    monkeypatch.setitem(ROUTES, "broken", PUBLIC)  # a route without a row would be refused first
    chinese = client.get("/api/v1/broken", headers=ZH)
    assert error_of(chinese, 500) == {"code": "internal_error", "message": "我们这边出了问题，与你的操作无关，请重试。"}
    english = error_of(client.get("/api/v1/broken", headers=EN), 500)
    assert english["message"] == "Something went wrong on our side. Nothing you did; please try again."
    assert "a bug of ours" not in chinese.get_data(as_text=True)


def test_a_domain_error_keeps_its_code_in_both_languages(client):
    user = make_user()
    bad = {"email": user.email, "password": "wrong password"}
    chinese = error_of(client.post("/api/v1/tokens", json=bad, headers=ZH), 401)
    english = error_of(client.post("/api/v1/tokens", json=bad, headers=EN), 401)
    assert chinese["code"] == english["code"] == "invalid_credentials"
    assert chinese["message"] != english["message"]
