"""The organizer's account pages: sign up, log in, log out, change password."""

from __future__ import annotations

import pytest
from flask_login import user_logged_in
from sqlalchemy import func, select

from eventsys.auth.models import User
from eventsys.auth.services import find_user_by_email
from eventsys.extensions import db
from tests.conftest import PASSWORD, login, make_user, post_form
from tests.html_pages import assert_form_page_is_accessible, location_path, page

NEW_PASSWORD = "a brand new passphrase"


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


def signup(client, **fields):
    data = {"name": "Ada Lovelace", "email": "ada@example.org", "password": PASSWORD, **fields}
    return post_form(client, "/signup", data)


def is_logged_in(client) -> bool:
    """An organizer page opens for a logged-in organizer; anybody else is sent to the login page."""
    response = client.get("/manage/events")
    if response.status_code == 302:
        assert location_path(response).startswith("/login")
        return False
    assert response.status_code == 200
    return True


def try_login(client, email: str, password: str, **kwargs):
    return post_form(client, "/login", {"email": email, "password": password}, **kwargs)


# --- sign up -----------------------------------------------------------------------------------


def test_signup_creates_the_account_logs_in_and_opens_the_new_event_page(client, app):
    response = signup(client)
    assert response.status_code == 302
    assert location_path(response) == "/manage/events/new"
    user = find_user_by_email("ada@example.org")
    assert user is not None and user.name == "Ada Lovelace"
    new_event_page = client.get("/manage/events/new")
    assert new_event_page.status_code == 200
    assert "Welcome, Ada Lovelace" in page(new_event_page).text()
    # The password works from another browser too.
    other = app.test_client()
    assert try_login(other, "ada@example.org", PASSWORD).status_code == 302


def test_signup_stores_the_address_in_lower_case(client):
    assert signup(client, email="Ada@Example.ORG").status_code == 302
    assert db.session.scalar(select(User.email)) == "ada@example.org"


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("existing", "typed"),
    [("foo@example.org", "Foo@Example.org"), ("Foo@Example.org", "foo@example.org")],
)
def test_signup_with_a_taken_address_in_any_case_shows_the_form_again(client, existing, typed):
    make_user(email=existing)
    response = signup(client, name="Foo Bar", email=typed)
    assert response.status_code == 422
    doc = page(response)
    assert doc.value("name") == "Foo Bar"
    assert doc.value("email") == typed
    assert doc.error("email") == "An account with this e-mail address already exists."
    assert doc.fields_with_errors() == {"email"}
    assert doc.value("password") == "" and PASSWORD not in doc.html
    assert user_count() == 1
    assert not is_logged_in(client)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"password": "short pw"}, "password", "between 10 and 1024 characters"),
        ({"email": "not-an-email"}, "email", "Invalid email address"),
        ({"email": "ada@example"}, "email", "Invalid email address"),
        ({"email": ""}, "email", "This field is required"),
        ({"name": "   "}, "name", "This field is required"),
    ],
)
def test_signup_with_bad_input_shows_the_form_again_with_what_was_typed(client, fields, field, message):
    typed = {"name": "Grace <Hopper> & \"Co\"", "email": "grace@example.org", "password": "short pw", **fields}
    if field != "password":
        typed["password"] = "a long enough secret"
    response = signup(client, **typed)
    assert response.status_code == 422
    doc = page(response)
    assert message in doc.error(field)
    assert doc.fields_with_errors() == {field}
    assert doc.value("email") == typed["email"]
    if field != "name":
        assert doc.value("name") == typed["name"]  # shown as typed, escaped in the HTML
    assert doc.value("password") == ""
    assert typed["password"] not in doc.html
    assert user_count() == 0
    assert not is_logged_in(client)


def test_signup_without_the_csrf_token_is_refused_and_creates_nothing(client):
    client.get("/signup")
    data = {"name": "Ada Lovelace", "email": "ada@example.org", "password": PASSWORD}
    response = client.post("/signup", data=data)
    assert response.status_code == 400
    assert "Reload the page" in page(response).text()
    forged = client.post("/signup", data={**data, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert user_count() == 0
    assert not is_logged_in(client)


def test_signup_page_for_someone_logged_in_goes_to_their_events(client):
    login(client, make_user())
    response = client.get("/signup")
    assert location_path(response) == "/manage/events"


# --- log in and out ------------------------------------------------------------------------------


def test_login_with_the_right_password_opens_my_events(client):
    make_user(email="lin@example.org")
    assert "Log in" in page(client.get("/")).text()
    response = try_login(client, "Lin@Example.org", PASSWORD)  # the address in any case
    assert location_path(response) == "/manage/events"
    assert is_logged_in(client)
    assert "Log out" in page(client.get("/")).text()


@pytest.mark.parametrize(
    ("email", "password"),
    [("lin@example.org", "not the password"), ("nobody@example.org", PASSWORD), ("lin@example.org", "")],
)
def test_login_with_a_wrong_password_or_address_shows_an_error(client, email, password):
    make_user(email="lin@example.org")
    response = try_login(client, email, password)
    assert response.status_code == 422
    doc = page(response)
    expected = "This field is required." if not password else "E-mail address or password is wrong."
    assert doc.error("password") == expected
    assert doc.value("email") == email
    assert doc.value("password") == ""
    assert not is_logged_in(client)


def test_an_organizer_page_sends_a_visitor_to_login_and_back(client):
    make_user(email="lin@example.org")
    response = client.get("/manage/events/new")
    login_page = location_path(response)
    assert login_page.startswith("/login?next=")
    assert "Log in to see this page." in page(client.get(login_page)).text()
    back = post_form(client, login_page, {"email": "lin@example.org", "password": PASSWORD})
    assert location_path(back) == "/manage/events/new"


@pytest.mark.parametrize("target", ["/manage/events/new", "/events/some-event?tab=1"])
def test_login_follows_next_to_a_page_of_this_site(client, target):
    make_user(email="lin@example.org")
    response = try_login(client, "lin@example.org", PASSWORD, query_string={"next": target})
    assert location_path(response) == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "http://evil.example/manage/events",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "manage/events",
    ],
)
def test_login_never_follows_next_off_the_site(client, target):
    make_user(email="lin@example.org")
    response = try_login(client, "lin@example.org", PASSWORD, query_string={"next": target})
    path = location_path(response)  # no host: it stays on this site
    # Browsers read a backslash as a slash, so "/\\host" would leave the site as "//host" does
    # (a percent-encoded one, %5C, is only a character of the path).
    assert not response.headers["Location"].replace("\\", "/").startswith("//")
    assert "evil.example" not in response.get_data(as_text=True)  # nor the redirect page's own link
    if "\\" not in target:
        assert path == "/manage/events"


def test_login_page_of_someone_logged_in_follows_only_a_local_next(client):
    login(client, make_user())
    assert location_path(client.get("/login", query_string={"next": "/manage/events/new"})) == "/manage/events/new"
    assert location_path(client.get("/login", query_string={"next": "https://evil.example/"})) == "/manage/events"


def test_logout_needs_a_post_with_the_csrf_token(client):
    login(client, make_user())
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)
    assert client.post("/logout").status_code == 400
    assert is_logged_in(client)
    response = post_form(client, "/logout", {})
    assert location_path(response) == "/"
    assert "You are logged out." in page(client.get("/")).text()
    assert not is_logged_in(client)


# --- change password -------------------------------------------------------------------------------


def test_change_password_needs_a_login(client):
    assert location_path(client.get("/account/password")).startswith("/login")
    assert location_path(post_form(client, "/account/password", {"current_password": PASSWORD})).startswith(
        "/login"
    )


def test_change_password_with_a_wrong_current_password_shows_the_error_beside_it(client, app):
    user = make_user()
    login(client, user)
    response = post_form(
        client, "/account/password", {"current_password": "not my password", "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 422
    doc = page(response)
    assert doc.error("current_password") == "This is not your current password."
    assert doc.fields_with_errors() == {"current_password"}
    assert doc.value("current_password") == "" and doc.value("new_password") == ""
    assert NEW_PASSWORD not in doc.html
    assert is_logged_in(client)
    assert try_login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_change_password_to_a_short_one_shows_the_error_beside_the_new_password(client, app):
    user = make_user()
    login(client, user)
    response = post_form(client, "/account/password", {"current_password": PASSWORD, "new_password": "short"})
    assert response.status_code == 422
    assert "between 10 and 1024 characters" in page(response).error("new_password")
    assert try_login(app.test_client(), user.email, PASSWORD).status_code == 302


def test_changing_the_password_logs_out_every_other_browser(client, app):
    user = make_user()
    login(client, user)
    other_browser = app.test_client()
    login(other_browser, user)
    remembered = app.test_client()
    response = post_form(remembered, "/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    assert response.status_code == 302
    assert is_logged_in(other_browser) and is_logged_in(remembered)

    response = post_form(client, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert location_path(response) == "/manage/events"
    assert "Other devices are logged out and your API tokens revoked." in page(client.get("/manage/events")).text()
    assert is_logged_in(client)  # this browser stays logged in
    assert not is_logged_in(other_browser)
    remembered.delete_cookie("session")  # the "keep me logged in" cookie alone does not let it back in
    assert not is_logged_in(remembered)

    fresh = app.test_client()
    assert try_login(fresh, user.email, PASSWORD).status_code == 422
    assert try_login(fresh, user.email, NEW_PASSWORD).status_code == 302


def test_changing_the_password_logs_the_user_in_again_as_the_user_itself(client):
    """Hooks on the login signal (and the rest of the request) see the organizer, not a proxy to itself."""
    user = make_user()
    login(client, user)
    seen = []

    def record(sender, user, **extra):
        seen.append((type(user), user.id))

    with user_logged_in.connected_to(record):
        response = post_form(
            client, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        )
    assert response.status_code == 302
    assert seen == [(User, user.id)]


def test_keep_me_logged_in_survives_the_end_of_the_browser_session(client, app):
    user = make_user()
    post_form(client, "/login", {"email": user.email, "password": PASSWORD, "remember": "y"})
    client.delete_cookie("session")
    assert is_logged_in(client)
    forgetful = app.test_client()
    login(forgetful, user)
    forgetful.delete_cookie("session")
    assert not is_logged_in(forgetful)


# --- the pages themselves ------------------------------------------------------------------------


def test_account_pages_have_a_csrf_token_and_a_label_for_every_field(client):
    for path in ("/signup", "/login"):
        assert_form_page_is_accessible(page(client.get(path)))
    assert_form_page_is_accessible(page(signup(client, email="bad", password="short")))
    assert_form_page_is_accessible(page(try_login(client, "nobody@example.org", "wrong password")))
    login(client, make_user())
    assert_form_page_is_accessible(page(client.get("/account/password")))
    assert_form_page_is_accessible(page(post_form(client, "/account/password", {"current_password": "x"})))


def test_a_field_with_an_error_points_to_its_message(client):
    doc = page(signup(client, email="not-an-email"))
    email = doc.control("email")
    assert email.get("aria-invalid") == "true"
    assert "email-error" in email["aria-describedby"].split()
    name = doc.control("name")
    assert "aria-invalid" not in name and "aria-describedby" not in name


def test_a_form_posts_with_the_csrf_token_it_carries(client):
    user = make_user()
    token = page(client.get("/login")).forms[-1].csrf_token
    response = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert is_logged_in(client)
