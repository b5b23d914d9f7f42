"""Login and token creation are rate limited per address and per account."""

import pytest

from tests.conftest import PASSWORD, csrf_token, make_user


@pytest.fixture
def app_config():
    return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute", "ACCOUNT_RATE_LIMIT": "5 per hour"}


def _token_request(client, email, address="192.0.2.1", password="wrong password"):
    return client.post(
        "/api/v1/tokens", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_token_endpoint_limits_one_address(client):
    user = make_user()
    statuses = [_token_request(client, user.email).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    limited = _token_request(client, user.email, password=PASSWORD)
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    assert limited.json["error"]["code"] == "rate_limited"
    # Another address is not affected by the first one's limit.
    assert _token_request(client, user.email, address="192.0.2.2", password=PASSWORD).status_code == 201


def test_token_endpoint_limits_one_account_across_addresses(client):
    user = make_user()
    for number in range(5):
        assert _token_request(client, user.email, address=f"198.51.100.{number}").status_code == 401
    blocked = _token_request(client, user.email, address="198.51.100.99", password=PASSWORD)
    assert blocked.status_code == 429
    # The e-mail address is compared case-insensitively for the limit too.
    assert _token_request(client, user.email.upper(), address="198.51.100.98").status_code == 429
    other = make_user()
    assert _token_request(client, other.email, address="198.51.100.97", password=PASSWORD).status_code == 201


def test_login_form_is_rate_limited(client):
    user = make_user()
    token = csrf_token(client, "/login")
    for _ in range(3):
        response = client.post("/login", data={"csrf_token": token, "email": user.email, "password": "nope"})
        assert response.status_code == 422
    response = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Retry-After" in response.headers
    assert "Too many requests" in response.get_data(as_text=True)


def _login_attempt(client, token, email, address, password="wrong password"):
    data = {"csrf_token": token, "email": email, "password": password}
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": address})


def test_login_form_limits_one_account_across_addresses(client):
    """Guesses spread over many addresses still meet the account's limit (here 5 an hour)."""
    user = make_user()
    token = csrf_token(client, "/login")
    statuses = [_login_attempt(client, token, user.email, f"203.0.113.{n % 7}").status_code for n in range(12)]
    assert statuses == [422] * 5 + [429] * 7
    # Even the right password waits, in any case of the address; another account is not held up.
    assert _login_attempt(client, token, user.email.upper(), "203.0.113.50", PASSWORD).status_code == 429
    other = make_user()
    assert _login_attempt(client, token, other.email, "203.0.113.51", PASSWORD).status_code == 302


def test_the_login_page_and_the_token_endpoint_count_into_one_account_limit(client):
    user = make_user()
    token = csrf_token(client, "/login")
    for n in range(3):
        assert _login_attempt(client, token, user.email, f"203.0.113.{n}").status_code == 422
    for n in range(2):
        assert _token_request(client, user.email, address=f"198.51.100.{n}").status_code == 401
    assert _token_request(client, user.email, address="198.51.100.9", password=PASSWORD).status_code == 429
    assert _login_attempt(client, token, user.email, "203.0.113.9", PASSWORD).status_code == 429


def test_a_rate_limited_api_call_is_told_so_in_the_callers_language(client):
    user = make_user()
    zh = {"Accept-Language": "zh-CN"}
    for _ in range(3):
        client.post("/api/v1/tokens", json={"email": user.email, "password": "nope"}, headers=zh)
    limited = client.post("/api/v1/tokens", json={"email": user.email, "password": PASSWORD}, headers=zh)
    assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
    assert limited.get_json()["error"] == {"code": "rate_limited", "message": "请求过于频繁，请稍后重试。"}
