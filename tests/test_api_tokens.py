"""Tokens: POST /api/v1/tokens, DELETE /api/v1/tokens/current, and how bearer tokens are judged."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from eventsys.auth.models import ApiToken, TokenKind
from eventsys.events.models import EventStatus
from eventsys.extensions import db
from eventsys.timeutil import utcnow
from tests.api_helpers import assert_error, assert_page, assert_timestamp_with_offset, assert_validation
from tests.conftest import PASSWORD, bearer, make_event, make_token, make_user

pytestmark = pytest.mark.both_databases


def new_token(client, email: str, password: str = PASSWORD, **extra):
    return client.post("/api/v1/tokens", json={"email": email, "password": password, **extra})


# --- POST /api/v1/tokens ---------------------------------------------------------------------


def test_create_token_returns_201_with_token_label_and_user(client):
    user = make_user(email="li.wei@example.org", name="Li Wei")
    response = new_token(client, "li.wei@example.org", label="Scanner laptop")
    assert response.status_code == 201, response.json
    assert response.mimetype == "application/json"
    body = response.json
    assert {"token", "label", "user"} <= set(body)
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    assert body["label"] == "Scanner laptop"
    assert body["user"]["email"] == user.email and body["user"]["name"] == "Li Wei"
    assert PASSWORD not in response.get_data(as_text=True)
    assert "password" not in body["user"] and "password_hash" not in body["user"]


def test_create_token_without_label_still_has_a_label(client):
    user = make_user()
    response = new_token(client, user.email)
    assert response.status_code == 201, response.json
    assert isinstance(response.json["label"], str)
    response = new_token(client, user.email, label=None)
    assert response.status_code == 201, response.json
    assert isinstance(response.json["label"], str)


def test_email_is_compared_case_insensitively(client):
    user = make_user(email="mixed@example.org")
    response = new_token(client, "  MIXED@Example.ORG ")
    assert response.status_code == 201, response.json
    assert response.json["user"]["email"] == user.email


def test_each_request_issues_a_new_token_and_all_of_them_work(client):
    user = make_user()
    first = new_token(client, user.email).json["token"]
    second = new_token(client, user.email).json["token"]
    assert first != second
    for token in (first, second):
        assert client.get("/api/v1/events", headers=bearer(token)).status_code == 200


def test_token_is_stored_hashed(client):
    user = make_user()
    token = new_token(client, user.email).json["token"]
    stored = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all()
    assert len(stored) == 1
    assert stored[0].kind == TokenKind.PERSONAL
    assert token not in (stored[0].token_hash, stored[0].label)


def test_wrong_password_is_401_invalid_credentials(client):
    user = make_user()
    assert_error(new_token(client, user.email, "not the password at all"), 401, "invalid_credentials")


def test_unknown_email_is_401_invalid_credentials_with_the_same_message(client):
    user = make_user()
    wrong_password = assert_error(new_token(client, user.email, "not the password"), 401, "invalid_credentials")
    unknown = assert_error(new_token(client, "nobody@example.org"), 401, "invalid_credentials")
    assert unknown["message"] == wrong_password["message"]  # does not reveal who has an account


def test_empty_password_is_401(client):
    user = make_user()
    assert_error(new_token(client, user.email, ""), 401, "invalid_credentials")


def test_missing_fields_are_422_with_fields(client):
    fields = assert_validation(client.post("/api/v1/tokens", json={}), "email", "password")
    assert set(fields) >= {"email", "password"}
    assert_validation(client.post("/api/v1/tokens", json={"email": "a@example.org"}), "password")


@pytest.mark.parametrize(
    "body",
    [
        {"email": 5, "password": PASSWORD},
        {"email": "a@example.org", "password": ["x"]},
        {"email": "a@example.org", "password": PASSWORD, "label": {"a": 1}},
    ],
)
def test_wrong_types_are_400(client, body):
    assert_error(client.post("/api/v1/tokens", json=body), 400)


def test_not_json_is_415_and_malformed_json_is_400(client):
    user = make_user()
    form = client.post("/api/v1/tokens", data={"email": user.email, "password": PASSWORD})
    assert_error(form, 415, "unsupported_media_type")
    broken = client.post("/api/v1/tokens", data='{"email": ', content_type="application/json")
    assert_error(broken, 400)
    assert_error(client.post("/api/v1/tokens", data="[]", content_type="application/json"), 400)


def test_a_valid_bearer_token_does_not_disturb_token_creation(client):
    user = make_user()
    token = make_token(user)
    response = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}, headers=bearer(token))
    assert response.status_code == 201


def test_wrong_methods_on_tokens_are_405_json(client):
    assert_error(client.put("/api/v1/tokens"), 405)
    assert_error(client.get("/api/v1/tokens/current"), 405)


# --- the token as Bearer ---------------------------------------------------------------------


def test_token_works_as_bearer_with_the_users_rights(client):
    user = make_user()
    other = make_user()
    own_draft = make_event(user, status=EventStatus.DRAFT)
    others_draft = make_event(other, status=EventStatus.DRAFT)
    token = new_token(client, user.email).json["token"]

    listed = client.get("/api/v1/events", headers=bearer(token))
    assert listed.status_code == 200
    assert_page(listed.json)
    slugs = {item["slug"] for item in listed.json["items"]}
    assert own_draft.slug in slugs and others_draft.slug not in slugs

    assert client.get(f"/api/v1/events/{own_draft.slug}", headers=bearer(token)).status_code == 200
    created = client.post(
        "/api/v1/events",
        json={"name": "Made with a token", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z"},
        headers=bearer(token),
    )
    assert created.status_code == 201, created.json


def test_bearer_scheme_is_case_insensitive(client):
    user = make_user()
    token = make_token(user)
    response = client.get("/api/v1/events", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


# --- DELETE /api/v1/tokens/current -------------------------------------------------------------


def test_delete_current_is_204_and_the_token_stops_working_everywhere(client):
    user = make_user()
    published = make_event(user)
    draft = make_event(user, status=EventStatus.DRAFT)
    token = new_token(client, user.email).json["token"]
    other_token = new_token(client, user.email).json["token"]

    response = client.delete("/api/v1/tokens/current", headers=bearer(token))
    assert response.status_code == 204
    assert response.get_data() == b""

    headers = bearer(token)
    # Even public reads: a presented revoked token is 401, not silently anonymous.
    assert_error(client.get("/api/v1/events", headers=headers), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/events/{published.slug}", headers=headers), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/events/{published.slug}/ticket-types", headers=headers), 401)
    assert_error(client.get(f"/api/v1/events/{draft.slug}", headers=headers), 401)
    assert_error(client.patch(f"/api/v1/events/{draft.slug}", json={"name": "x"}, headers=headers), 401)
    body = {"name": "Nope", "starts_at": "2030-01-01T10:00:00Z", "ends_at": "2030-01-01T12:00:00Z"}
    assert_error(client.post("/api/v1/events", json=body, headers=headers), 401)
    assert_error(client.delete("/api/v1/tokens/current", headers=headers), 401)
    # Even creating a new token: the bad header is judged first.
    assert_error(client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}, headers=headers), 401)

    # The user's other tokens are untouched.
    assert client.get(f"/api/v1/events/{draft.slug}", headers=bearer(other_token)).status_code == 200


def test_delete_current_without_a_token_is_401(client):
    assert_error(client.delete("/api/v1/tokens/current"), 401, "unauthorized")


def test_a_door_token_can_revoke_itself(client):
    user = make_user()
    event = make_event(user)
    door = make_token(user, TokenKind.DOOR, event)
    assert client.get(f"/api/v1/events/{event.slug}", headers=bearer(door)).status_code == 200
    assert client.delete("/api/v1/tokens/current", headers=bearer(door)).status_code == 204
    assert_error(client.get(f"/api/v1/events/{event.slug}", headers=bearer(door)), 401)


# --- unknown and malformed tokens --------------------------------------------------------------


def test_unknown_token_gets_401_on_public_gets(client):
    event = make_event()
    headers = bearer("esp_this-token-was-never-issued")
    assert_error(client.get("/api/v1/events", headers=headers), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/events/{event.slug}", headers=headers), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/events/{event.slug}/questions", headers=headers), 401)
    # Without the header the same reads are public.
    assert client.get("/api/v1/events").status_code == 200
    assert client.get(f"/api/v1/events/{event.slug}").status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Token {token}",
        "{token}",
        "Basic " + base64.b64encode(b"user:pass").decode(),
        "Bearer {token} extra",
        "Bearer {token}x",
        "Bearer x{token}",
        "Bearer " + "A" * 5000,
        "Bearer \u00e9\u00e8",
    ],
)
def test_malformed_authorization_header_is_401(client, header):
    user = make_user()
    event = make_event(user)
    token = make_token(user)
    headers = {"Authorization": header.format(token=token)}
    assert_error(client.get("/api/v1/events", headers=headers), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/events/{event.slug}", headers=headers), 401, "unauthorized")


# --- rate limiting (enabled for these tests only) ------------------------------------------------


class TestRateLimits:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute", "ACCOUNT_RATE_LIMIT": "5 per hour"}

    def test_too_many_attempts_from_one_address_are_429_with_retry_after(self, client):
        user = make_user()
        for n in range(3):
            assert new_token(client, f"guess{n}@example.org", "wrong password").status_code == 401
        response = new_token(client, user.email)  # even the right password, once limited
        assert_error(response, 429, "rate_limited")
        assert int(response.headers["Retry-After"]) > 0

    def test_too_many_attempts_on_one_account_are_429_whatever_the_address(self, client):
        user = make_user()
        for n in range(5):
            response = client.post(
                "/api/v1/tokens",
                json={"email": user.email, "password": "wrong password"},
                environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},
            )
            assert response.status_code == 401
        response = client.post(
            "/api/v1/tokens",
            json={"email": user.email.upper(), "password": PASSWORD},
            environ_base={"REMOTE_ADDR": "10.0.1.1"},
        )
        assert_error(response, 429, "rate_limited")
        assert "Retry-After" in response.headers

    def test_deeply_nested_json_is_400_with_the_limiter_reading_the_body(self, client):
        response = client.post("/api/v1/tokens", data="[" * 100_000, content_type="application/json")
        assert_error(response, 400)


# --- GET /api/v1/tokens, DELETE /api/v1/tokens/{id} ----------------------------------------------


def test_list_shows_the_callers_personal_tokens_and_never_a_token(client):
    user = make_user()
    event = make_event(user)
    first = new_token(client, user.email, label="Laptop").json["token"]
    second = new_token(client, user.email, label="CI").json["token"]
    make_token(user, TokenKind.DOOR, event, label="North door")  # a door token is listed per event
    make_token(make_user(), label="Someone else's")
    revoked = new_token(client, user.email, label="Old").json["token"]
    client.delete("/api/v1/tokens/current", headers=bearer(revoked))

    response = client.get("/api/v1/tokens", headers=bearer(second))
    assert response.status_code == 200
    body = response.json
    assert_page(body)
    assert body["total"] == 2
    assert [item["label"] for item in body["items"]] == ["Laptop", "CI"]
    for item in body["items"]:
        assert {"id", "label", "created_at", "last_used_at"} <= set(item)
        assert_timestamp_with_offset(item["created_at"])
    text = response.get_data(as_text=True)
    assert first not in text and second not in text
    assert [item["current"] for item in body["items"]] == [False, True]


def test_list_is_paginated(client):
    user = make_user()
    tokens = [make_token(user, label=f"token {n}") for n in range(5)]
    body = client.get("/api/v1/tokens?per_page=2&page=2", headers=bearer(tokens[0])).json
    assert (body["total"], body["page"], body["per_page"]) == (5, 2, 2)
    assert [item["label"] for item in body["items"]] == ["token 2", "token 3"]


def test_listing_needs_a_personal_token(client):
    user = make_user()
    door = make_token(user, TokenKind.DOOR, make_event(user))
    assert_error(client.get("/api/v1/tokens"), 401, "unauthorized")
    assert_error(client.get("/api/v1/tokens", headers=bearer(door)), 403, "forbidden")


def test_last_used_at_is_recorded_at_most_once_a_minute(client):
    user = make_user()
    token = make_token(user, label="script")
    listed = client.get("/api/v1/tokens", headers=bearer(make_token(user, label="lister"))).json["items"]
    assert [item["last_used_at"] for item in listed if item["label"] == "script"] == [None]
    client.get("/api/v1/events", headers=bearer(token))
    row = db.session.scalar(select(ApiToken).where(ApiToken.label == "script"))
    db.session.refresh(row)
    first_use = row.last_used_at
    assert first_use is not None and utcnow() - first_use < timedelta(seconds=30)
    client.get("/api/v1/events", headers=bearer(token))
    db.session.refresh(row)
    assert row.last_used_at == first_use  # a second later: no write
    earlier = utcnow() - timedelta(minutes=2)
    db.session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=earlier))
    db.session.commit()
    client.get("/api/v1/events", headers=bearer(token))
    db.session.refresh(row)
    assert row.last_used_at > earlier + timedelta(minutes=1)


def test_a_door_token_records_no_last_use(client):
    user = make_user()
    event = make_event(user)
    door = make_token(user, TokenKind.DOOR, event, label="North door")
    response = client.post(f"/api/v1/events/{event.slug}/checkins", json={"code": "ABCD-EFGH"}, headers=bearer(door))
    assert response.status_code == 200
    stored = db.session.scalar(select(ApiToken).where(ApiToken.kind == TokenKind.DOOR))
    assert stored.last_used_at is None


def test_delete_one_token_is_204_and_only_that_token_stops_working(client):
    user = make_user()
    keep = make_token(user, label="keep")
    drop = make_token(user, label="drop")
    listed = client.get("/api/v1/tokens", headers=bearer(keep)).json["items"]
    drop_id = next(item["id"] for item in listed if item["label"] == "drop")
    response = client.delete(f"/api/v1/tokens/{drop_id}", headers=bearer(keep))
    assert response.status_code == 204 and response.get_data() == b""
    assert_error(client.get("/api/v1/events", headers=bearer(drop)), 401, "unauthorized")
    assert client.get("/api/v1/events", headers=bearer(keep)).status_code == 200
    assert [item["label"] for item in client.get("/api/v1/tokens", headers=bearer(keep)).json["items"]] == ["keep"]
    assert_error(client.delete(f"/api/v1/tokens/{drop_id}", headers=bearer(keep)), 404, "not_found")


def test_delete_is_404_for_another_users_token_a_door_token_or_an_unknown_id(client):
    user = make_user()
    other = make_user()
    event = make_event(user)
    token = make_token(user)
    theirs = make_token(other, label="theirs")
    make_token(user, TokenKind.DOOR, event, label="North door")
    ids = {t.label: t.id for t in db.session.scalars(select(ApiToken))}
    for token_id in (ids["theirs"], ids["North door"], 999_999, 2**40):
        assert_error(client.delete(f"/api/v1/tokens/{token_id}", headers=bearer(token)), 404, "not_found")
    assert client.get("/api/v1/events", headers=bearer(theirs)).status_code == 200
    assert_error(client.delete(f"/api/v1/tokens/{ids['theirs']}"), 401, "unauthorized")
