"""No input, however malformed, yields a 5xx; every error has the contract's body.

Hostile values, bodies, query strings, path segments, headers and methods are thrown at every
/api route the app has (read from its URL map, so new endpoints are covered as they appear), with
every kind of caller. Each test collects every bad answer and reports them together.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from eventsys.auth.models import TokenKind
from eventsys.auth.services import issue_token
from eventsys.events.models import Event, EventStatus
from eventsys.extensions import db
from tests.api_helpers import QUESTION_KINDS, assert_error_body
from tests.conftest import PASSWORD, bearer, make_event, make_token, make_user

pytestmark = pytest.mark.both_databases

JSON = "application/json"
BODY_METHODS = ("POST", "PATCH", "PUT", "DELETE")

HOSTILE_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    2**31,
    2**63,
    10**30,
    -(10**30),
    1.5,
    1e308,
    float("nan"),
    float("inf"),
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "杭州🎉 Ünïcödé \u202e\u200b",
    "x" * 100_000,
    "Mars/Base",
    "2021-02-30",
    "2021-02-30T10:00:00",
    "2021-06-18T25:61:00+08:00",
    "9999-12-31T23:59:59Z",
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "2021-06-18T09:00:00+99:00",
    "<script>alert(1)</script>",
    "'; DROP TABLE events; --",
    "%s%n%x{0}",
    "../../etc/passwd",
    {},
    {"nested": {"deep": [1, {"x": None}]}},
    [],
    [None],
    [1, "a"],
    ["x"] * 500,
    ["\x00"],
    ["\ud800"],
    [[["deep"]]],
]

RAW_BODIES: list[tuple[bytes, str | None]] = [
    (b"", JSON),
    (b"   ", JSON),
    (b"null", JSON),
    (b"[]", JSON),
    (b"[1, 2]", JSON),
    (b'"string"', JSON),
    (b"123", JSON),
    (b"true", JSON),
    (b"{", JSON),
    (b"{'a': 1}", JSON),
    (b'{"a": 1,}', JSON),
    (b"\xff\xfe\x00{", JSON),
    (b"\xef\xbb\xbf{}", JSON),
    (b'{"a": "\xff"}', JSON),
    (b"[" * 100_000, JSON),
    (b'{"a":' * 50_000, JSON),
    (b"NaN", JSON),
    (b'{"capacity": NaN, "name": Infinity}', JSON),
    (b'{"capacity": 1e999}', JSON),
    (b'{"capacity": ' + b"9" * 5000 + b"}", JSON),
    (b'{"name": "\\ud800", "label": "\\u0000", "email": "\\udfff@x.org"}', JSON),
    (b'{"name": "a", "name": "b"}', JSON),
    (b"name=x&label=y", "application/x-www-form-urlencoded"),
    (b"{}", "text/plain"),
    (b"{}", None),
    (b"<xml/>", "application/xml"),
    (b"{}", "application/json; charset=utf-16"),
    (b"{}", "application/json; charset=no-such-charset"),
    (b"{}", "multipart/form-data; boundary=x"),
    (b"x" * (1024 * 1024 + 1), JSON),
    (b"{" + b" " * (1024 * 1024) + b"}", JSON),
]

QUERY_VALUES = [
    "abc",
    "0",
    "-1",
    "1.5",
    "1e3",
    "9" * 30,
    "9" * 5000,
    "",
    "%00",
    "%ff",
    "%ED%A0%80",
    "١٢",
    "²",
    "NaN",
    "true",
    "[]",
    "x" * 5000,
]
QUERY_NAMES = ["page", "per_page", "q", "status", "ticket_type", "checked_in"]

PATH_SEGMENTS = [
    "a%00b",
    "%00",
    "%ff",
    "%ED%A0%80",
    "x" * 3000,
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e",
    "UPPER",
    "%F0%9F%8E%89",
    "9" * 40,
    "0",
    "-1",
    "%20",
    "null",
    "'%20OR%201=1--",
]

# Every body key any endpoint reads, so an all-keys body reaches each endpoint's fields.
ALL_KEYS = [
    "name",
    "slug",
    "tagline",
    "description",
    "venue",
    "address",
    "starts_at",
    "ends_at",
    "timezone",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "waitlist",
    "status",
    "label",
    "kind",
    "required",
    "options",
    "help_text",
    "email",
    "password",
    "ticket_type_id",
    "answers",
    "locale",
    "code",
    "direction",
    "gate",
    "nonce",
    "scanned_at",
]


# --- the world the battery runs in ----------------------------------------------------------------


@dataclass
class World:
    """An organizer with a published event fully set up, another organizer, and every kind of token."""

    owner_email: str
    owner_token: str
    other_token: str
    door_token: str
    revoked_token: str
    event_id: int
    draft_slug: str
    other_slug: str
    ticket_type_id: int
    question_ids: dict[str, int]
    door_token_id: int
    registration_code: str
    problems: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """The event's slug now (a hostile PATCH may have moved it)."""
        return db.session.get(Event, self.event_id).slug

    def callers(self) -> dict[str, dict[str, str]]:
        return {
            "anonymous": {},
            "owner": bearer(self.owner_token),
            "other organizer": bearer(self.other_token),
            "door": bearer(self.door_token),
            "revoked": bearer(self.revoked_token),
            "unknown": bearer("esp_unknown"),
            "garbage": {"Authorization": "Bearer \u00ff\u00fe" + "A" * 3000},
        }

    def path_values(self) -> dict[str, str]:
        return {
            "slug": self.slug,
            "token_id": str(self.door_token_id),
            "ticket_type_id": str(self.ticket_type_id),
            "question_id": str(self.question_ids["select"]),
            "code": self.registration_code,
            "action": "cancel",
        }


def _build_world(client: FlaskClient) -> World:
    owner = make_user(name="Owner")
    other = make_user(name="Other")
    owner_token = make_token(owner)
    revoked_token = make_token(owner)
    assert client.delete("/api/v1/tokens/current", headers=bearer(revoked_token)).status_code == 204

    headers = bearer(owner_token)
    response = client.post(
        "/api/v1/events",
        json={
            "name": "Battery Conf",
            "starts_at": "2030-06-18T09:00:00",
            "ends_at": "2030-06-18T18:00:00",
            "timezone": "Asia/Shanghai",
            "capacity": 100,
            "status": "published",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.json
    event = response.json
    slug = event["slug"]
    response = client.post(f"/api/v1/events/{slug}/ticket-types", json={"name": "VIP", "capacity": 10}, headers=headers)
    assert response.status_code == 201, response.json
    ticket_type_id = response.json["id"]
    question_ids = {}
    for kind in QUESTION_KINDS:
        body = {"label": f"Q {kind}", "kind": kind}
        if kind in ("select", "multiselect"):
            body["options"] = ["One", "Two"]
        response = client.post(f"/api/v1/events/{slug}/questions", json=body, headers=headers)
        assert response.status_code == 201, response.json
        question_ids[kind] = response.json["id"]
    response = client.post(f"/api/v1/events/{slug}/door-tokens", json={"label": "North door"}, headers=headers)
    assert response.status_code == 201, response.json
    door = response.json

    code = "AAAA-AAAA"
    registration = client.post(
        f"/api/v1/events/{slug}/registrations",
        json={"name": "Li Wei", "email": "li.wei@example.org", "ticket_type_id": event["ticket_types"][0]["id"]},
    )
    if registration.status_code == 201:  # when registrations exist, act on a real one
        code = registration.json["code"]

    draft = make_event(owner, status=EventStatus.DRAFT)
    other_event = make_event(other)
    return World(
        owner_email=owner.email,
        owner_token=owner_token,
        other_token=make_token(other),
        door_token=door["token"],
        revoked_token=revoked_token,
        event_id=event["id"],
        draft_slug=draft.slug,
        other_slug=other_event.slug,
        ticket_type_id=ticket_type_id,
        question_ids=question_ids,
        door_token_id=door["id"],
        registration_code=code,
    )


@pytest.fixture
def world(client: FlaskClient) -> World:
    return _build_world(client)


def api_rules(app: Flask) -> list[tuple[Rule, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            rules.extend((rule, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    assert rules, "no API routes found"
    return sorted(rules, key=lambda item: (item[0].rule, item[1]))


_PARAM = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def fill(rule: Rule, values: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: values.get(m.group(1), "1"), rule.rule)


def _label(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check(world: World, response: TestResponse, what: str, api: bool = True) -> None:
    """Record a problem if ``response`` is a 5xx, or an error not in the contract's shape."""
    try:
        if response.status_code >= 500:
            raise AssertionError(f"{response.status_code}: {response.get_data(as_text=True)[:200]}")
        if api and response.status_code >= 400:
            assert_error_body(response)
    except AssertionError as exc:
        world.problems.append(f"{what} -> {response.status_code}: {str(exc)[:300]}")
    finally:
        # What a server does after each request: nothing half-done carries over to the next. A
        # streamed answer (a CSV export) is closed now, not by the garbage collector amid a later
        # request, where it would pop that request's context.
        response.close()
        db.session.rollback()


def send(client: FlaskClient, method: str, path: str, **kwargs) -> TestResponse:
    return client.open(path, method=method, **kwargs)


def report(world: World) -> None:
    assert not world.problems, f"{len(world.problems)} bad answers:\n" + "\n".join(world.problems[:60])


def each_rule(app: Flask, methods: Iterable[str] | None = None) -> Iterable[tuple[Rule, str]]:
    for rule, method in api_rules(app):
        if methods is None or method in methods:
            yield rule, method


# --- the batteries -----------------------------------------------------------------------------------


def test_every_endpoint_with_every_kind_of_caller(app, client, world):
    for rule, method in each_rule(app):
        for who, headers in world.callers().items():
            for body in (None, {}):
                path = fill(rule, world.path_values())
                response = send(client, method, path, json=body, headers=headers)
                check(world, response, f"{method} {path} as {who} body={body!r}")
                if who in ("revoked", "unknown", "garbage") and response.status_code != 401:
                    world.problems.append(f"{method} {path} as {who}: {response.status_code}, not 401")
    report(world)


def test_every_endpoint_with_hostile_raw_bodies(app, client, world):
    for rule, method in each_rule(app, BODY_METHODS):
        for raw, content_type in RAW_BODIES:
            path = fill(rule, world.path_values())
            headers = bearer(world.owner_token)
            if content_type is not None:
                headers["Content-Type"] = content_type
            response = send(client, method, path, data=raw, headers=headers)
            check(world, response, f"{method} {path} raw={_label(raw)} type={content_type}")
    report(world)


def test_every_endpoint_with_every_key_set_to_a_hostile_value(app, client, world):
    for rule, method in each_rule(app, BODY_METHODS):
        for value in HOSTILE_VALUES:
            path = fill(rule, world.path_values())
            body = dict.fromkeys(ALL_KEYS, value)
            response = send(client, method, path, json=body, headers=bearer(world.owner_token))
            check(world, response, f"{method} {path} all keys={_label(value)}")
    report(world)


def test_every_endpoint_with_a_hostile_json_document_as_the_body(app, client, world):
    for rule, method in each_rule(app, BODY_METHODS):
        for value in HOSTILE_VALUES:
            path = fill(rule, world.path_values())
            response = send(client, method, path, json=value, headers=bearer(world.owner_token))
            check(world, response, f"{method} {path} body={_label(value)}")
    report(world)


# Valid bodies per endpoint; each field in turn is replaced by every hostile value.
def _valid_bodies(world: World) -> dict[tuple[str, str], Callable[[], dict]]:
    questions = world.question_ids
    return {
        ("POST", "/api/v1/tokens"): lambda: {"email": world.owner_email, "password": PASSWORD, "label": "Battery"},
        ("POST", "/api/v1/events"): lambda: {
            "name": "Hostile",
            "slug": None,
            "tagline": "t",
            "description": "d",
            "venue": "v",
            "address": "a",
            "starts_at": "2030-06-18T09:00:00",
            "ends_at": "2030-06-18T18:00:00",
            "timezone": "Asia/Shanghai",
            "capacity": 10,
            "registration_opens_at": "2030-05-01T09:00:00",
            "registration_closes_at": "2030-06-17T09:00:00",
            "requires_approval": False,
            "waitlist": True,
            "status": "draft",
        },
        ("PATCH", "/api/v1/events/<slug>"): lambda: {
            "name": "Still hostile",
            "starts_at": "2030-06-18T09:00:00",
            "ends_at": "2030-06-18T18:00:00",
            "timezone": "Asia/Shanghai",
            "capacity": 100,
            "registration_opens_at": None,
            "registration_closes_at": None,
            "requires_approval": False,
            "waitlist": True,
            "tagline": "t",
            "description": "d",
            "venue": "v",
            "address": "a",
            "status": "published",
        },
        ("POST", "/api/v1/events/<slug>/ticket-types"): lambda: {"name": "T", "capacity": 5, "description": "d"},
        ("PATCH", "/api/v1/events/<slug>/ticket-types/<int:ticket_type_id>"): lambda: {
            "name": "VIP",
            "capacity": 10,
            "description": "d",
        },
        ("POST", "/api/v1/events/<slug>/questions"): lambda: {
            "label": "Q",
            "kind": "select",
            "required": False,
            "options": ["One", "Two"],
            "help_text": "h",
        },
        ("PATCH", "/api/v1/events/<slug>/questions/<int:question_id>"): lambda: {
            "label": "Q",
            "kind": "select",
            "required": False,
            "options": ["One", "Two"],
            "help_text": "h",
        },
        ("POST", "/api/v1/events/<slug>/door-tokens"): lambda: {"label": "Gate"},
        ("POST", "/api/v1/events/<slug>/copy"): lambda: {
            "name": "Next year",
            "starts_at": "2031-06-18T09:00:00",
            "slug": None,
        },
        ("POST", "/api/v1/events/<slug>/registrations"): lambda: {
            "name": "Guest",
            "email": "guest@example.org",
            "ticket_type_id": world.ticket_type_id,
            "answers": {str(qid): "One" for qid in questions.values()},
            "locale": "en",
        },
    }


def test_each_field_of_each_endpoint_with_hostile_values(app, client, world):
    known = {(method, rule.rule): rule for rule, method in api_rules(app)}
    bodies = _valid_bodies(world)
    for (method, pattern), make_body in bodies.items():
        rule = known.get((method, pattern))
        assert rule is not None, f"{method} {pattern} is gone: update this battery, do not let it drop out"
        for name in make_body():
            for value in HOSTILE_VALUES:
                body = {**make_body(), name: value}
                path = fill(rule, world.path_values())
                response = send(client, method, path, json=body, headers=bearer(world.owner_token))
                check(world, response, f"{method} {path} {name}={_label(value)}")
    report(world)


def test_registration_answers_with_hostile_values(app, client, world):
    rules = {(method, rule.rule) for rule, method in api_rules(app)}
    assert ("POST", "/api/v1/events/<slug>/registrations") in rules, "the registrations endpoint moved"
    path = f"/api/v1/events/{world.slug}/registrations"
    for kind, question_id in world.question_ids.items():
        for value in [*HOSTILE_VALUES, "One", ["One"], ["One", "Nope"], "not-an-email", "+86 138 0000 0000"]:
            body = {"name": "Guest", "email": "guest@example.org", "answers": {str(question_id): value}}
            response = client.post(path, json=body)
            check(world, response, f"POST {path} answer[{kind}]={_label(value)}")
    for answers in ({"999999": "x"}, {"not-an-id": "x"}, {"": None}, {"\x00": "x"}, {"\ud800": "x"}):
        response = client.post(path, json={"name": "Guest", "email": "guest@example.org", "answers": answers})
        check(world, response, f"POST {path} answers={_label(answers)}")
    report(world)


def test_hostile_query_strings(app, client, world):
    for rule, method in each_rule(app, ("GET",)):
        for name in QUERY_NAMES:
            for value in QUERY_VALUES:
                path = fill(rule, world.path_values())
                for who in ("owner", "anonymous", "door"):
                    response = send(client, method, f"{path}?{name}={value}", headers=world.callers()[who])
                    check(world, response, f"GET {path}?{name}={_label(value)} as {who}")
        # Everything at once, repeated parameters too.
        path = fill(rule, world.path_values())
        query = "&".join(f"{name}={value}" for name in QUERY_NAMES for value in ("abc", "9" * 30))
        check(world, client.get(f"{path}?{query}", headers=bearer(world.owner_token)), f"GET {path}?{query[:60]}")
    report(world)


def test_hostile_path_segments(app, client, world):
    for rule, method in each_rule(app):
        for name in rule.arguments:
            for segment in PATH_SEGMENTS:
                values = {**world.path_values(), name: segment}
                path = fill(rule, values)
                for who in ("owner", "anonymous"):
                    response = send(client, method, path, json={}, headers=world.callers()[who])
                    check(world, response, f"{method} {path[:120]} ({name}) as {who}")
    report(world)


def test_other_events_drafts_and_door_tokens_on_every_endpoint(app, client, world):
    """Every route with a slug, pointed at someone else's event and at a draft, by every caller."""
    for rule, method in each_rule(app):
        if "slug" not in rule.arguments:
            continue
        for slug in (world.other_slug, world.draft_slug):
            for who, headers in world.callers().items():
                path = fill(rule, {**world.path_values(), "slug": slug})
                response = send(client, method, path, json={}, headers=headers)
                check(world, response, f"{method} {path} as {who}")
    report(world)


def test_wrong_methods_are_405_in_the_error_shape(app, client, world):
    paths: dict[str, set[str]] = {}
    for rule, method in api_rules(app):
        paths.setdefault(fill(rule, world.path_values()), set()).add(method)
    for path, allowed in paths.items():
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "PROPFIND"):
            if method in allowed or (method == "HEAD" and "GET" in allowed):
                continue
            response = send(client, method, path, json={}, headers=bearer(world.owner_token))
            check(world, response, f"{method} {path}")
            if response.status_code != 405:
                world.problems.append(f"{method} {path}: {response.status_code}, expected 405")
    report(world)


def test_unknown_api_addresses_are_404_in_the_error_shape(client, world):
    for path in (
        "/api/v1/nope",
        "/api/v1/",
        "/api/v2/events",
        "/api/v1/events/x/y/z/w",
        "/api/v1/tokens/other",
        "/api/v1/events/%00/questions",
    ):
        for method in ("GET", "POST", "DELETE"):
            response = send(client, method, path, json={}, headers=bearer(world.owner_token))
            check(world, response, f"{method} {path}")
            if response.status_code not in (404, 405):
                world.problems.append(f"{method} {path}: {response.status_code}, expected 404")
    report(world)


def test_hostile_authorization_and_content_headers(app, client, world):
    headers_list = [
        {"Authorization": ""},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer " + "x" * 20_000},
        {"Authorization": "Basic Og=="},
        {"Authorization": "Bearer \t" + world.owner_token},
        {"Authorization": "Bearer %00"},
        {"Authorization": "Bearer \u00e9"},
        {"Content-Type": "application/json; charset=\u00e9"},
        {"Content-Type": ""},
        {"Content-Type": "application/json" * 500},
        {"Accept": "text/html"},
        {"Accept-Charset": "nonsense"},
        {"X-Forwarded-For": "not-an-ip, ::1, 999.999.999.999"},
    ]
    for rule, method in each_rule(app):
        for headers in headers_list:
            path = fill(rule, world.path_values())
            response = send(client, method, path, data=b"{}", headers=headers)
            check(world, response, f"{method} {path} headers={_label(headers)}")
    report(world)


def test_door_link_and_door_page_with_hostile_input(client, world):
    for segment in [*PATH_SEGMENTS, world.owner_token, world.revoked_token, "esd_" + "A" * 43]:
        for path in (f"/door/{segment}", f"/events/{segment}/door"):
            response = client.get(path, follow_redirects=False)
            check(world, response, f"GET {path[:120]}", api=False)
    # A session naming a token that is not this event's active door token opens nothing.
    personal, _ = issue_token(make_user(), TokenKind.PERSONAL, "personal")
    other_user = make_user()
    other_door, _ = issue_token(other_user, TokenKind.DOOR, "elsewhere", event_id=make_event(other_user).id)
    for token_id in (personal.id, other_door.id, 999_999, None):
        with client.session_transaction() as session:
            session["door_token_id"] = token_id
        response = client.get(f"/events/{world.slug}/door")
        check(world, response, f"door page with session door_token_id={token_id!r}", api=False)
        if response.status_code != 404:
            world.problems.append(f"door page with session door_token_id={token_id!r}: {response.status_code}")
    report(world)


def test_repeated_destructive_requests(app, client, world):
    """Deleting, revoking and acting twice (and on what is gone) is a 4xx, never a crash."""
    owner = bearer(world.owner_token)
    slug = world.slug
    for _ in range(2):
        for path in (
            f"/api/v1/events/{slug}/door-tokens/{world.door_token_id}",
            f"/api/v1/events/{slug}/questions/{world.question_ids['text']}",
            f"/api/v1/events/{slug}/ticket-types/{world.ticket_type_id}",
        ):
            check(world, client.delete(path, headers=owner), f"DELETE {path}")
        for action in ("cancel", "approve", "reject"):
            path = f"/api/v1/events/{slug}/registrations/{world.registration_code}/{action}"
            check(world, client.post(path, headers=owner), f"POST {path}")
    # The last ticket type cannot go; changing the state of a cancelled event is a conflict.
    event = client.get(f"/api/v1/events/{slug}", headers=owner).json
    for ticket_type in event["ticket_types"]:
        path = f"/api/v1/events/{slug}/ticket-types/{ticket_type['id']}"
        check(world, client.delete(path, headers=owner), f"DELETE {path}")
    for status in ("cancelled", "published", "draft", "cancelled"):
        path = f"/api/v1/events/{slug}"
        check(world, client.patch(path, json={"status": status}, headers=owner), f"PATCH {path} status={status}")
    check(world, client.delete("/api/v1/tokens/current", headers=bearer(world.door_token)), "DELETE door token")
    check(world, client.delete("/api/v1/tokens/current", headers=bearer(world.door_token)), "DELETE door token again")
    check(world, client.delete("/api/v1/tokens/current", headers=owner), "DELETE own token")
    check(world, client.delete("/api/v1/tokens/current", headers=owner), "DELETE own token again")
    report(world)


def test_door_token_of_a_deleted_gate_event_and_kind_confusion(app, client, world):
    """A personal token where a door token is expected and the reverse."""
    owner_user_token = make_token(make_user())
    door_as_personal = make_token(make_user(), TokenKind.DOOR, db.session.get(Event, world.event_id))
    for rule, method in each_rule(app):
        for token in (owner_user_token, door_as_personal):
            path = fill(rule, world.path_values())
            check(world, send(client, method, path, json={}, headers=bearer(token)), f"{method} {path}")
    report(world)
