"""The account, event and error pages speak Chinese when asked (issue 9), and English stays as it was."""

from __future__ import annotations

from tests.conftest import PASSWORD, login, make_user, post_form
from tests.html_pages import page

ZH = {"Accept-Language": "zh-CN"}


def html_lang(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('<html lang="') + len('<html lang="')
    return html[start : html.index('"', start)]


def in_chinese(client) -> None:
    """From now on this client's pages are in Chinese (the ?lang= cookie)."""
    assert html_lang(client.get("/?lang=zh-CN")) == "zh-CN"


# --- account pages ------------------------------------------------------------------------------


def test_login_page_in_chinese(client):
    response = client.get("/login", headers=ZH)
    text = page(response).text()
    assert html_lang(response) == "zh-CN"
    assert "忘记密码？" in text and "电子邮箱" in text and "在此设备上保持登录" in text
    assert "Forgot your password?" not in text


def test_a_wrong_password_shows_the_form_error_in_chinese(client):
    make_user(email="li@example.org")
    in_chinese(client)
    response = post_form(client, "/login", {"email": "li@example.org", "password": ""})
    assert response.status_code == 422
    text = page(response).text()
    assert "请修改下方标出的字段。" in text
    assert "该字段是必填字段。" in text  # WTForms' own message, in its Chinese catalogue


def test_signup_page_and_its_welcome_in_chinese(client):
    in_chinese(client)
    text = page(client.get("/signup")).text()
    assert "创建组织者账号" in text and "创建账号" in text and "至少" in text
    response = post_form(client, "/signup", {"name": "李娜", "email": "lina@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "欢迎，李娜。来创建你的第一个活动吧。" in page(client.get("/manage/events/new")).text()


def test_an_organizer_page_asks_a_visitor_to_log_in_in_chinese(client):
    in_chinese(client)
    response = client.get("/manage/events", follow_redirects=True)
    assert "请登录后查看此页面。" in page(response).text()


def test_logout_flash_and_tokens_page_in_chinese(client):
    user = make_user()
    login(client, user)
    in_chinese(client)
    tokens = page(client.get("/account/tokens")).text()
    assert "API 令牌" in tokens and "你还没有 API 令牌。" in tokens
    response = post_form(client, "/logout", {}, follow_redirects=True)
    assert html_lang(response) == "zh-CN" and "你已退出登录。" in page(response).text()


def test_the_english_pages_stay_english(client):
    text = page(client.get("/login")).text()
    assert "Forgot your password?" in text and "Keep me logged in on this device" in text
    assert "忘记" not in text


# --- error pages ----------------------------------------------------------------------------------


def test_a_missing_page_in_chinese_and_the_api_in_english(client):
    response = client.get("/no-such-page", headers=ZH)
    assert response.status_code == 404 and html_lang(response) == "zh-CN"
    text = page(response).text()
    assert "页面不存在" in text and "这里什么都没有，请检查网址。" in text and "返回首页" in text
    api = client.get("/api/v1/no-such-thing", headers=ZH)
    assert api.status_code == 404
    assert api.get_json()["error"] == {"code": "not_found", "message": "Nothing is here. Check the address."}
