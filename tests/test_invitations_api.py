"""Invite-only events through the API: inviting a list, the refusals (invitation_required, another
address), registering with the personal link, and the attendee list's ``status=invited``."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsys.events.models import EventAccess
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.registration import tickets
from eventsys.registration.models import Invitation, Registration
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.api_helpers import assert_error, assert_page, assert_validation
from tests.conftest import bearer, make_event, make_token, make_user

pytestmark = pytest.mark.both_databases

PEOPLE = [{"name": "Ana Souza", "email": "Ana@Example.org"}, {"name": "王芳", "email": "wang@example.org"}]


def url(event, tail: str = "") -> str:
    return f"/api/v1/events/{event.slug}{tail}"


def invite(client, event, headers, people):
    return client.post(url(event, "/invitations"), json={"people": people}, headers=headers)


def link_secret(event, email: str) -> str:
    db.session.expire_all()
    invitation = db.session.scalar(select(Invitation).where(Invitation.event_id == event.id, Invitation.email == email))
    return tickets.event_invitation_secret_of(invitation)


@pytest.fixture
def private(owner):
    """An invite-only published event of ``owner``."""
    return make_event(owner, name="Members' dinner", access=EventAccess.INVITE_ONLY)


def test_the_access_is_public_by_default_and_set_and_checked_like_any_field(client, owner_headers):
    body = {"name": "Board meeting", "starts_at": "2027-06-18T09:00:00+08:00", "ends_at": "2027-06-18T17:00:00+08:00"}
    created = client.post("/api/v1/events", json=body, headers=owner_headers).get_json()
    assert created["access"] == "public"
    slug = created["slug"]
    changed = client.patch(f"/api/v1/events/{slug}", json={"access": "invite_only"}, headers=owner_headers)
    assert changed.status_code == 200 and changed.get_json()["access"] == "invite_only"
    assert client.get(f"/api/v1/events/{slug}", headers=owner_headers).get_json()["access"] == "invite_only"
    friends = client.patch(f"/api/v1/events/{slug}", json={"access": "friends"}, headers=owner_headers)
    assert_validation(friends, "access")
    assert_error(client.patch(f"/api/v1/events/{slug}", json={"access": None}, headers=owner_headers), 400)
    private = client.post("/api/v1/events", json={**body, "access": "invite_only"}, headers=owner_headers)
    assert private.status_code == 201 and private.get_json()["access"] == "invite_only"


def test_inviting_queues_one_mail_each_and_skips_who_is_invited_or_registered_already(client, private, owner_headers):
    response = invite(client, private, owner_headers, PEOPLE)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json() == {"invited": 2, "skipped": []}
    again = [
        {"name": "Ana again", "email": "ana@example.org"},  # invited already
        {"name": "Zhao Min", "email": "zhao@example.org"},
        {"name": "Zhao Min twice", "email": "ZHAO@example.org"},  # twice in this list
    ]
    second = invite(client, private, owner_headers, again)
    assert second.status_code == 201
    assert second.get_json() == {"invited": 1, "skipped": ["ana@example.org", "zhao@example.org"]}
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == MailKind.INVITATION)).all()
    assert sorted(m.to_address for m in mails) == ["ana@example.org", "wang@example.org", "zhao@example.org"]
    stored = db.session.scalars(select(Invitation.secret_hash)).all()
    secret = link_secret(private, "ana@example.org")
    assert secret not in stored and tickets.secret_hash(secret) in stored  # only the hash is kept


def test_someone_registered_already_is_skipped(client, event, owner_headers):
    register_attendee(event, RegistrationRequest("Li Lei", "li@example.org"))
    response = invite(client, event, owner_headers, [{"name": "Li Lei", "email": "li@example.org"}])
    assert response.status_code == 201 and response.get_json() == {"invited": 0, "skipped": ["li@example.org"]}


def test_bad_rows_are_named_by_their_place_and_nobody_is_invited(client, private, owner_headers):
    people = [PEOPLE[0], {"name": "No Address", "email": "not-an-address"}, {"name": " ", "email": "x@ex.org"}, {}]
    expected = ("people.1.email", "people.2.name", "people.3.name", "people.3.email")
    fields = assert_validation(invite(client, private, owner_headers, people), *expected)
    assert "people.0.name" not in fields and "people.0.email" not in fields
    assert db.session.scalar(select(Invitation.id)) is None
    assert_validation(invite(client, private, owner_headers, []), "people")
    assert_validation(invite(client, private, owner_headers, ["ana@example.org"]), "people.0")
    assert_error(client.post(url(private, "/invitations"), json={"people": "x"}, headers=owner_headers), 400)


def test_at_most_5000_people_at_a_time(client, private, owner_headers):
    people = [{"name": f"Member {n}", "email": f"member{n}@example.org"} for n in range(5001)]
    assert "people" in assert_validation(invite(client, private, owner_headers, people), "people")
    response = invite(client, private, owner_headers, people[:5000])
    assert response.status_code == 201 and response.get_json()["invited"] == 5000


def test_only_the_organizer_invites(client, private, owner_headers):
    stranger = bearer(make_token(make_user()))
    assert_error(invite(client, private, stranger, PEOPLE), 403)
    assert_error(invite(client, private, {}, PEOPLE), 401)
    draft = make_event(private.owner, name="Secret draft", status="draft", access=EventAccess.INVITE_ONLY)
    assert_error(invite(client, draft, stranger, PEOPLE), 404)
    assert db.session.scalar(select(Invitation.id)) is None


def test_an_invite_only_event_refuses_registering_without_a_valid_link(client, private, owner_headers):
    invite(client, private, owner_headers, PEOPLE)
    body = {"name": "Gate Crasher", "email": "crasher@example.org"}
    assert_error(client.post(url(private, "/registrations"), json=body), 403, "invitation_required")
    forged = {**body, "invitation": "A" * 32}
    assert_error(client.post(url(private, "/registrations"), json=forged), 403, "invitation_required")
    other_event = make_event(private.owner, access=EventAccess.INVITE_ONLY)
    elsewhere = {"name": "Ana", "invitation": link_secret(private, "ana@example.org")}
    assert_error(client.post(url(other_event, "/registrations"), json=elsewhere), 403, "invitation_required")
    assert db.session.scalar(select(Registration.id)) is None


def test_a_link_works_for_its_own_address_only_and_once(client, private, owner_headers):
    invite(client, private, owner_headers, PEOPLE)
    secret = link_secret(private, "ana@example.org")
    someone_else = {"name": "Ana's friend", "email": "friend@example.org", "invitation": secret}
    fields = assert_validation(client.post(url(private, "/registrations"), json=someone_else), "email")
    assert "ana@example.org" in fields["email"][0]
    response = client.post(url(private, "/registrations"), json={"name": "Ana Souza", "invitation": secret})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["status"] == "confirmed"
    registration = db.session.scalar(select(Registration))
    assert registration.email == "ana@example.org"
    assert db.session.scalar(select(Invitation.registration_id).where(Invitation.email == "ana@example.org")) == (
        registration.id
    )
    same_case = {"name": "Ana", "email": "ANA@example.org", "invitation": secret}
    assert_error(client.post(url(private, "/registrations"), json=same_case), 409, "already_registered")


def test_a_public_event_ignores_invitations(client, event, owner_headers):
    invite(client, event, owner_headers, PEOPLE)
    anyone = client.post(url(event, "/registrations"), json={"name": "Walk In", "email": "walk@example.org"})
    assert anyone.status_code == 201
    with_link = {"name": "Ana", "email": "ana@example.org", "invitation": "whatever"}
    assert client.post(url(event, "/registrations"), json=with_link).status_code == 201


def test_the_list_shows_who_is_invited_and_not_registered_yet(client, private, owner_headers):
    invite(client, private, owner_headers, [*PEOPLE, {"name": "Zhao Min", "email": "zhao@example.org"}])
    secret = link_secret(private, "wang@example.org")
    assert client.post(url(private, "/registrations"), json={"name": "王芳", "invitation": secret}).status_code == 201
    listed = client.get(url(private, "/registrations?status=invited&sort=name"), headers=owner_headers)
    assert listed.status_code == 200
    body = listed.get_json()
    assert_page(body)
    assert body["total"] == 2
    assert [(i["name"], i["email"], i["status"], i["code"]) for i in body["items"]] == [
        ("Ana Souza", "ana@example.org", "invited", None),
        ("Zhao Min", "zhao@example.org", "invited", None),
    ]
    assert all(i["invited_at"] for i in body["items"])
    searched = client.get(url(private, "/registrations?status=invited&q=zhao"), headers=owner_headers).get_json()
    assert [i["email"] for i in searched["items"]] == ["zhao@example.org"]
    paged = client.get(url(private, "/registrations?status=invited&per_page=1&page=2"), headers=owner_headers)
    assert paged.get_json()["total"] == 2 and len(paged.get_json()["items"]) == 1
    everyone = client.get(url(private, "/registrations"), headers=owner_headers).get_json()
    assert [i["name"] for i in everyone["items"]] == ["王芳"]  # registrations only
    assert_validation(client.get(url(private, "/registrations?status=friends"), headers=owner_headers), "status")


def test_someone_the_organizer_adds_by_hand_is_no_longer_waiting_to_register(client, private, owner_headers):
    invite(client, private, owner_headers, PEOPLE)
    added = {"name": "Ana Souza", "email": "ana@example.org"}  # the organizer's call: no link needed
    assert client.post(url(private, "/registrations"), json=added, headers=owner_headers).status_code == 201
    listed = client.get(url(private, "/registrations?status=invited"), headers=owner_headers).get_json()
    assert [i["email"] for i in listed["items"]] == ["wang@example.org"] and listed["total"] == 1
