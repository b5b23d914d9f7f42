"""An organizer who forgot the password gets back in by e-mail: a link that works once, within an
hour, and ends every other session and personal token. The mail goes through a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from eventsys.auth.models import PasswordReset
from eventsys.extensions import db
from eventsys.mail.models import OutboxMessage, OutboxStatus
from eventsys.mail.sender import send_due
from eventsys.timeutil import utcnow
from tests.conftest import PASSWORD, bearer, csrf_token, login, make_token, make_user, post_form
from tests.html_pages import location_path, page

NEW_PASSWORD = "a brand new passphrase"
RESET_LINK = re.compile(r"http://eventsys\.test/password/reset/[A-Z2-7]{32}")


def ask_for_reset(client, email: str):
    return post_form(client, "/password/forgot", {"email": email})


def mailed_link(smtp, address: str) -> str:
    """Send what is queued and return the reset link of the last mail to ``address``, from both its parts."""
    send_due()
    message = smtp.inbox.to(address)[-1]
    assert message["Subject"] == "Reset your eventsys password"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    [link] = RESET_LINK.findall(text)
    assert link in html
    return link.removeprefix("http://eventsys.test")


def set_new_password(client, path: str, password: str = NEW_PASSWORD):
    form_page = client.get(path)
    assert form_page.status_code == 200, form_page.get_data(as_text=True)[:300]
    [form] = [f for f in page(form_page).forms if f.method == "post"]
    return client.post(path, data={"csrf_token": form.csrf_token, "new_password": password})


def can_log_in(app, email: str, password: str) -> bool:
    response = post_form(app.test_client(), "/login", {"email": email, "password": password})
    assert response.status_code in (302, 422)
    return response.status_code == 302


def test_the_login_page_links_to_the_reset(client):
    doc = page(client.get("/login"))
    assert 'href="/password/forgot"' in doc.html
    assert "Forgot your password?" in doc.text()


def test_a_reset_by_e_mail_sets_the_password_and_ends_every_session_and_token(app, client, smtp):
    user = make_user(email="mei@example.org", name="Mei Organizer")
    elsewhere = app.test_client()
    login(elsewhere, user)
    token = make_token(user)

    response = ask_for_reset(client, "Mei@Example.org")
    assert response.status_code == 200
    assert "If an account uses" in page(response).text()
    path = mailed_link(smtp, "mei@example.org")
    message = smtp.inbox.to("mei@example.org")[-1]
    assert "Hello Mei Organizer" in message.get_body(("plain",)).get_content()
    assert "within 60 minutes" in message.get_body(("plain",)).get_content()

    response = set_new_password(client, path)
    assert location_path(response) == "/login"
    assert "Your password is changed" in page(client.get("/login")).text()
    assert can_log_in(app, user.email, NEW_PASSWORD)
    assert not can_log_in(app, user.email, PASSWORD)
    assert elsewhere.get("/manage/events").status_code == 302  # logged out
    assert client.get("/api/v1/events", headers=bearer(token)).status_code == 401


def test_the_link_works_once(app, client, smtp):
    user = make_user()
    ask_for_reset(client, user.email)
    path = mailed_link(smtp, user.email)
    assert location_path(set_new_password(client, path)) == "/login"
    again = client.get(path)
    assert again.status_code == 410
    assert "expired or was used" in page(again).text()
    token = csrf_token(client, "/login")
    assert client.post(path, data={"csrf_token": token, "new_password": "yet another passphrase"}).status_code == 410
    assert can_log_in(app, user.email, NEW_PASSWORD)


def test_the_link_expires_after_an_hour(app, client, smtp):
    user = make_user()
    ask_for_reset(client, user.email)
    path = mailed_link(smtp, user.email)
    reset = db.session.scalar(select(PasswordReset))
    assert timedelta(minutes=1) < reset.expires_at - reset.created_at <= timedelta(hours=1)
    db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get(path).status_code == 410
    assert can_log_in(app, user.email, PASSWORD)


def test_a_newer_reset_ends_the_older_links_once_used(app, client, smtp):
    user = make_user()
    ask_for_reset(client, user.email)
    first = mailed_link(smtp, user.email)
    ask_for_reset(client, user.email)
    second = mailed_link(smtp, user.email)
    assert first != second
    assert location_path(set_new_password(client, second)) == "/login"
    assert client.get(first).status_code == 410


def test_an_address_without_an_account_gets_the_same_answer_and_no_mail(app, client, smtp):
    user = make_user()
    known = ask_for_reset(client, user.email)
    unknown = ask_for_reset(app.test_client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = lambda response, email: page(response).text().replace(email, "EMAIL")  # noqa: E731
    assert strip(known, user.email) == strip(unknown, "nobody@example.org")
    send_due()
    assert smtp.inbox.to("nobody@example.org") == []
    assert len(smtp.inbox.to(user.email)) == 1


def test_a_mistyped_address_is_shown_again_with_the_error_beside_it(client):
    response = ask_for_reset(client, "not an address")
    assert response.status_code == 422
    doc = page(response)
    assert doc.value("email") == "not an address"
    assert doc.fields_with_errors() == {"email"}


def test_a_short_new_password_is_refused_beside_the_field_and_the_link_still_works(app, client, smtp):
    user = make_user()
    ask_for_reset(client, user.email)
    path = mailed_link(smtp, user.email)
    response = set_new_password(client, path, "short")
    assert response.status_code == 422
    assert page(response).fields_with_errors() == {"new_password"}
    assert location_path(set_new_password(client, path)) == "/login"


@pytest.mark.parametrize("secret", ["x", "A" * 32, "a" * 500, "%00", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA1"])
def test_a_made_up_link_is_410_never_a_500(client, secret):
    assert client.get(f"/password/reset/{secret}").status_code in (404, 410)


def test_the_mail_holds_no_secret_until_it_is_sent(app, client):
    user = make_user()
    ask_for_reset(client, user.email)
    message = db.session.scalar(select(OutboxMessage))
    assert (message.event_id, message.status) == (None, OutboxStatus.QUEUED)
    reset = db.session.scalar(select(PasswordReset))
    assert len(reset.secret_hash) == 64  # a hash; the link's secret is nowhere in the database


def test_a_reset_mail_whose_link_expired_before_sending_is_skipped(app, client, smtp):
    user = make_user()
    ask_for_reset(client, user.email)
    db.session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert send_due().skipped == 1
    assert smtp.inbox.to(user.email) == []


def test_the_reset_page_sends_no_referrer_and_is_not_cached(app, client, smtp):
    user = make_user()
    ask_for_reset(client, user.email)
    response = client.get(mailed_link(smtp, user.email))
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


class TestLimits:
    @pytest.fixture
    def app_config(self, smtp) -> dict:
        return {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp.port,
            "RATELIMIT_ENABLED": True,
            "RESET_RATE_LIMIT": "4 per hour",
            "RESET_ACCOUNT_RATE_LIMIT": "2 per hour",
        }

    def _ask(self, client, email, address):
        token = csrf_token(client, "/password/forgot")
        data = {"csrf_token": token, "email": email}
        return client.post("/password/forgot", data=data, environ_base={"REMOTE_ADDR": address})

    def test_one_account_gets_at_most_its_limit_of_mails_whatever_the_address(self, app, client, smtp):
        user = make_user()
        statuses = [self._ask(client, user.email, f"192.0.2.{n}").status_code for n in range(4)]
        assert statuses == [200, 200, 429, 429]
        limited = self._ask(client, user.email.upper(), "192.0.2.50")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) > 0
        send_due()
        assert len(smtp.inbox.to(user.email)) == 2

    def test_one_client_address_is_limited_across_accounts(self, app, client):
        statuses = [self._ask(client, f"person{n}@example.org", "198.51.100.7").status_code for n in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        assert self._ask(client, "person9@example.org", "198.51.100.8").status_code == 200
