"""Events, ticket types, questions and door tokens through /api/v1, as the contract fixes them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from eventsys.auth.models import ApiToken, TokenKind, User
from eventsys.events.models import Event, EventStatus, TicketType
from eventsys.extensions import db
from tests.api_helpers import (
    QUESTION_KINDS,
    assert_error,
    assert_page,
    assert_timestamp_with_offset,
    assert_validation,
)
from tests.conftest import bearer, make_event, make_token, make_user

pytestmark = pytest.mark.both_databases

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIMESTAMP_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


@dataclass
class Organizer:
    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(self.token)


def new_organizer(name: str = "Organizer") -> Organizer:
    user = make_user(name=name)
    return Organizer(user, make_token(user))


@pytest.fixture
def alice(client) -> Organizer:
    return new_organizer("Alice")


@pytest.fixture
def bob(client) -> Organizer:
    return new_organizer("Bob")


def event_body(**fields) -> dict:
    return {
        "name": "TECOM Conf Hangzhou",
        "starts_at": "2030-06-18T09:00:00+08:00",
        "ends_at": "2030-06-18T18:00:00+08:00",
        "timezone": "Asia/Shanghai",
        **fields,
    }


def create_event(client, who: Organizer, **fields):
    return client.post("/api/v1/events", json=event_body(**fields), headers=who.headers)


def created(client, who: Organizer, **fields) -> dict:
    response = create_event(client, who, **fields)
    assert response.status_code == 201, response.json
    return response.json


def set_seats_taken(event_slug: str, event_seats: int | None = None, ticket_type_seats: dict[int, int] | None = None):
    """Simulate confirmed registrations by writing the seat counters directly."""
    event = db.session.query(Event).filter_by(slug=event_slug).one()
    if event_seats is not None:
        event.seats_taken = event_seats
    for type_id, seats in (ticket_type_seats or {}).items():
        db.session.get(TicketType, type_id).seats_taken = seats
    db.session.commit()


def door_token_of(client, who: Organizer, slug: str, label: str = "North door") -> dict:
    response = client.post(f"/api/v1/events/{slug}/door-tokens", json={"label": label}, headers=who.headers)
    assert response.status_code == 201, response.json
    return response.json


# === POST /api/v1/events =======================================================================


def test_create_event_is_201_with_defaults_and_one_general_admission_ticket_type(client, alice):
    response = create_event(client, alice)
    assert response.status_code == 201, response.json
    assert response.mimetype == "application/json"
    body = response.json
    assert isinstance(body["id"], int)
    assert body["name"] == "TECOM Conf Hangzhou"
    assert body["slug"] == "tecom-conf-hangzhou"
    assert body["timezone"] == "Asia/Shanghai"
    assert body["status"] == "draft"
    assert body["requires_approval"] is False
    assert body["waitlist"] is True
    assert body["capacity"] is None
    assert body["registration_opens_at"] is None and body["registration_closes_at"] is None
    assert body["questions"] == []
    [ticket_type] = body["ticket_types"]
    assert ticket_type["name"] == "General admission"
    assert ticket_type["capacity"] is None
    assert ticket_type["remaining"] is None
    assert isinstance(ticket_type["id"], int)


def test_create_event_with_every_field(client, alice):
    body = created(
        client,
        alice,
        slug="hz-2030",
        tagline="Two days of talks",
        description="A long description.",
        venue="Hangzhou International Expo Center",
        address="353 Benjing Avenue, Hangzhou",
        capacity=400,
        registration_opens_at="2030-05-01T10:00:00+08:00",
        registration_closes_at="2030-06-17T23:59:00+08:00",
        requires_approval=True,
        waitlist=False,
        status="published",
    )
    assert body["slug"] == "hz-2030"
    assert body["tagline"] == "Two days of talks"
    assert body["description"] == "A long description."
    assert body["venue"] == "Hangzhou International Expo Center"
    assert body["address"] == "353 Benjing Avenue, Hangzhou"
    assert body["capacity"] == 400
    assert body["registration_opens_at"] == "2030-05-01T10:00:00+08:00"
    assert body["registration_closes_at"] == "2030-06-17T23:59:00+08:00"
    assert body["requires_approval"] is True
    assert body["waitlist"] is False
    assert body["status"] == "published"
    [ticket_type] = body["ticket_types"]
    assert ticket_type["capacity"] is None  # no limit of its own ...
    assert ticket_type["remaining"] == 400  # ... but the event's capacity applies
    # Published: anyone sees it, and it is listed.
    assert client.get("/api/v1/events/hz-2030").status_code == 200
    assert "hz-2030" in {e["slug"] for e in client.get("/api/v1/events").json["items"]}


def test_capacity_zero_and_null_are_accepted(client, alice):
    assert created(client, alice, capacity=0)["ticket_types"][0]["remaining"] == 0
    assert created(client, alice, capacity=None)["capacity"] is None


def test_text_fields_accept_null_as_empty(client, alice):
    body = created(client, alice, tagline=None, description=None, venue=None, address=None)
    assert all(body[name] in ("", None) for name in ("tagline", "description", "venue", "address"))


# --- slugs ---


def test_slug_is_made_from_the_name_and_unique_when_names_repeat(client, alice, bob):
    slugs = [created(client, who)["slug"] for who in (alice, alice, bob)]
    assert slugs[0] == "tecom-conf-hangzhou"
    assert len(set(slugs)) == 3
    assert all(SLUG.match(slug) and len(slug) <= 80 for slug in slugs)
    # Each is its own event.
    ids = {client.get(f"/api/v1/events/{slugs[0]}", headers=alice.headers).json["id"]}
    ids.add(client.get(f"/api/v1/events/{slugs[1]}", headers=alice.headers).json["id"])
    ids.add(client.get(f"/api/v1/events/{slugs[2]}", headers=bob.headers).json["id"])
    assert len(ids) == 3


@pytest.mark.parametrize(
    "name", ["!!!", "杭州 大会 2030", "Ünïcödé Çafé — Ärger", "🎉🎉🎉", "a" * 200, "  Spaces   around  ", "Ends with -"]
)
def test_slug_from_any_name_is_well_formed(client, alice, name):
    slug = created(client, alice, name=name)["slug"]
    assert SLUG.match(slug) and len(slug) <= 80, slug
    assert client.get(f"/api/v1/events/{slug}", headers=alice.headers).status_code == 200


def test_slug_made_from_the_name_skips_an_explicit_slug_already_taken(client, alice):
    created(client, alice, name="Other", slug="tecom-conf-hangzhou")
    slug = created(client, alice)["slug"]
    assert slug != "tecom-conf-hangzhou" and slug.startswith("tecom-conf-hangzhou") and SLUG.match(slug)


def test_explicit_slug_is_used(client, alice):
    assert created(client, alice, slug="my-event-2030")["slug"] == "my-event-2030"
    assert client.get("/api/v1/events/my-event-2030", headers=alice.headers).json["name"] == "TECOM Conf Hangzhou"


@pytest.mark.parametrize(
    "slug",
    [
        "Bad Slug",
        "UPPER",
        "under_score",
        "-leading",
        "trailing-",
        "double--hyphen",
        "dot.ted",
        "slash/ed",
        "trailing-newline\n",
        "caf\u00e9",
        "a" * 81,
        " padded ",
    ],
)
def test_explicit_slug_must_be_lowercase_letters_digits_and_hyphens(client, alice, slug):
    assert_validation(create_event(client, alice, slug=slug), "slug")


def test_explicit_slug_must_be_unique_even_against_another_organizers_draft(client, alice, bob):
    created(client, bob, slug="taken")  # a draft: Alice cannot see it, but its address is taken
    fields = assert_validation(create_event(client, alice, slug="taken"), "slug")
    assert fields["slug"]


# --- validation ---


@pytest.mark.parametrize("missing", ["name", "starts_at", "ends_at"])
def test_required_fields_are_422_with_fields(client, alice, missing):
    body = event_body()
    del body[missing]
    assert_validation(client.post("/api/v1/events", json=body, headers=alice.headers), missing)


def test_empty_object_names_every_required_field(client, alice):
    fields = assert_validation(client.post("/api/v1/events", json={}, headers=alice.headers), "name")
    assert {"name", "starts_at", "ends_at"} <= set(fields)


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("2030-06-18T09:00:00+08:00", "2030-06-18T09:00:00+08:00"),  # equal
        ("2030-06-18T09:00:00+08:00", "2030-06-18T01:00:00Z"),  # the same instant, another offset
        ("2030-06-18T09:00:00+08:00", "2030-06-18T08:59:59+08:00"),  # before
        ("2030-06-18T09:00:00", "2030-06-17T09:00:00"),
    ],
)
def test_ends_at_must_be_after_starts_at(client, alice, starts_at, ends_at):
    assert_validation(create_event(client, alice, starts_at=starts_at, ends_at=ends_at), "ends_at")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("capacity", "ten"),
        ("capacity", "10"),
        ("capacity", 10.5),
        ("capacity", True),
        ("capacity", [10]),
        ("requires_approval", "yes"),
        ("requires_approval", 1),
        ("waitlist", "true"),
        ("name", 5),
        ("name", ["TECOM"]),
        ("name", {"en": "TECOM"}),
        ("starts_at", 1_900_000_000),
        ("timezone", 8),
        ("slug", 42),
        ("tagline", False),
        ("status", 1),
        ("registration_opens_at", {"at": "2030-05-01"}),
    ],
)
def test_wrong_json_types_are_400(client, alice, field, value):
    assert_error(create_event(client, alice, **{field: value}), 400)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("capacity", -1),
        ("capacity", 10**30),
        ("timezone", "Mars/Base"),
        ("timezone", ""),
        ("timezone", "+08:00"),
        ("starts_at", "2030-02-30T10:00:00"),
        ("starts_at", "tomorrow morning"),
        ("starts_at", ""),
        ("ends_at", "2030-13-01T10:00:00Z"),
        ("registration_opens_at", "2021-02-30"),
        ("status", "archived"),
        ("status", "cancelled"),
        ("status", "PUBLISHED"),
        ("name", ""),
        ("name", "   "),
        ("name", "x" * 201),
        ("tagline", "x" * 301),
        ("venue", "x" * 201),
        ("address", "x" * 501),
        ("description", "x" * 20_001),
    ],
)
def test_invalid_values_are_422_naming_the_field(client, alice, field, value):
    assert_validation(create_event(client, alice, **{field: value}), field)


def test_registration_must_close_after_it_opens(client, alice):
    response = create_event(
        client, alice, registration_opens_at="2030-06-01T10:00:00", registration_closes_at="2030-05-01T10:00:00"
    )
    assert_validation(response, "registration_closes_at")


def test_nothing_is_created_when_validation_fails(client, alice):
    assert_validation(create_event(client, alice, capacity=-5), "capacity")
    listed = client.get("/api/v1/events", headers=alice.headers).json
    assert listed["total"] == 0 and listed["items"] == []


def test_not_json_content_type_is_415(client, alice):
    body = '{"name": "x", "starts_at": "2030-06-18T09:00:00Z", "ends_at": "2030-06-18T10:00:00Z"}'
    assert_error(
        client.post("/api/v1/events", data={"name": "x"}, headers=alice.headers), 415, "unsupported_media_type"
    )
    assert_error(client.post("/api/v1/events", data=body, content_type="text/plain", headers=alice.headers), 415)
    assert_error(client.post("/api/v1/events", data=body, headers=alice.headers), 415)


@pytest.mark.parametrize("raw", ['{"name": ', "{'name': 'x'}", "[]", "null", '"event"', "42", "{,}", "\ufeff{}x"])
def test_malformed_json_or_not_an_object_is_400(client, alice, raw):
    response = client.post("/api/v1/events", data=raw, content_type="application/json", headers=alice.headers)
    assert_error(response, 400)


def test_empty_body_is_400(client, alice):
    response = client.post("/api/v1/events", data="", content_type="application/json", headers=alice.headers)
    assert_error(response, 400)


def test_body_over_one_megabyte_is_413(client, alice):
    big = event_body(description="x" * (1024 * 1024))
    assert_error(client.post("/api/v1/events", json=big, headers=alice.headers), 413, "payload_too_large")


def test_no_token_is_401(client):
    assert_error(client.post("/api/v1/events", json=event_body()), 401, "unauthorized")


def test_door_token_cannot_create_events_403(client, alice):
    event = make_event(alice.user)
    door = make_token(alice.user, TokenKind.DOOR, event)
    assert_error(client.post("/api/v1/events", json=event_body(), headers=bearer(door)), 403, "forbidden")


# --- time zones ---


def test_timestamps_without_offset_are_read_in_the_events_timezone(client, alice):
    body = created(
        client,
        alice,
        starts_at="2030-06-18T09:00:00",
        ends_at="2030-06-18T18:00:00",
        registration_opens_at="2030-05-01T10:00:00",
        registration_closes_at="2030-06-17T23:59:00",
    )
    assert body["starts_at"] == "2030-06-18T09:00:00+08:00"
    assert body["ends_at"] == "2030-06-18T18:00:00+08:00"
    assert body["registration_opens_at"] == "2030-05-01T10:00:00+08:00"
    assert body["registration_closes_at"] == "2030-06-17T23:59:00+08:00"
    event = db.session.get(Event, body["id"])
    assert event.starts_at == datetime(2030, 6, 18, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("timezone", "local", "expected"),
    [
        ("America/New_York", "2030-01-10T09:00:00", "2030-01-10T09:00:00-05:00"),
        ("America/New_York", "2030-07-10T09:00:00", "2030-07-10T09:00:00-04:00"),
        ("Asia/Kolkata", "2030-03-01T09:30:00", "2030-03-01T09:30:00+05:30"),
        ("UTC", "2030-03-01T09:30:00", "2030-03-01T09:30:00+00:00"),
        ("Europe/Berlin", "2030-10-27T12:00:00", "2030-10-27T12:00:00+01:00"),
    ],
)
def test_output_timestamps_carry_the_events_offset_at_that_date(client, alice, timezone, local, expected):
    ends = local.split("T")[0] + "T23:00:00"
    body = created(client, alice, timezone=timezone, starts_at=local, ends_at=ends)
    assert body["starts_at"] == expected
    assert (
        assert_timestamp_with_offset(body["ends_at"]).utcoffset() == assert_timestamp_with_offset(expected).utcoffset()
    )


def test_timestamps_with_any_offset_are_shown_in_the_events_timezone(client, alice):
    body = created(client, alice, starts_at="2030-06-18T01:00:00Z", ends_at="2030-06-18T04:00:00-06:00")
    assert body["starts_at"] == "2030-06-18T09:00:00+08:00"
    assert body["ends_at"] == "2030-06-18T18:00:00+08:00"


def test_without_a_timezone_the_event_is_in_utc(client, alice):
    body = event_body(starts_at="2030-06-18T09:00:00", ends_at="2030-06-18T18:00:00")
    del body["timezone"]
    response = client.post("/api/v1/events", json=body, headers=alice.headers)
    assert response.status_code == 201, response.json
    assert response.json["timezone"] == "UTC"
    assert response.json["starts_at"] == "2030-06-18T09:00:00+00:00"


def test_every_timestamp_in_the_output_has_the_events_offset(client, alice):
    body = created(
        client,
        alice,
        timezone="Australia/Sydney",
        starts_at="2030-01-05T09:00:00",
        ends_at="2030-01-05T17:00:00",
        registration_opens_at="2029-07-01T09:00:00",
        registration_closes_at="2030-01-04T09:00:00",
        status="published",
    )
    zone = ZoneInfo("Australia/Sydney")
    for source in (body, client.get(f"/api/v1/events/{body['slug']}").json):
        for name in TIMESTAMP_FIELDS:
            moment = assert_timestamp_with_offset(source[name])
            assert moment.utcoffset() == moment.astimezone(zone).utcoffset(), (name, source[name])
    # Sydney is +11:00 in January and +10:00 in July.
    assert body["starts_at"].endswith("+11:00") and body["registration_opens_at"].endswith("+10:00")


# === GET /api/v1/events ==========================================================================


def test_list_shows_published_events_and_the_callers_own_drafts_only(client, alice, bob):
    alice_draft = make_event(alice.user, status=EventStatus.DRAFT)
    alice_published = make_event(alice.user)
    bob_draft = make_event(bob.user, status=EventStatus.DRAFT)
    bob_published = make_event(bob.user)

    def listed(headers=None) -> dict:
        response = client.get("/api/v1/events?per_page=200", headers=headers or {})
        assert response.status_code == 200
        assert_page(response.json)
        slugs = [item["slug"] for item in response.json["items"]]
        assert response.json["total"] == len(slugs)
        return set(slugs)

    assert listed(alice.headers) == {alice_draft.slug, alice_published.slug, bob_published.slug}
    assert listed(bob.headers) == {bob_draft.slug, alice_published.slug, bob_published.slug}
    assert listed() == {alice_published.slug, bob_published.slug}


def test_list_is_paginated(client, alice):
    slugs = {make_event(alice.user).slug for _ in range(5)}
    seen: list[str] = []
    for page in (1, 2, 3):
        response = client.get(f"/api/v1/events?page={page}&per_page=2")
        assert response.status_code == 200
        body = response.json
        assert_page(body)
        assert body["total"] == 5 and body["page"] == page and body["per_page"] == 2
        assert len(body["items"]) == (2 if page < 3 else 1)
        seen += [item["slug"] for item in body["items"]]
    assert sorted(seen) == sorted(slugs)  # every event once, none twice
    beyond = client.get("/api/v1/events?page=4&per_page=2").json
    assert beyond["items"] == [] and beyond["total"] == 5 and beyond["page"] == 4


def test_list_defaults_and_per_page_cap(client, alice):
    make_event(alice.user)
    default = client.get("/api/v1/events").json
    assert_page(default)
    assert default["page"] == 1 and default["per_page"] <= 200
    assert client.get("/api/v1/events?per_page=500").json["per_page"] == 200
    assert client.get("/api/v1/events?per_page=200").json["per_page"] == 200
    assert client.get("/api/v1/events?per_page=1").json["per_page"] == 1


@pytest.mark.parametrize(
    "query",
    ["page=abc", "page=0", "page=-1", "page=1.5", "per_page=abc", "per_page=0", "per_page=-5", "page=" + "9" * 40],
)
def test_bad_pagination_is_400(client, query):
    assert_error(client.get(f"/api/v1/events?{query}"), 400)


def test_door_token_cannot_list_events(client, alice):
    event = make_event(alice.user)
    door = make_token(alice.user, TokenKind.DOOR, event)
    assert_error(client.get("/api/v1/events", headers=bearer(door)), 403, "forbidden")


# === GET /api/v1/events/{slug} ====================================================================


def test_get_event_visibility(client, alice, bob):
    alice_draft = make_event(alice.user, status=EventStatus.DRAFT)
    bob_published = make_event(bob.user)
    assert_error(client.get(f"/api/v1/events/{alice_draft.slug}", headers=bob.headers), 404, "not_found")
    assert_error(client.get(f"/api/v1/events/{alice_draft.slug}"), 404, "not_found")
    own = client.get(f"/api/v1/events/{alice_draft.slug}", headers=alice.headers)
    assert own.status_code == 200 and own.json["status"] == "draft"
    for headers in ({}, alice.headers, bob.headers):
        response = client.get(f"/api/v1/events/{bob_published.slug}", headers=headers)
        assert response.status_code == 200 and response.json["slug"] == bob_published.slug


def test_get_unknown_event_is_404(client, alice):
    make_event(alice.user, slug="real-event")
    assert_error(client.get("/api/v1/events/no-such-event"), 404, "not_found")
    assert_error(client.get("/api/v1/events/REAL-EVENT"), 404, "not_found")


def test_get_event_has_ticket_types_and_questions(client, alice):
    slug = created(client, alice, capacity=50, status="published")["slug"]
    body = client.get(f"/api/v1/events/{slug}").json
    assert isinstance(body["questions"], list)
    for ticket_type in body["ticket_types"]:
        assert {"id", "name", "capacity", "remaining"} <= set(ticket_type)


# === PATCH /api/v1/events/{slug} ===================================================================


def test_owner_patches_an_event(client, alice):
    slug = created(client, alice)["slug"]
    response = client.patch(
        f"/api/v1/events/{slug}",
        json={"name": "TECOM Conf 2030", "venue": "Expo Center", "capacity": 300, "waitlist": False},
        headers=alice.headers,
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["name"] == "TECOM Conf 2030" and body["venue"] == "Expo Center"
    assert body["capacity"] == 300 and body["waitlist"] is False
    assert body["slug"] == slug  # renaming keeps the address people have bookmarked
    assert body["starts_at"] == "2030-06-18T09:00:00+08:00"  # untouched fields stay
    again = client.get(f"/api/v1/events/{slug}", headers=alice.headers).json
    assert again["name"] == "TECOM Conf 2030" and again["ticket_types"][0]["remaining"] == 300


def test_patch_with_naive_timestamps_reads_them_in_the_events_timezone(client, alice):
    slug = created(client, alice)["slug"]
    body = client.patch(f"/api/v1/events/{slug}", json={"starts_at": "2030-06-18T10:00:00"}, headers=alice.headers).json
    assert body["starts_at"] == "2030-06-18T10:00:00+08:00"
    moved = client.patch(
        f"/api/v1/events/{slug}",
        json={"timezone": "Europe/London", "starts_at": "2030-06-18T10:00:00", "ends_at": "2030-06-18T17:00:00"},
        headers=alice.headers,
    ).json
    assert moved["timezone"] == "Europe/London"
    assert moved["starts_at"] == "2030-06-18T10:00:00+01:00"
    assert moved["ends_at"] == "2030-06-18T17:00:00+01:00"


def test_patch_timezone_alone_keeps_the_instant_and_changes_the_offset(client, alice):
    slug = created(client, alice)["slug"]
    body = client.patch(f"/api/v1/events/{slug}", json={"timezone": "UTC"}, headers=alice.headers).json
    assert body["starts_at"] == "2030-06-18T01:00:00+00:00"


def test_patch_validation(client, alice, bob):
    slug = created(client, alice)["slug"]
    created(client, bob, slug="bobs-event")
    url = f"/api/v1/events/{slug}"
    assert_error(client.patch(url, json={"name": None}, headers=alice.headers), 400)  # null is not a string
    assert_validation(client.patch(url, json={"name": "  "}, headers=alice.headers), "name")
    assert_validation(client.patch(url, json={"ends_at": "2030-06-18T08:00:00"}, headers=alice.headers), "ends_at")
    assert_validation(client.patch(url, json={"timezone": "Mars/Base"}, headers=alice.headers), "timezone")
    assert_validation(client.patch(url, json={"capacity": -1}, headers=alice.headers), "capacity")
    assert_validation(client.patch(url, json={"slug": "bobs-event"}, headers=alice.headers), "slug")
    assert_validation(client.patch(url, json={"slug": "Not OK"}, headers=alice.headers), "slug")
    assert_validation(client.patch(url, json={"status": "archived"}, headers=alice.headers), "status")
    assert_error(client.patch(url, json={"capacity": "ten"}, headers=alice.headers), 400)
    assert_error(client.patch(url, json={"requires_approval": "yes"}, headers=alice.headers), 400)
    assert_error(client.patch(url, data="name=x", headers=alice.headers), 415)
    assert_error(client.patch(url, data="{", content_type="application/json", headers=alice.headers), 400)
    # Nothing of it stuck.
    body = client.get(url, headers=alice.headers).json
    assert body["name"] == "TECOM Conf Hangzhou" and body["slug"] == slug and body["timezone"] == "Asia/Shanghai"


def test_patch_slug_moves_the_event(client, alice):
    slug = created(client, alice, status="published")["slug"]
    response = client.patch(f"/api/v1/events/{slug}", json={"slug": "new-home"}, headers=alice.headers)
    assert response.status_code == 200 and response.json["slug"] == "new-home"
    assert client.get("/api/v1/events/new-home").status_code == 200
    assert_error(client.get(f"/api/v1/events/{slug}"), 404)
    # Re-sending its own slug is not a conflict.
    assert client.patch("/api/v1/events/new-home", json={"slug": "new-home"}, headers=alice.headers).status_code == 200


def test_patch_access(client, alice, bob):
    published = make_event(alice.user)
    draft = make_event(alice.user, status=EventStatus.DRAFT)
    change = {"name": "Hijacked"}
    assert_error(client.patch(f"/api/v1/events/{published.slug}", json=change, headers=bob.headers), 403, "forbidden")
    assert_error(client.patch(f"/api/v1/events/{draft.slug}", json=change, headers=bob.headers), 404, "not_found")
    assert_error(client.patch(f"/api/v1/events/{published.slug}", json=change), 401, "unauthorized")
    assert_error(client.patch("/api/v1/events/no-such-event", json=change, headers=alice.headers), 404)
    door = make_token(alice.user, TokenKind.DOOR, published)
    assert_error(client.patch(f"/api/v1/events/{published.slug}", json=change, headers=bearer(door)), 403)
    assert client.get(f"/api/v1/events/{published.slug}").json["name"] != "Hijacked"


def test_status_changes_publish_unpublish_cancel(client, alice):
    slug = created(client, alice)["slug"]
    url = f"/api/v1/events/{slug}"

    def public_slugs() -> set[str]:
        return {e["slug"] for e in client.get("/api/v1/events").json["items"]}

    assert_error(client.get(url), 404)
    response = client.patch(url, json={"status": "published"}, headers=alice.headers)
    assert response.status_code == 200 and response.json["status"] == "published"
    assert client.get(url).status_code == 200 and slug in public_slugs()

    response = client.patch(url, json={"status": "draft"}, headers=alice.headers)  # unpublish
    assert response.status_code == 200 and response.json["status"] == "draft"
    assert_error(client.get(url), 404)
    assert slug not in public_slugs()

    again = client.patch(url, json={"status": "draft"}, headers=alice.headers)  # no change is fine
    assert again.status_code == 200 and again.json["status"] == "draft"

    response = client.patch(url, json={"status": "cancelled"}, headers=alice.headers)
    assert response.status_code == 200 and response.json["status"] == "cancelled"


def test_published_event_can_be_cancelled(client, alice):
    slug = created(client, alice, status="published")["slug"]
    response = client.patch(f"/api/v1/events/{slug}", json={"status": "cancelled"}, headers=alice.headers)
    assert response.status_code == 200 and response.json["status"] == "cancelled"


@pytest.mark.parametrize("target", ["published", "draft"])
def test_cancelled_event_cannot_go_back_409_and_nothing_changes(client, alice, target):
    slug = created(client, alice, status="published")["slug"]
    url = f"/api/v1/events/{slug}"
    assert client.patch(url, json={"status": "cancelled"}, headers=alice.headers).status_code == 200
    assert_error(client.patch(url, json={"status": target}, headers=alice.headers), 409)
    # A refused request changes nothing, not even the other fields sent with it.
    assert_error(client.patch(url, json={"name": "Renamed", "status": target}, headers=alice.headers), 409)
    body = client.get(url, headers=alice.headers).json
    assert body["status"] == "cancelled" and body["name"] == "TECOM Conf Hangzhou"


def test_capacity_below_seats_taken_is_409(client, alice):
    slug = created(client, alice, capacity=10, status="published")["slug"]
    set_seats_taken(slug, event_seats=5)
    url = f"/api/v1/events/{slug}"
    assert_error(client.patch(url, json={"capacity": 4}, headers=alice.headers), 409, "capacity_below_registrations")
    assert_error(
        client.patch(url, json={"capacity": 0, "name": "Shrunk"}, headers=alice.headers),
        409,
        "capacity_below_registrations",
    )
    body = client.get(url).json
    assert body["capacity"] == 10 and body["name"] == "TECOM Conf Hangzhou"
    assert body["ticket_types"][0]["remaining"] == 5
    exact = client.patch(url, json={"capacity": 5}, headers=alice.headers)
    assert exact.status_code == 200 and exact.json["ticket_types"][0]["remaining"] == 0
    unlimited = client.patch(url, json={"capacity": None}, headers=alice.headers)
    assert unlimited.status_code == 200 and unlimited.json["capacity"] is None
    assert unlimited.json["ticket_types"][0]["remaining"] is None


# === POST /api/v1/events/{slug}/ticket-types =========================================================


def test_create_ticket_type_is_201(client, alice):
    slug = created(client, alice)["slug"]
    response = client.post(
        f"/api/v1/events/{slug}/ticket-types",
        json={"name": "Early bird", "capacity": 50, "description": "Until May"},
        headers=alice.headers,
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert {"id", "name", "capacity", "remaining"} <= set(body)
    assert isinstance(body["id"], int)
    assert body["name"] == "Early bird" and body["capacity"] == 50 and body["remaining"] == 50
    event = client.get(f"/api/v1/events/{slug}", headers=alice.headers).json
    assert [t["name"] for t in event["ticket_types"]] == ["General admission", "Early bird"]
    assert event["ticket_types"][1]["id"] == body["id"]


def test_ticket_type_without_capacity_has_no_limit(client, alice):
    slug = created(client, alice)["slug"]
    for body in ({"name": "Speaker"}, {"name": "Press", "capacity": None}):
        response = client.post(f"/api/v1/events/{slug}/ticket-types", json=body, headers=alice.headers)
        assert response.status_code == 201
        assert response.json["capacity"] is None and response.json["remaining"] is None


@pytest.mark.parametrize(
    ("event_capacity", "event_taken", "type_capacity", "type_taken", "remaining"),
    [
        (None, 0, None, 0, None),  # no limit anywhere
        (10, 3, None, 0, 7),  # only the event limits
        (None, 0, 5, 2, 3),  # only the type limits
        (10, 8, 5, 1, 2),  # the event is the tighter
        (10, 2, 5, 4, 1),  # the type is the tighter
        (10, 5, 5, 0, 5),  # equal
        (10, 10, None, 0, 0),  # event full
        (None, 7, 5, 5, 0),  # type full
        (0, 0, 5, 0, 0),  # event capacity zero
        (None, 0, 0, 0, 0),  # type capacity zero
    ],
)
def test_remaining_is_the_smaller_of_the_types_and_the_events_free_seats(
    client, alice, event_capacity, event_taken, type_capacity, type_taken, remaining
):
    slug = created(client, alice, capacity=event_capacity)["slug"]
    response = client.post(
        f"/api/v1/events/{slug}/ticket-types",
        json={"name": "Limited", "capacity": type_capacity},
        headers=alice.headers,
    )
    assert response.status_code == 201
    type_id = response.json["id"]
    set_seats_taken(slug, event_seats=event_taken, ticket_type_seats={type_id: type_taken})
    event = client.get(f"/api/v1/events/{slug}", headers=alice.headers).json
    [ticket_type] = [t for t in event["ticket_types"] if t["id"] == type_id]
    assert ticket_type["capacity"] == type_capacity
    assert ticket_type["remaining"] == remaining
    # The general admission type, with no limit of its own, has what the event has left.
    general = event["ticket_types"][0]
    expected_general = None if event_capacity is None else max(event_capacity - event_taken, 0)
    assert general["remaining"] == expected_general


def test_new_ticket_type_remaining_counts_the_events_seats_already_taken(client, alice):
    slug = created(client, alice, capacity=10)["slug"]
    set_seats_taken(slug, event_seats=7)
    response = client.post(
        f"/api/v1/events/{slug}/ticket-types", json={"name": "VIP", "capacity": 5}, headers=alice.headers
    )
    assert response.status_code == 201 and response.json["remaining"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"capacity": 5}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": None}, "name"),
        ({"name": "VIP", "capacity": -1}, "capacity"),
        ({"name": "VIP", "capacity": 10**30}, "capacity"),
        ({"name": "VIP", "description": "x" * 5001}, "description"),
    ],
)
def test_ticket_type_validation_is_422(client, alice, body, field):
    slug = created(client, alice)["slug"]
    assert_validation(client.post(f"/api/v1/events/{slug}/ticket-types", json=body, headers=alice.headers), field)


@pytest.mark.parametrize(
    "body",
    [
        {"name": 5},
        {"name": "VIP", "capacity": "5"},
        {"name": "VIP", "capacity": 2.5},
        {"name": "VIP", "capacity": True},
        {"name": ["VIP"]},
        {"name": "VIP", "description": 5},
    ],
)
def test_ticket_type_wrong_types_are_400(client, alice, body):
    slug = created(client, alice)["slug"]
    assert_error(client.post(f"/api/v1/events/{slug}/ticket-types", json=body, headers=alice.headers), 400)


def test_ticket_type_access(client, alice, bob):
    published = make_event(alice.user)
    draft = make_event(alice.user, status=EventStatus.DRAFT)
    body = {"name": "Sneaky"}
    assert_error(client.post(f"/api/v1/events/{published.slug}/ticket-types", json=body, headers=bob.headers), 403)
    assert_error(client.post(f"/api/v1/events/{draft.slug}/ticket-types", json=body, headers=bob.headers), 404)
    assert_error(client.post(f"/api/v1/events/{published.slug}/ticket-types", json=body), 401)
    door = make_token(alice.user, TokenKind.DOOR, published)
    assert_error(client.post(f"/api/v1/events/{published.slug}/ticket-types", json=body, headers=bearer(door)), 403)
    names = [t["name"] for t in client.get(f"/api/v1/events/{published.slug}").json["ticket_types"]]
    assert names == ["General admission"]


# === POST /api/v1/events/{slug}/questions ===============================================================


@pytest.mark.parametrize("kind", QUESTION_KINDS)
def test_every_question_kind_is_accepted(client, alice, kind):
    slug = created(client, alice)["slug"]
    body = {"label": f"A {kind} question", "kind": kind, "required": True, "help_text": "Help"}
    if kind in ("select", "multiselect"):
        body["options"] = ["Vegetarian", "Vegan", "None"]
    response = client.post(f"/api/v1/events/{slug}/questions", json=body, headers=alice.headers)
    assert response.status_code == 201, response.json
    question = response.json
    assert isinstance(question["id"], int)
    assert question["label"] == f"A {kind} question" and question["kind"] == kind
    assert question["required"] is True
    if kind in ("select", "multiselect"):
        assert question["options"] == ["Vegetarian", "Vegan", "None"]


def test_questions_appear_in_the_event_in_order(client, alice):
    slug = created(client, alice, status="published")["slug"]
    ids = []
    for kind in QUESTION_KINDS:
        body = {"label": f"Question {kind}", "kind": kind}
        if kind in ("select", "multiselect"):
            body["options"] = ["One", "Two"]
        response = client.post(f"/api/v1/events/{slug}/questions", json=body, headers=alice.headers)
        assert response.status_code == 201, response.json
        ids.append(response.json["id"])
    questions = client.get(f"/api/v1/events/{slug}").json["questions"]
    assert [q["id"] for q in questions] == ids
    assert [q["kind"] for q in questions] == list(QUESTION_KINDS)
    assert [q["label"] for q in questions] == [f"Question {kind}" for kind in QUESTION_KINDS]
    assert all(q["required"] is False for q in questions)  # the default


@pytest.mark.parametrize("kind", ["select", "multiselect"])
@pytest.mark.parametrize("options", [None, [], ["   "], "missing"])
def test_select_kinds_need_options(client, alice, kind, options):
    slug = created(client, alice)["slug"]
    body = {"label": "Diet", "kind": kind}
    if options != "missing":
        body["options"] = options
    assert_validation(client.post(f"/api/v1/events/{slug}/questions", json=body, headers=alice.headers), "options")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"label": "Diet", "kind": "radio"}, "kind"),
        ({"label": "Diet", "kind": ""}, "kind"),
        ({"label": "Diet", "kind": "TEXT"}, "kind"),
        ({"label": "Diet"}, "kind"),
        ({"kind": "text"}, "label"),
        ({"label": "   ", "kind": "text"}, "label"),
        ({"label": "x" * 301, "kind": "text"}, "label"),
        ({"label": "Diet", "kind": "text", "help_text": "x" * 501}, "help_text"),
        ({"label": "Diet", "kind": "select", "options": ["A", "A"]}, "options"),
    ],
)
def test_question_validation_is_422(client, alice, body, field):
    slug = created(client, alice)["slug"]
    assert_validation(client.post(f"/api/v1/events/{slug}/questions", json=body, headers=alice.headers), field)


@pytest.mark.parametrize(
    "body",
    [
        {"label": "Diet", "kind": "select", "options": "Vegan,Vegetarian"},
        {"label": "Diet", "kind": "select", "options": [1, 2]},
        {"label": "Diet", "kind": "select", "options": {"a": "Vegan"}},
        {"label": "Diet", "kind": "select", "options": [["Vegan"]]},
        {"label": "Diet", "kind": "text", "required": "yes"},
        {"label": "Diet", "kind": 5},
        {"label": 5, "kind": "text"},
    ],
)
def test_question_wrong_types_are_400(client, alice, body):
    slug = created(client, alice)["slug"]
    assert_error(client.post(f"/api/v1/events/{slug}/questions", json=body, headers=alice.headers), 400)


def test_question_access(client, alice, bob):
    published = make_event(alice.user)
    draft = make_event(alice.user, status=EventStatus.DRAFT)
    body = {"label": "Sneaky", "kind": "text"}
    assert_error(client.post(f"/api/v1/events/{published.slug}/questions", json=body, headers=bob.headers), 403)
    assert_error(client.post(f"/api/v1/events/{draft.slug}/questions", json=body, headers=bob.headers), 404)
    assert_error(client.post(f"/api/v1/events/{published.slug}/questions", json=body), 401)
    door = make_token(alice.user, TokenKind.DOOR, published)
    assert_error(client.post(f"/api/v1/events/{published.slug}/questions", json=body, headers=bearer(door)), 403)
    assert client.get(f"/api/v1/events/{published.slug}").json["questions"] == []


# === door tokens ====================================================================================


def test_create_door_token_is_201_with_id_token_label_and_door_url(client, alice):
    slug = created(client, alice, status="published")["slug"]
    response = client.post(f"/api/v1/events/{slug}/door-tokens", json={"label": "North door"}, headers=alice.headers)
    assert response.status_code == 201, response.json
    body = response.json
    assert {"id", "token", "label", "door_url"} <= set(body)
    assert isinstance(body["id"], int)
    assert body["label"] == "North door"
    assert isinstance(body["token"], str) and len(body["token"]) >= 32
    assert body["door_url"].startswith("http://eventsys.test/")  # absolute, on PUBLIC_BASE_URL
    # The new token works at its event.
    assert client.get(f"/api/v1/events/{slug}", headers=bearer(body["token"])).status_code == 200


@pytest.mark.parametrize(
    ("body", "status"),
    [({}, 422), ({"label": ""}, 422), ({"label": "   "}, 422), ({"label": "x" * 201}, 422), ({"label": 5}, 400)],
)
def test_door_token_label_is_required(client, alice, body, status):
    slug = created(client, alice)["slug"]
    response = client.post(f"/api/v1/events/{slug}/door-tokens", json=body, headers=alice.headers)
    if status == 422:
        assert_validation(response, "label")
    else:
        assert_error(response, 400)


def test_list_door_tokens_shows_active_ones_without_the_token_paginated(client, alice):
    slug = created(client, alice)["slug"]
    north = door_token_of(client, alice, slug, "North door")
    south = door_token_of(client, alice, slug, "South door")
    west = door_token_of(client, alice, slug, "West door")
    assert client.delete(f"/api/v1/events/{slug}/door-tokens/{west['id']}", headers=alice.headers).status_code == 204

    response = client.get(f"/api/v1/events/{slug}/door-tokens", headers=alice.headers)
    assert response.status_code == 200
    body = response.json
    assert_page(body)
    assert body["total"] == 2
    assert [(t["id"], t["label"]) for t in body["items"]] == [(north["id"], "North door"), (south["id"], "South door")]
    for item in body["items"]:
        assert {"id", "label", "created_at"} <= set(item)
        assert "token" not in item and "token_hash" not in item
        assert_timestamp_with_offset(item["created_at"])
    text = response.get_data(as_text=True)
    for token in (north, south, west):
        assert token["token"] not in text

    first = client.get(f"/api/v1/events/{slug}/door-tokens?per_page=1", headers=alice.headers).json
    second = client.get(f"/api/v1/events/{slug}/door-tokens?per_page=1&page=2", headers=alice.headers).json
    assert first["total"] == second["total"] == 2 and first["per_page"] == 1
    assert [t["id"] for t in first["items"] + second["items"]] == [north["id"], south["id"]]
    assert_error(client.get(f"/api/v1/events/{slug}/door-tokens?page=abc", headers=alice.headers), 400)


def test_door_tokens_are_per_event(client, alice):
    one = created(client, alice)["slug"]
    two = created(client, alice)["slug"]
    token = door_token_of(client, alice, one)
    assert client.get(f"/api/v1/events/{two}/door-tokens", headers=alice.headers).json["total"] == 0
    # Another event's door token id is unknown here.
    assert_error(client.delete(f"/api/v1/events/{two}/door-tokens/{token['id']}", headers=alice.headers), 404)
    assert client.get(f"/api/v1/events/{one}/door-tokens", headers=alice.headers).json["total"] == 1


def test_delete_door_token_is_204_then_404(client, alice):
    slug = created(client, alice)["slug"]
    token = door_token_of(client, alice, slug)
    url = f"/api/v1/events/{slug}/door-tokens/{token['id']}"
    response = client.delete(url, headers=alice.headers)
    assert response.status_code == 204 and response.get_data() == b""
    assert_error(client.delete(url, headers=alice.headers), 404, "not_found")
    assert_error(client.delete(f"/api/v1/events/{slug}/door-tokens/999999", headers=alice.headers), 404, "not_found")
    assert_error(client.delete(f"/api/v1/events/{slug}/door-tokens/abc", headers=alice.headers), 404)
    assert client.get(f"/api/v1/events/{slug}/door-tokens", headers=alice.headers).json["items"] == []


def test_a_personal_token_id_is_not_a_door_token(client, alice):
    slug = created(client, alice)["slug"]
    own = db.session.query(ApiToken).filter_by(kind=TokenKind.PERSONAL, user_id=alice.user.id).first()
    assert_error(client.delete(f"/api/v1/events/{slug}/door-tokens/{own.id}", headers=alice.headers), 404)
    # and Alice's personal token still works
    assert client.get(f"/api/v1/events/{slug}", headers=alice.headers).status_code == 200


def test_door_token_management_is_for_the_organizer_only(client, alice, bob):
    published = created(client, alice, status="published")["slug"]
    draft = created(client, alice)["slug"]
    token = door_token_of(client, alice, published)
    for method, path, body in (
        ("post", f"/api/v1/events/{published}/door-tokens", {"label": "Mine"}),
        ("get", f"/api/v1/events/{published}/door-tokens", None),
        ("delete", f"/api/v1/events/{published}/door-tokens/{token['id']}", None),
    ):
        assert_error(getattr(client, method)(path, json=body, headers=bob.headers), 403, "forbidden")
        assert_error(getattr(client, method)(path, json=body), 401, "unauthorized")
        draft_path = path.replace(published, draft)
        assert_error(getattr(client, method)(draft_path, json=body, headers=bob.headers), 404, "not_found")
    assert client.get(f"/api/v1/events/{published}/door-tokens", headers=alice.headers).json["total"] == 1


def test_what_a_door_token_cannot_do(client, alice, bob):
    slug = created(client, alice, status="published")["slug"]
    other_own = created(client, alice, name="Other event", status="published")["slug"]
    bobs = created(client, bob, name="Bob's event", status="published")["slug"]
    door = bearer(door_token_of(client, alice, slug)["token"])

    assert client.get(f"/api/v1/events/{slug}", headers=door).status_code == 200  # its own event
    assert_error(client.post("/api/v1/events", json=event_body(), headers=door), 403, "forbidden")
    assert_error(client.patch(f"/api/v1/events/{slug}", json={"name": "x"}, headers=door), 403, "forbidden")
    assert_error(client.get(f"/api/v1/events/{slug}/door-tokens", headers=door), 403, "forbidden")
    assert_error(client.post(f"/api/v1/events/{slug}/door-tokens", json={"label": "x"}, headers=door), 403)
    assert_error(client.delete(f"/api/v1/events/{slug}/door-tokens/1", headers=door), 403)
    assert_error(client.post(f"/api/v1/events/{slug}/ticket-types", json={"name": "x"}, headers=door), 403)
    assert_error(
        client.post(f"/api/v1/events/{slug}/questions", json={"label": "x", "kind": "text"}, headers=door), 403
    )
    # Another event, even a published one of the same organizer, is off limits.
    assert_error(client.get(f"/api/v1/events/{other_own}", headers=door), 403, "forbidden")
    assert_error(client.get(f"/api/v1/events/{bobs}", headers=door), 403, "forbidden")
    assert_error(client.get("/api/v1/events", headers=door), 403, "forbidden")


def test_revoked_door_token_gets_401_everywhere(client, alice):
    slug = created(client, alice, status="published")["slug"]
    other = created(client, alice, name="Other", status="published")["slug"]
    token = door_token_of(client, alice, slug)
    delete = client.delete(f"/api/v1/events/{slug}/door-tokens/{token['id']}", headers=alice.headers)
    assert delete.status_code == 204
    door = bearer(token["token"])
    assert_error(client.get(f"/api/v1/events/{slug}", headers=door), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/events/{other}", headers=door), 401, "unauthorized")
    assert_error(client.get("/api/v1/events", headers=door), 401, "unauthorized")


# --- the door link ---


def test_door_url_signs_a_browser_in_as_the_gate_without_keeping_the_token(client, app, alice):
    slug = created(client, alice, status="published")["slug"]
    token = door_token_of(client, alice, slug, "North door")
    door_path = urlsplit(token["door_url"]).path
    door_page = f"/events/{slug}/door"

    assert client.get(door_page).status_code == 404  # not before opening the link

    entry = client.get(door_path, follow_redirects=False)
    assert entry.status_code in (301, 302, 303, 307, 308)
    location = entry.headers["Location"]
    assert urlsplit(location).path == door_page
    assert token["token"] not in location
    page = client.get(location, follow_redirects=False)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "North door" in html
    assert token["token"] not in html

    # A second phone at the same gate.
    phone = app.test_client()
    assert phone.get(door_path).status_code in (301, 302, 303, 307, 308)
    assert phone.get(door_page).status_code == 200

    # Revoking ends every one of them.
    assert client.delete(f"/api/v1/events/{slug}/door-tokens/{token['id']}", headers=alice.headers).status_code == 204
    assert client.get(door_page).status_code == 404
    assert phone.get(door_page).status_code == 404
    assert client.get(door_path).status_code == 404  # nor can the link be opened again


def test_door_session_is_only_for_its_own_event(client, alice):
    slug = created(client, alice, status="published")["slug"]
    other = created(client, alice, name="Other", status="published")["slug"]
    token = door_token_of(client, alice, slug)
    client.get(urlsplit(token["door_url"]).path)
    assert client.get(f"/events/{slug}/door").status_code == 200
    assert client.get(f"/events/{other}/door").status_code == 404


def test_unknown_or_personal_token_is_not_a_door_link(client, alice):
    make_event(alice.user)
    assert client.get("/door/esd_not-a-real-token", follow_redirects=False).status_code == 404
    # A personal API token must never sign a browser in as a gate.
    assert client.get(f"/door/{alice.token}", follow_redirects=False).status_code == 404
