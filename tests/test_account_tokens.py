"""An organizer's personal API tokens on the pages: seen, revoked after a confirmation, and all
revoked when the password changes."""

from __future__ import annotations

import re

import pytest

from eventsys.auth.models import TokenKind
from tests.conftest import PASSWORD, bearer, login, make_event, make_token, make_user, post_form
from tests.html_pages import assert_form_page_is_accessible, location_path, page

NEW_PASSWORD = "a brand new passphrase"


def works(client, token: str, path: str = "/api/v1/events") -> bool:
    status = client.get(path, headers=bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


@pytest.mark.both_databases
def test_changing_the_password_revokes_every_personal_token_but_not_the_door_links(app, client):
    user = make_user()
    event = make_event(user)
    tokens = [make_token(user, label=f"script {n}") for n in range(2)]
    door = make_token(user, TokenKind.DOOR, event, label="North door")
    others = make_token(make_user())
    login(client, user)
    response = post_form(client, "/account/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    assert not any(works(client, token) for token in tokens)
    assert works(client, door, f"/api/v1/events/{event.slug}")  # a gate in the middle of the event keeps scanning
    assert works(client, others)
    assert "You have no API tokens." in page(client.get("/account/tokens")).text()


def test_the_tokens_page_lists_the_organizers_tokens_without_the_tokens(client, owner, organizer):
    laptop = make_token(owner, label="Laptop script")
    make_token(make_user(), label="Someone else's")
    client.get("/api/v1/events", headers=bearer(laptop))
    response = organizer.get("/account/tokens")
    assert response.status_code == 200
    doc = page(response)
    text = doc.text()
    assert "Laptop script" in text and "Someone else's" not in text
    assert laptop not in doc.html
    assert "never" not in text  # it was used just now
    assert "API tokens" in page(organizer.get("/manage/events")).text()  # linked from every page


def test_revoking_a_token_asks_first_and_then_it_stops_working(client, owner, organizer):
    token = make_token(owner, label="CI deploy")
    keep = make_token(owner, label="Keep me")
    listing = page(organizer.get("/account/tokens")).html
    [revoke_path] = re.findall(r'href="(/account/tokens/\d+/revoke)" aria-label="Revoke the token CI deploy"', listing)
    confirm = organizer.get(revoke_path)
    assert confirm.status_code == 200
    doc = page(confirm)
    assert "Revoke the token “CI deploy”?" in doc.text()
    assert_form_page_is_accessible(doc)
    assert works(client, token)  # looking at the question changes nothing

    [form] = [f for f in doc.forms if f.method == "post" and f.action == revoke_path]
    response = organizer.post(revoke_path, data={"csrf_token": form.csrf_token})
    assert location_path(response) == "/account/tokens"
    after = page(organizer.get("/account/tokens")).text()
    assert "The token “CI deploy” is revoked." in after
    assert "Keep me" in after
    assert not works(client, token)
    assert works(client, keep)
    assert organizer.get(revoke_path).status_code == 404


def test_revoking_needs_the_csrf_token(client, owner, organizer):
    token = make_token(owner, label="CI deploy")
    token_id = client.get("/api/v1/tokens", headers=bearer(token)).json["items"][0]["id"]
    assert organizer.post(f"/account/tokens/{token_id}/revoke").status_code == 400
    assert works(client, token)


def test_another_organizers_token_cannot_be_revoked_or_seen(app, client, organizer):
    theirs = make_token(make_user(), label="Theirs")
    token_id = client.get("/api/v1/tokens", headers=bearer(theirs)).json["items"][0]["id"]
    assert organizer.get(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert post_form(organizer, f"/account/tokens/{token_id}/revoke", {}).status_code == 404
    assert works(client, theirs)
    assert organizer.get("/account/tokens/99999999999/revoke").status_code == 404


def test_the_tokens_page_needs_a_login(client):
    response = client.get("/account/tokens")
    assert location_path(response).startswith("/login")
