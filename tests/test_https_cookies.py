"""Behind HTTPS (SESSION_COOKIE_SECURE=true) every cookie is Secure and browsers are told to keep to HTTPS."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, csrf_token, make_user


def _log_in_remembered(client):
    user = make_user()
    data = {"csrf_token": csrf_token(client, "/login"), "email": user.email, "password": PASSWORD, "remember": "y"}
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


class TestBehindHttps:
    @pytest.fixture
    def app_config(self) -> dict:
        return {"SESSION_COOKIE_SECURE": True}

    def test_the_session_and_remember_cookies_are_secure(self, client):
        cookies = _log_in_remembered(client)
        assert set(cookies) >= {"session", "remember_token"}
        for name in ("session", "remember_token"):
            assert "; Secure" in cookies[name], cookies[name]
            assert "; HttpOnly" in cookies[name]

    def test_pages_and_api_answers_carry_strict_transport_security(self, client):
        for path in ("/", "/login", "/api/v1/events"):
            assert client.get(path).headers["Strict-Transport-Security"] == "max-age=31536000"


def test_without_https_cookies_are_not_secure_and_no_hsts_is_sent(client):
    cookies = _log_in_remembered(client)
    assert "; Secure" not in cookies["remember_token"]
    assert "Strict-Transport-Security" not in client.get("/").headers
