"""Every route against every kind of caller, as the roles × routes table says.

For each route of the app (each choice of an ``<any(…)>`` action on its own), every caller sends
the request: the club's owner, a manager, a supervisor and a steward, a member since removed, the
owner of another club (a stranger), door staff invited to the event, a door token of the event
(and, on pages, the door link it makes), a revoked token, and nobody. A caller the table lets in
must get past authorization (any answer but 401, 403, 404 or the login page: an empty form may well
be a 400 or 422); everyone else must be refused. A route without a row in the table fails here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule as UrlRule

from eventsys.auth.models import TokenKind, User
from eventsys.auth.services import issue_token, revoke_token
from eventsys.authorization import ROUTES, Scope
from eventsys.checkin.models import DoorStaff
from eventsys.checkin.services import EventAtDoor, Scanner, ScanRequest, check_in
from eventsys.clubs import services as clubs
from eventsys.clubs.models import ClubMember
from eventsys.clubs.roles import GRANTS, Permission, Role, may
from eventsys.events import services as event_services
from eventsys.events.models import Event
from eventsys.events.services import QuestionDetails
from eventsys.extensions import db
from eventsys.mail.models import OutboxMessage
from eventsys.registration.models import Registration
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.registration.tickets import team_invitation_secret
from eventsys.timeutil import utcnow
from tests.conftest import make_event, make_user

CALLERS = (
    "owner",
    "manager",
    "supervisor",
    "steward",
    "removed",
    "stranger",
    "door_staff",
    "door_token",
    "revoked",
    "nobody",
)
ROLE_OF = {
    "owner": Role.OWNER,
    "manager": Role.MANAGER,
    "supervisor": Role.SUPERVISOR,
    "steward": Role.STEWARD,
    "door_staff": Role.DOOR,
    "door_token": Role.DOOR,
}
ACCOUNTS = {"owner", "manager", "supervisor", "steward", "removed", "stranger", "door_staff"}


@pytest.fixture
def app_config() -> dict:
    return {"WTF_CSRF_ENABLED": False}  # an empty form must reach the route's own checks


def _variants(rule: UrlRule) -> list[dict[str, str]]:
    """One set of fixed arguments per choice of each ``<any(…)>`` part of the rule."""
    choices = [(name, converter.items) for name, converter in rule._converters.items() if hasattr(converter, "items")]
    variants: list[dict[str, str]] = [{}]
    for name, items in choices:
        variants = [{**variant, name: item} for variant in variants for item in items]
    return variants


# Every row but the open ones; a route without a row fails test_the_table_covers_every_route.
CHECKED = sorted(endpoint for endpoint, rule in ROUTES.items() if rule.scope not in (Scope.PUBLIC, Scope.SECRET))
# Walked in groups, one world each (a world takes a while to make); a group's routes go in name
# order, but those that end the event or the caller's token, or put the caller on the team, go last.
LAST = {"manage.change_status": 2, "api.revoke_current_token": 1, "api.join": 1}
GROUPS = {
    group: sorted((e for e in CHECKED if e.split(".")[0] == group), key=lambda e: (LAST.get(e, 0), e))
    for group in sorted({e.split(".")[0] for e in CHECKED})
}


@dataclass
class World:
    """A club with a published event, its team, an outsider and the things routes point at."""

    app: Flask
    event: Event
    users: dict[str, User]
    tokens: dict[str, str] = field(default_factory=dict)  # API tokens by caller
    door_link: str = ""
    revoked_link: str = ""

    def registration(self) -> Registration:
        email = f"li{utcnow().timestamp()}@example.org"
        return register_attendee(self.event, RegistrationRequest("Li Wei", email, self.event.ticket_types[0].id))


@pytest.fixture
def world(app: Flask) -> World:
    users = {name: make_user(name=name.title()) for name in ("owner", "manager", "supervisor", "steward", "removed")}
    club = clubs.create_club(users["owner"], clubs.ClubDetails("Xiaoshan International Talent Club"))
    for name in ("manager", "supervisor", "steward", "removed"):
        role = Role.MANAGER if name == "removed" else Role(name)
        db.session.add(ClubMember(club_id=club.id, email=users[name].email, role=role, user_id=users[name].id))
    db.session.commit()
    removed = db.session.query(ClubMember).filter_by(user_id=users["removed"].id).one()
    clubs.remove_member(club, users["owner"], removed.id)
    event = make_event(users["owner"])
    event.club_id = club.id
    db.session.commit()
    users["stranger"] = make_user(name="Stranger")
    clubs.create_club(users["stranger"], clubs.ClubDetails("Yuhang Club"))
    make_event(users["stranger"])
    users["door_staff"] = make_user(name="Door Staff")
    db.session.add(
        DoorStaff(event_id=event.id, email=users["door_staff"].email, invite_nonce=b"0" * 16, invite_hash="x" * 64)
    )
    db.session.commit()
    db.session.query(DoorStaff).filter_by(event_id=event.id).update({"user_id": users["door_staff"].id})
    db.session.commit()
    world = World(app, event, users)
    for name, user in users.items():
        world.tokens[name] = issue_token(user, TokenKind.PERSONAL, "test")[1]
    world.tokens["door_token"] = issue_token(users["owner"], TokenKind.DOOR, "North door", event_id=event.id)[1]
    revoked, world.tokens["revoked"] = issue_token(users["owner"], TokenKind.PERSONAL, "old")
    revoke_token(revoked.id)
    world.door_link = world.tokens["door_token"]
    gone, world.revoked_link = issue_token(users["owner"], TokenKind.DOOR, "South door", event_id=event.id)
    revoke_token(gone.id)
    return world


# --- what each part of an address stands for: a fresh one per request, so that one caller's
# --- deleting it does not refuse the next -----------------------------------------------------


def _ticket_type_id(world: World, _caller: str) -> int:
    return event_services.add_ticket_type(world.event, "Extra").id


def _question_id(world: World, _caller: str) -> int:
    return event_services.add_question(world.event, QuestionDetails(label="Company", kind="text")).id


def _token_id(world: World, caller: str, rule: UrlRule) -> int:
    if rule.endpoint in ("auth.revoke_token", "api.revoke_personal_token"):  # one's own personal token
        user = world.users.get(caller, world.users["owner"])
        return issue_token(user, TokenKind.PERSONAL, "spare")[0].id
    return issue_token(world.users["owner"], TokenKind.DOOR, "Spare door", event_id=world.event.id)[0].id


def _scan_id(world: World, _caller: str) -> int:
    registration = world.registration()
    answer = check_in(
        EventAtDoor(world.event.id, world.event.timezone), ScanRequest(registration.code), Scanner("Desk")
    )
    return answer["checkin"]["id"]


def _staff_id(world: World, _caller: str) -> int:
    staff = DoorStaff(
        event_id=world.event.id, email="spare@example.org", invite_nonce=b"1" * 16, invite_hash=f"{utcnow()}"
    )
    db.session.add(staff)
    db.session.commit()
    return staff.id


def _message_id(world: World, _caller: str) -> int:
    registration = world.registration()
    return db.session.query(OutboxMessage).filter_by(registration_id=registration.id).first().id


def _member_id(world: World, _caller: str) -> int:
    club = world.event.club
    return clubs.invite_member(club, world.users["owner"], f"new{utcnow().timestamp()}@example.org", "steward").id


ARGUMENTS: dict[str, Callable[..., Any]] = {
    "slug": lambda world, caller, rule: world.event.club.slug if "/clubs/" in rule.rule else world.event.slug,
    "code": lambda world, caller, rule: world.registration().code,
    "ticket_type_id": lambda world, caller, rule: _ticket_type_id(world, caller),
    "question_id": lambda world, caller, rule: _question_id(world, caller),
    "token_id": _token_id,
    "scan_id": lambda world, caller, rule: _scan_id(world, caller),
    "staff_id": lambda world, caller, rule: _staff_id(world, caller),
    "message_id": lambda world, caller, rule: _message_id(world, caller),
    "member_id": lambda world, caller, rule: _member_id(world, caller),
    "token": lambda world, caller, rule: team_invitation_secret(db.session.get(ClubMember, _member_id(world, caller))),
}


def _path(world: World, rule: UrlRule, fixed: dict[str, str], caller: str) -> str:
    values: dict[str, Any] = dict(fixed)
    for name in rule.arguments - set(fixed):
        values[name] = ARGUMENTS[name](world, caller, rule)
    with world.app.test_request_context():
        path = world.app.url_for(rule.endpoint, **values)
    return re.sub(r"^https?://[^/]+", "", path)


def _client_for(world: World, caller: str, is_api: bool) -> tuple[FlaskClient, dict[str, str]]:
    client = world.app.test_client()
    if is_api:
        token = world.tokens.get(caller)
        if caller in ACCOUNTS:  # a fresh one: a route may have revoked the last
            token = issue_token(world.users[caller], TokenKind.PERSONAL, "test")[1]
        return client, ({"Authorization": f"Bearer {token}"} if token else {})
    if caller in ACCOUNTS:
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = world.users[caller].get_id(), True
    elif caller in ("door_token", "revoked"):
        client.get(f"/door/{world.door_link if caller == 'door_token' else world.revoked_link}")
    return client, {}


def _expected(rule, caller: str, fixed: dict[str, str]) -> bool:
    if rule.scope == Scope.ACCOUNT:
        return caller in ACCOUNTS
    if rule.scope == Scope.TOKEN:
        return caller in ACCOUNTS or caller == "door_token"
    if rule.door_tokens_too and caller == "door_token":
        return True
    role = ROLE_OF.get(caller)
    if rule.scope == Scope.CLUB and role == Role.DOOR:
        role = None  # door staff and door tokens belong to one event, not to its club's team
    return may(role, rule.permission_for(fixed))


def _refused(response, is_api: bool) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return not is_api and response.status_code in (302, 303) and "/login" in response.headers.get("Location", "")


@pytest.mark.parametrize("group", GROUPS)
def test_routes_let_in_exactly_the_roles_their_rows_name(world: World, group: str):
    """Each method and action of each route, with each caller (the open routes are not walked: a
    secret link is its own key, and each link's tests check it)."""
    wrong = []
    for endpoint in GROUPS[group]:
        wrong += _misjudged(world, endpoint)
    assert wrong == [], "\n".join(wrong)


def _misjudged(world: World, endpoint: str) -> list[str]:
    row = ROUTES[endpoint]
    is_api = endpoint.startswith("api.")
    wrong = []
    for url_rule in [r for r in world.app.url_map.iter_rules() if r.endpoint == endpoint]:
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"}):
            for fixed in _variants(url_rule):
                for caller in CALLERS:
                    client, headers = _client_for(world, caller, is_api)
                    path = _path(world, url_rule, fixed, caller)
                    body: dict[str, Any] = {"json": {}} if is_api and method in ("POST", "PATCH", "PUT") else {}
                    response = client.open(path, method=method, headers=headers, **body)
                    response.get_data()
                    response.close()  # a download streams: end it in its own context
                    assert response.status_code < 500, (caller, method, path, response.get_data(as_text=True)[:500])
                    expected = _expected(row, caller, fixed)
                    if _refused(response, is_api) == expected:
                        verdict = "should pass" if expected else "should be refused"
                        said = response.get_data(as_text=True)[:160] if response.is_json else ""
                        wrong.append(f"{method} {path} {caller}: {response.status_code} ({verdict}) {said}")
                    db.session.rollback()
    return wrong


def test_a_route_without_a_row_is_refused(app: Flask, client: FlaskClient):
    app.add_url_rule("/unlisted", "unlisted", lambda: "secret stuff")
    assert client.get("/unlisted").status_code == 404


def test_the_roles_are_the_contracts():
    """The contract's table of roles, in words: what each may not do."""
    assert GRANTS[Role.OWNER] == frozenset(Permission)
    manager_may_not = set(Permission) - GRANTS[Role.MANAGER]
    assert manager_may_not == {Permission.MANAGE_TEAM, Permission.CANCEL_EVENT, Permission.READ_AUDIT}
    supervisor = GRANTS[Role.SUPERVISOR]
    assert {Permission.SCAN, Permission.LOOK_UP, Permission.CHECK_IN_BY_HAND, Permission.UNDO} <= supervisor
    assert Permission.READ_ATTENDEES in supervisor and Permission.READ_CONTACTS not in supervisor
    assert Permission.EDIT_EVENT not in supervisor and Permission.EDIT_REGISTRATIONS not in supervisor
    assert GRANTS[Role.STEWARD] & {Permission.LOOK_UP, Permission.READ_ATTENDEES, Permission.UNDO} == set()
    assert Permission.SCAN in GRANTS[Role.STEWARD]
    door = GRANTS[Role.DOOR]  # a door token: "good only for check-in and attendee look-up there"
    assert door == {Permission.SEE_EVENT, Permission.SCAN, Permission.LOOK_UP}


def test_the_table_covers_every_route(app: Flask):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert routes - set(ROUTES) == set(), "routes without a row in eventsys/authorization.py ROUTES"
    assert set(ROUTES) - routes == set(), "rows for routes that do not exist"
