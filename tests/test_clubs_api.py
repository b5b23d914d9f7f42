"""Clubs and their teams through the API: creating a club, its events, invitations that work once
within 7 days, roles changed and members removed, a club that keeps an owner, and the trail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from eventsys.clubs.models import AuditEntry, ClubMember
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.registration.tickets import team_invitation_secret
from eventsys.timeutil import utcnow
from tests.conftest import bearer, make_token, make_user

EVENT = {
    "name": "TECOM Conf Hangzhou 2027",
    "starts_at": "2027-09-18T09:00:00+08:00",
    "ends_at": "2027-09-18T18:00:00+08:00",
}


@pytest.fixture
def founder(app):
    return make_user(name="Mei Founder")


@pytest.fixture
def founder_headers(founder):
    return bearer(make_token(founder))


@pytest.fixture
def club(client: FlaskClient, founder_headers) -> dict:
    response = client.post(
        "/api/v1/clubs",
        json={"name": "Xiaoshan International Talent Club", "description": "Founders"},
        headers=founder_headers,
    )
    assert response.status_code == 201, response.json
    return response.json


def _join(client: FlaskClient, owner_headers, club_slug: str, role: str, name: str = "Li Wei") -> tuple[dict, dict]:
    """Invite a new account with ``role`` and have it join; returns the member and its headers."""
    user = make_user(name=name)
    invited = client.post(
        f"/api/v1/clubs/{club_slug}/members", json={"email": user.email, "role": role}, headers=owner_headers
    )
    assert invited.status_code == 201, invited.json
    headers = bearer(make_token(user))
    joined = client.post(f"/api/v1/join/{_secret(invited.json['id'])}", headers=headers)
    assert joined.status_code == 200, joined.json
    return invited.json, headers


def _secret(member_id: int) -> str:
    return team_invitation_secret(db.session.get(ClubMember, member_id))


def test_a_new_club_has_its_creator_as_owner_and_a_public_page_of_events(client, club, founder, founder_headers):
    assert club == {
        "slug": "xiaoshan-international-talent-club",
        "name": "Xiaoshan International Talent Club",
        "description": "Founders",
    }
    created = client.post(
        "/api/v1/events", json={**EVENT, "club": club["slug"], "status": "published"}, headers=founder_headers
    )
    assert created.status_code == 201, created.json
    assert created.json["club"] == club["slug"]
    client.post("/api/v1/events", json={**EVENT, "name": "A draft", "club": club["slug"]}, headers=founder_headers)
    past = {
        **EVENT,
        "name": "TECOM Conf 2025",
        "starts_at": "2025-09-18T09:00:00+08:00",
        "ends_at": "2025-09-18T18:00:00+08:00",
    }
    client.post("/api/v1/events", json={**past, "club": club["slug"], "status": "published"}, headers=founder_headers)

    public = client.get(f"/api/v1/clubs/{club['slug']}")  # no token: it is public
    assert public.status_code == 200
    assert [e["name"] for e in public.json["upcoming"]] == ["TECOM Conf Hangzhou 2027"]  # not the draft
    assert [e["name"] for e in public.json["past"]] == ["TECOM Conf 2025"]
    members = client.get(f"/api/v1/clubs/{club['slug']}/members", headers=founder_headers).json["items"]
    assert [(m["email"], m["role"], m["status"]) for m in members] == [(founder.email, "owner", "active")]


def test_club_errors_follow_the_contract(client, club, founder_headers):
    assert client.post("/api/v1/clubs", json={"name": ""}, headers=founder_headers).json["error"]["fields"]["name"]
    taken = client.post("/api/v1/clubs", json={"name": "Other", "slug": club["slug"]}, headers=founder_headers)
    assert taken.status_code == 422 and "slug" in taken.json["error"]["fields"]
    assert client.post("/api/v1/clubs", json={"name": "No token"}).status_code == 401
    assert client.get("/api/v1/clubs/nope").status_code == 404
    unknown = client.post("/api/v1/events", json={**EVENT, "club": "nope"}, headers=founder_headers)
    assert unknown.status_code == 422 and "club" in unknown.json["error"]["fields"]


def test_an_invitation_works_once(client, club, founder_headers):
    user = make_user(name="Wang Fang")
    invited = client.post(
        f"/api/v1/clubs/{club['slug']}/members", json={"email": user.email, "role": "manager"}, headers=founder_headers
    )
    assert invited.status_code == 201
    assert {k: invited.json[k] for k in ("email", "role", "status")} == {
        "email": user.email,
        "role": "manager",
        "status": "invited",
    }
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == MailKind.TEAM_INVITE))
    assert mail.to_address == user.email

    secret = _secret(invited.json["id"])
    joined = client.post(f"/api/v1/join/{secret}", headers=bearer(make_token(user)))
    assert joined.status_code == 200 and joined.json == {"club": club["slug"], "role": "manager"}
    again = client.post(f"/api/v1/join/{secret}", headers=bearer(make_token(make_user())))
    assert again.status_code == 410 and again.json["error"]["code"] == "invitation_used"
    assert client.post("/api/v1/join/NOT-A-SECRET", headers=bearer(make_token(user))).status_code == 404


def test_an_invitation_expires_after_seven_days(client, club, founder_headers):
    user = make_user()
    invited = client.post(
        f"/api/v1/clubs/{club['slug']}/members", json={"email": user.email, "role": "steward"}, headers=founder_headers
    )
    member = db.session.get(ClubMember, invited.json["id"])
    assert member.expires_at - member.invited_at == timedelta(days=7)
    member.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = client.post(f"/api/v1/join/{_secret(member.id)}", headers=bearer(make_token(user)))
    assert expired.status_code == 410 and expired.json["error"]["code"] == "invitation_expired"


def test_roles_change_and_a_club_keeps_its_last_owner(client, club, founder_headers):
    owner_row = client.get(f"/api/v1/clubs/{club['slug']}/members", headers=founder_headers).json["items"][0]
    last = client.patch(
        f"/api/v1/clubs/{club['slug']}/members/{owner_row['id']}", json={"role": "manager"}, headers=founder_headers
    )
    assert last.status_code == 409 and last.json["error"]["code"] == "last_owner"
    gone = client.delete(f"/api/v1/clubs/{club['slug']}/members/{owner_row['id']}", headers=founder_headers)
    assert gone.status_code == 409 and gone.json["error"]["code"] == "last_owner"

    second, second_headers = _join(client, founder_headers, club["slug"], "steward")
    bad = client.patch(
        f"/api/v1/clubs/{club['slug']}/members/{second['id']}", json={"role": "king"}, headers=founder_headers
    )
    assert bad.status_code == 422 and "role" in bad.json["error"]["fields"]
    promoted = client.patch(
        f"/api/v1/clubs/{club['slug']}/members/{second['id']}", json={"role": "owner"}, headers=founder_headers
    )
    assert promoted.status_code == 200 and promoted.json["role"] == "owner"
    # Two owners now: the first may step down.
    down = client.patch(
        f"/api/v1/clubs/{club['slug']}/members/{owner_row['id']}", json={"role": "manager"}, headers=founder_headers
    )
    assert down.status_code == 200
    # ... and, no longer an owner, cannot touch the team.
    assert (
        client.delete(f"/api/v1/clubs/{club['slug']}/members/{second['id']}", headers=founder_headers).status_code
        == 403
    )
    assert (
        client.delete(f"/api/v1/clubs/{club['slug']}/members/{owner_row['id']}", headers=second_headers).status_code
        == 204
    )
    assert client.get(f"/api/v1/clubs/{club['slug']}/members", headers=founder_headers).status_code == 403  # removed


def test_managers_run_events_but_only_owners_cancel_them(client, club, founder_headers):
    _manager, manager_headers = _join(client, founder_headers, club["slug"], "manager")
    _steward, steward_headers = _join(client, founder_headers, club["slug"], "steward", name="Zhang Min")
    event = client.post(
        "/api/v1/events", json={**EVENT, "club": club["slug"], "status": "published"}, headers=manager_headers
    )
    assert event.status_code == 201
    slug = event.json["slug"]
    assert (
        client.post("/api/v1/events", json={**EVENT, "club": club["slug"]}, headers=steward_headers).status_code == 403
    )
    assert (
        client.patch(f"/api/v1/events/{slug}", json={"venue": "Xiaoshan Hall"}, headers=manager_headers).status_code
        == 200
    )
    refused = client.patch(f"/api/v1/events/{slug}", json={"status": "cancelled"}, headers=manager_headers)
    assert refused.status_code == 403
    assert client.get(f"/api/v1/events/{slug}", headers=founder_headers).json["status"] == "published"
    assert (
        client.patch(f"/api/v1/events/{slug}", json={"status": "cancelled"}, headers=founder_headers).status_code == 200
    )


def test_the_trail_says_who_changed_what(client, club, founder, founder_headers):
    _manager, manager_headers = _join(client, founder_headers, club["slug"], "manager")
    slug = client.post("/api/v1/events", json={**EVENT, "club": club["slug"]}, headers=manager_headers).json["slug"]
    client.patch(f"/api/v1/events/{slug}", json={"venue": "Xiaoshan Hall", "capacity": 400}, headers=manager_headers)
    client.patch(f"/api/v1/events/{slug}", json={"status": "published"}, headers=founder_headers)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    trail = [(e.action, e.actor.name if e.actor else None) for e in entries]
    assert trail == [
        ("club.created", "Mei Founder"),
        ("member.invited", "Mei Founder"),
        ("member.joined", "Li Wei"),
        ("event.created", "Li Wei"),
        ("event.updated", "Li Wei"),
        ("event.published", "Mei Founder"),
    ]
    assert entries[4].details["fields"] == ["capacity", "venue"]
