"""The account, event and error pages speak Chinese when asked (issue 9), and English stays as it was."""

from __future__ import annotations

from eventsys.authorization import PUBLIC, ROUTES
from eventsys.events.models import EventStatus
from tests.conftest import PASSWORD, login, make_event, make_user, post_form
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
    assert "请修正以下问题" in text  # the error summary's heading
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


# --- event pages ----------------------------------------------------------------------------------


def test_home_and_event_page_in_chinese(client):
    event = make_event(name="上海开发者大会", capacity=50)
    in_chinese(client)
    home = page(client.get("/")).text()
    assert "即将举行的活动" in home and "上海开发者大会" in home
    text = page(client.get(f"/events/{event.slug}")).text()
    assert "门票" in text


def test_the_organizers_pages_in_chinese(client):
    user = make_user()
    event = make_event(owner=user, status=EventStatus.DRAFT, name="Summit", capacity=40)
    login(client, user)
    in_chinese(client)
    mine = page(client.get("/manage/events")).text()
    assert "我的活动" in mine and "新建活动" in mine and "草稿" in mine
    dashboard = client.get(f"/manage/events/{event.slug}")
    assert html_lang(dashboard) == "zh-CN"
    text = page(dashboard).text()
    assert "票种" in text and "添加问题" in text and "发布" in text and "（已占 0）" in text
    assert "已开放，活动结束时截止" in text
    post_form(
        client, f"/manage/events/{event.slug}/questions", {"label": "行业", "kind": "select", "options": "AI\n硬件"}
    )
    assert "单选：AI, 硬件" in page(client.get(f"/manage/events/{event.slug}")).text()
    confirm = page(client.get(f"/manage/events/{event.slug}/publish")).text()
    assert "发布“Summit”？" in confirm and "确定发布活动" in confirm
    published = post_form(client, f"/manage/events/{event.slug}/publish", {}, follow_redirects=True)
    assert "已发布：活动页面已上线，并显示在首页。" in page(published).text()


def test_the_event_form_errors_in_chinese(client):
    login(client, make_user())
    in_chinese(client)
    new = page(client.get("/manage/events/new")).text()
    assert "新建活动" in new and "时间和地点" in new and "创建活动" in new
    response = post_form(client, "/manage/events/new", {"name": "x", "slug": "Bad Slug", "timezone": "UTC"})
    assert response.status_code == 422
    text = page(response).text()
    assert "请修正以下问题" in text  # the error summary's heading
    assert "请输入日期和时间。" in text and "请使用小写字母、数字和单个连字符。" in text


def test_a_ticket_type_flash_in_chinese(client):
    user = make_user()
    event = make_event(owner=user)
    login(client, user)
    in_chinese(client)
    response = post_form(client, f"/manage/events/{event.slug}/ticket-types", {"name": "学生票"}, follow_redirects=True)
    assert "票种“学生票”已添加。" in page(response).text()


def test_the_english_event_pages_stay_english(client):
    user = make_user()
    event = make_event(owner=user, status=EventStatus.DRAFT, capacity=40)
    login(client, user)
    text = page(client.get(f"/manage/events/{event.slug}")).text()
    assert "open now, closes when the event ends" in text and "(0 taken)" in text and "draft" in text
    assert "Publish “" in page(client.get(f"/manage/events/{event.slug}/publish")).text()


# --- error pages ----------------------------------------------------------------------------------


def test_a_missing_page_in_chinese_and_the_api_too(client):
    response = client.get("/no-such-page", headers=ZH)
    assert response.status_code == 404 and html_lang(response) == "zh-CN"
    text = page(response).text()
    assert "页面不存在" in text and "这里什么都没有，请检查网址。" in text and "返回首页" in text
    api = client.get("/api/v1/no-such-thing", headers=ZH)
    assert api.status_code == 404  # the contract: the API's message follows Accept-Language, its code never
    assert api.get_json()["error"] == {"code": "not_found", "message": "这里什么都没有，请检查网址。"}


def test_a_form_without_its_csrf_token_is_refused_in_chinese(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x"}, headers=ZH)
    assert response.status_code == 400 and html_lang(response) == "zh-CN"
    assert "表单已过期或并非由本站提交。请刷新页面后重试。" in page(response).text()


def test_werkzeugs_own_error_words_are_translated_on_pages_only(app, client, monkeypatch):
    from werkzeug.exceptions import Forbidden

    @app.get("/forbidden-for-the-test")
    def forbidden():
        raise Forbidden()

    monkeypatch.setitem(ROUTES, "forbidden", PUBLIC)  # a route without a row would be refused first

    english = page(client.get("/forbidden-for-the-test")).text()
    assert "You don't have the permission to access the requested resource." in english
    chinese = client.get("/forbidden-for-the-test", headers=ZH)
    assert chinese.status_code == 403 and "你无权访问此资源。" in page(chinese).text()


def test_venue_and_address_read_with_the_languages_comma(client):
    event = make_event(venue="国际会议中心", address="上海市浦东新区")
    assert "国际会议中心，上海市浦东新区" in page(client.get(f"/events/{event.slug}", headers=ZH)).text()
    assert "国际会议中心, 上海市浦东新区" in page(client.get(f"/events/{event.slug}")).text()
