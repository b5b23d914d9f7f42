"""Next year's edition: an event copied as a draft, through the API and the organizer's page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from eventsys.auth.models import ApiToken, TokenKind
from eventsys.checkin.models import Scan
from eventsys.events import services
from eventsys.events.editions import NOT_COPIED, next_edition_name
from eventsys.events.models import Event, EventStatus, QuestionKind
from eventsys.events.services import QuestionDetails
from eventsys.extensions import db
from eventsys.mail.models import OutboxMessage
from eventsys.registration.models import Registration
from tests.api_helpers import assert_error, assert_validation
from tests.checkin_helpers import attendee
from tests.conftest import bearer, make_event, make_token, make_user, post_form, signed_in_organizer

# TECOM Conf 2030: 18 June, 09:00 to 18:00 in Hangzhou (UTC+8), registration open since 1 January 2026 until 17 June.
STARTS = datetime(2030, 6, 18, 1, 0, tzinfo=UTC)
NEXT_START = "2031-06-17T09:30:00+08:00"
SHIFT = datetime(2031, 6, 17, 1, 30, tzinfo=UTC) - STARTS
TICKET_TYPE_KEYS = ("name", "description", "capacity", "translations")
QUESTION_KEYS = ("label", "kind", "required", "options", "help_text", "on_badge", "translations")


def conference(owner, *people: str) -> Event:
    """A published conference with everything a copy takes: settings, translations, types, questions;
    ``people`` registered (before the questions, which they do not answer)."""
    event = make_event(
        owner,
        name="TECOM Conf 2030",
        tagline="Founders meet investors",
        description="Two tracks.",
        venue="ITC Guigu",
        address="Gongshu District",
        starts_at=STARTS,
        ends_at=STARTS + timedelta(hours=9),
        registration_opens_at=datetime(2026, 1, 1, 1, 0, tzinfo=UTC),  # open already
        registration_closes_at=datetime(2030, 6, 17, 15, 59, tzinfo=UTC),
        capacity=400,
        requires_approval=True,
        waitlist=False,
        translations={"zh-CN": {"name": "TECOM 大会 2030", "venue": "硅谷国际中心"}},
    )
    services.add_ticket_type(event, "Founder", 120, "For founders", {"zh-CN": {"name": "创始人"}})
    services.add_ticket_type(event, "Investor", 40)
    for name in people:
        attendee(event, name, event.ticket_types[1].id)  # Founder
    services.add_question(
        event,
        QuestionDetails(
            "Industry",
            QuestionKind.SELECT,
            required=True,
            options=["AI", "Hardware"],
            help_text="Pick one",
            on_badge=True,
            translations={"zh-CN": {"label": "行业", "options": ["人工智能", "硬件"]}},
        ),
    )
    services.add_question(event, QuestionDetails("Company", QuestionKind.TEXT))
    return event


def count(model, event_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.event_id == event_id))


def copy(client, event: Event, headers, **body):
    return client.post(f"/api/v1/events/{event.slug}/copy", json={"name": "TECOM Conf 2031", **body}, headers=headers)


# --- the API ------------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_the_copy_is_a_draft_with_every_setting_and_every_time_moved_with_the_start(client, owner, owner_headers):
    event = conference(owner, "Li Wei", "Zhang Min")
    zhang = db.session.scalar(select(Registration).where(Registration.name == "Zhang Min"))
    approved = client.post(f"/api/v1/events/{event.slug}/registrations/{zhang.code}/approve", headers=owner_headers)
    assert approved.status_code == 200, approved.get_data(as_text=True)
    client.post(
        f"/api/v1/events/{event.slug}/checkins",
        json={"code": zhang.code},
        headers=bearer(make_token(owner, TokenKind.DOOR, event, label="North door")),
    )
    assert count(Scan, event.id) == 1
    original = client.get(f"/api/v1/events/{event.slug}", headers=owner_headers).get_json()

    response = copy(client, event, owner_headers, starts_at=NEXT_START)

    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["status"] == "draft"
    assert (body["name"], body["slug"]) == ("TECOM Conf 2031", "tecom-conf-2031")
    assert body["starts_at"] == "2031-06-17T09:30:00+08:00"
    assert body["ends_at"] == "2031-06-17T18:30:00+08:00"
    assert body["registration_opens_at"] == "2026-12-31T09:30:00+08:00"
    assert body["registration_closes_at"] == "2031-06-17T00:29:00+08:00"
    for name in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at"):
        moved = datetime.fromisoformat(body[name]) - datetime.fromisoformat(original[name])
        assert moved == SHIFT, name
    same = ("tagline", "description", "venue", "address", "timezone", "capacity", "requires_approval", "waitlist")
    assert {k: body[k] for k in same} == {k: original[k] for k in same}
    assert body["translations"] == original["translations"]
    assert (original["remaining"], body["remaining"]) == (399, 400)  # Zhang's seat stays with the original
    copied_types = [{k: t[k] for k in TICKET_TYPE_KEYS} for t in body["ticket_types"]]
    assert copied_types == [{k: t[k] for k in TICKET_TYPE_KEYS} for t in original["ticket_types"]]
    assert [t["remaining"] for t in original["ticket_types"]] == [399, 119, 40]
    assert [t["remaining"] for t in body["ticket_types"]] == [400, 120, 40]
    assert {t["id"] for t in body["ticket_types"]}.isdisjoint(t["id"] for t in original["ticket_types"])
    copied_questions = [{k: q[k] for k in QUESTION_KEYS} for q in body["questions"]]
    assert copied_questions == [{k: q[k] for k in QUESTION_KEYS} for q in original["questions"]]
    assert [q["label"] for q in body["questions"]] == ["Industry", "Company"]

    edition = db.session.get(Event, body["id"])
    assert edition.owner_id == owner.id
    for model in (Registration, Scan, ApiToken, OutboxMessage):
        assert count(model, edition.id) == 0, model.__name__
    assert count(Registration, event.id) == 2 and count(Scan, event.id) == 1  # the original keeps its own
    assert client.get(f"/api/v1/events/{event.slug}", headers=owner_headers).get_json() == original
    assert client.get(f"/api/v1/events/{body['slug']}").status_code == 404  # a draft: nobody else sees it
    assert client.get(f"/api/v1/events/{body['slug']}", headers=owner_headers).status_code == 200


def test_a_start_without_an_offset_is_read_in_the_events_zone(client, owner, owner_headers):
    event = conference(owner)
    body = copy(client, event, owner_headers, starts_at="2031-06-17T09:30:00").get_json()
    assert body["starts_at"] == NEXT_START


@pytest.mark.both_databases
def test_the_address_given_is_used_and_a_taken_one_is_a_field_error(client, owner, owner_headers):
    event = conference(owner)
    response = copy(client, event, owner_headers, starts_at=NEXT_START, slug="tecom-2031")
    assert response.status_code == 201 and response.get_json()["slug"] == "tecom-2031"
    again = copy(client, event, owner_headers, starts_at=NEXT_START, slug="tecom-2031")
    assert "already uses" in assert_validation(again, "slug")["slug"][0]
    assert_validation(copy(client, event, owner_headers, starts_at=NEXT_START, slug="Not A Slug"), "slug")
    assert_validation(copy(client, event, owner_headers, starts_at=NEXT_START, slug=event.slug), "slug")
    made = [copy(client, event, owner_headers, starts_at=NEXT_START, slug=None).get_json()["slug"] for _ in "ab"]
    assert made == ["tecom-conf-2031", "tecom-conf-2031-2"]  # from the name, as a new event's, unique
    assert db.session.scalar(select(func.count()).select_from(Event)) == 4


def test_only_the_organizer_copies_an_event(client, owner, owner_headers):
    event = conference(owner)
    draft = make_event(owner, EventStatus.DRAFT)
    stranger = bearer(make_token(make_user()))
    assert_error(copy(client, event, stranger, starts_at=NEXT_START), 403, "forbidden")
    assert_error(copy(client, draft, stranger, starts_at=NEXT_START), 404, "not_found")
    door = bearer(make_token(owner, TokenKind.DOOR, event))
    assert_error(copy(client, event, door, starts_at=NEXT_START), 403, "forbidden")
    assert copy(client, event, {}, starts_at=NEXT_START).status_code == 401
    assert_error(client.post("/api/v1/events/no-such-event/copy", json={}, headers=owner_headers), 404, "not_found")
    assert db.session.scalar(select(func.count()).select_from(Event)) == 2


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ("name", "starts_at")),
        ({"name": "", "starts_at": NEXT_START}, ("name",)),
        ({"name": "Line\nbreak", "starts_at": NEXT_START}, ("name",)),
        ({"name": "x" * 201, "starts_at": NEXT_START}, ("name",)),
        ({"name": None, "starts_at": None}, ("name", "starts_at")),
        ({"name": "Next", "starts_at": "next June"}, ("starts_at",)),
        ({"name": "Next", "starts_at": "9998-12-31T23:00:00+00:00"}, ("starts_at",)),  # the end would pass 9999
        ({"name": "Next", "starts_at": "0002-01-01T00:00:00+00:00"}, ("starts_at",)),  # registration before year 1
    ],
)
def test_bad_input_is_a_422_naming_the_fields(client, owner, owner_headers, body, fields):
    event = conference(owner)
    response = client.post(f"/api/v1/events/{event.slug}/copy", json=body, headers=owner_headers)
    assert_validation(response, *fields)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_wrong_json_types_are_a_400(client, owner, owner_headers):
    event = conference(owner)
    response = client.post(
        f"/api/v1/events/{event.slug}/copy", json={"name": 2031, "starts_at": NEXT_START}, headers=owner_headers
    )
    assert assert_error(response, 400, "bad_request")["fields"].keys() == {"name"}


def test_the_name_offered_has_its_year_one_later():
    assert next_edition_name("TECOM Conf 2026") == "TECOM Conf 2027"
    assert next_edition_name("杭州创业者大会2026") == "杭州创业者大会2027"
    assert next_edition_name("Winter 2026/2027") == "Winter 2027/2028"
    assert next_edition_name("Meetup 123456") == "Meetup 123456"
    assert next_edition_name("Founders' breakfast") == "Founders' breakfast"


# --- the organizer's page ---------------------------------------------------------------------------


def test_the_dashboard_offers_the_copy_and_the_page_offers_next_year(client, owner):
    event = conference(owner)
    signed_in_organizer(client, owner)
    dashboard = client.get(f"/manage/events/{event.slug}").get_data(as_text=True)
    assert f'href="/manage/events/{event.slug}/copy"' in dashboard
    page = client.get(f"/manage/events/{event.slug}/copy")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'value="TECOM Conf 2031"' in html
    assert 'value="2031-06-18T09:00"' in html  # a year later, 09:00 in Hangzhou
    assert "Asia/Shanghai" in html


def test_posting_the_page_creates_the_draft_and_opens_it(client, owner):
    event = conference(owner)
    signed_in_organizer(client, owner)
    form = {"name": "TECOM Conf 2031", "starts_at": "2031-06-17T09:30", "slug": ""}
    response = post_form(client, f"/manage/events/{event.slug}/copy", form)
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/events/tecom-conf-2031"
    dashboard = client.get("/manage/events/tecom-conf-2031").get_data(as_text=True)
    assert "is created as a draft, a copy of" in dashboard
    edition = db.session.scalar(select(Event).where(Event.slug == "tecom-conf-2031"))
    assert edition.status == EventStatus.DRAFT
    assert edition.starts_at == datetime(2031, 6, 17, 1, 30, tzinfo=UTC)
    assert edition.ends_at == datetime(2031, 6, 17, 10, 30, tzinfo=UTC)
    assert [t.name for t in edition.ticket_types] == ["General admission", "Founder", "Investor"]


def test_errors_are_shown_beside_the_fields_and_keep_what_was_typed(client, owner):
    event = conference(owner)
    signed_in_organizer(client, owner)
    form = {"name": "TECOM Conf 2031", "starts_at": "2031-06-17T09:30", "slug": event.slug}
    response = post_form(client, f"/manage/events/{event.slug}/copy", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="slug-error"' in html and "Another event already uses this address." in html
    assert "data-error-summary" in html and 'href="#slug"' in html
    assert 'value="TECOM Conf 2031"' in html and 'value="2031-06-17T09:30"' in html
    empty = post_form(client, f"/manage/events/{event.slug}/copy", {"name": "", "starts_at": ""})
    assert empty.status_code == 422
    assert 'id="name-error"' in empty.get_data(as_text=True) and 'id="starts_at-error"' in empty.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_another_organizer_cannot_open_the_copy_page(client, owner):
    event = conference(owner)
    signed_in_organizer(client)
    assert client.get(f"/manage/events/{event.slug}/copy").status_code == 403
    assert (
        post_form(
            client, f"/manage/events/{event.slug}/copy", {"name": "Mine", "starts_at": "2031-06-17T09:30"}
        ).status_code
        == 403
    )
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_the_page_in_chinese(client, owner):
    event = conference(owner)
    signed_in_organizer(client, owner)
    html = client.get(f"/manage/events/{event.slug}/copy?lang=zh-CN").get_data(as_text=True)
    assert "下一届" in html


def test_every_column_but_identity_state_and_counts_is_copied(client, owner, owner_headers):
    """Walks the models, so a setting another change adds to events is checked here too."""
    event = conference(owner, "Li Wei")
    body = copy(client, event, owner_headers, starts_at=NEXT_START).get_json()
    edition = db.session.get(Event, body["id"])
    pairs = [(event, edition), *zip(event.ticket_types, edition.ticket_types, strict=True)]
    pairs += list(zip(event.questions, edition.questions, strict=True))
    for original, copied in pairs:
        for column in inspect(type(original)).column_attrs:
            if column.key in NOT_COPIED[type(original)]:
                continue
            before, after = getattr(original, column.key), getattr(copied, column.key)
            if isinstance(before, datetime):
                before += SHIFT
            assert after == before, (type(original).__name__, column.key)
    assert (edition.seats_taken, edition.ticket_types[1].seats_taken) == (0, 0)
    assert count(Registration, event.id) == 1 and count(Registration, edition.id) == 0


def test_a_leap_day_start_is_offered_on_the_28th_next_year(client, owner):
    leap = datetime(2028, 2, 29, 1, 0, tzinfo=UTC)  # 09:00 in Hangzhou
    event = make_event(owner, name="Leap meetup", starts_at=leap, ends_at=leap + timedelta(hours=2))
    signed_in_organizer(client, owner)
    html = client.get(f"/manage/events/{event.slug}/copy").get_data(as_text=True)
    assert 'value="2029-02-28T09:00"' in html and 'value="Leap meetup"' in html
