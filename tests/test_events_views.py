"""The organizer's event pages and the public event pages, through the browser's eyes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsys.events.models import Event, EventStatus, Question, QuestionKind, TicketType
from eventsys.events.services import QuestionDetails, add_question, add_ticket_type
from eventsys.extensions import db
from eventsys.timeutil import COMMON_TIMEZONES
from tests.conftest import make_event, make_user, post_form, signed_in_organizer
from tests.html_pages import assert_errors_are_summarised, assert_form_page_is_accessible, location_path, page

YEAR = datetime.now(UTC).year + 2  # a date well ahead, whatever day the tests run


def event_form(**fields) -> dict[str, str]:
    """The new-event form as a browser sends it (unchecked boxes are left out)."""
    data = {
        "name": "Hangzhou Founders Night",
        "slug": "",
        "tagline": "Builders meet investors",
        "description": "Talks and dinner.",
        "venue": "ITC Guigu International Center",
        "address": "Xihu District, Hangzhou",
        "timezone": "Asia/Shanghai",
        "starts_at": f"{YEAR}-03-14T09:00",
        "ends_at": f"{YEAR}-03-14T18:00",
        "capacity": "120",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "waitlist": "y",
    }
    data.update(fields)
    return {name: value for name, value in data.items() if value is not None}


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


def reload(obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


NOT_A_NUMBER_OR_DATE = ("Not a valid integer value.", "Enter a date and time.")


def as_shown(typed: str, error: str | None) -> str:
    """What a field shows again: what was typed, but a number or date-and-time field cannot hold
    what is not one ("abc"), so it is empty, as a browser would show it."""
    return "" if error in NOT_A_NUMBER_OR_DATE else typed


def question_labels(response) -> list[str]:
    """The questions in the order the dashboard lists them."""
    html = response.get_data(as_text=True)
    return [label.strip() for label in re.findall(r'<span class="q-label">([^<*]*)', html)]


def ticket_type_names(response) -> list[str]:
    section = response.get_data(as_text=True).split('id="ticket-types"')[1].split("</table>")[0]
    return [name.strip() for name in re.findall(r"<tr>\s*<td>([^<]*)", section)]


# --- creating and editing events -----------------------------------------------------------------


@pytest.mark.both_databases
@pytest.mark.parametrize(
    ("tz", "typed", "utc"),
    [
        ("Asia/Shanghai", "09:00", datetime(YEAR, 3, 14, 1, 0, tzinfo=UTC)),
        ("America/New_York", "09:00", datetime(YEAR, 3, 14, 13, 0, tzinfo=UTC)),  # daylight saving time from March
        ("UTC", "09:00", datetime(YEAR, 3, 14, 9, 0, tzinfo=UTC)),
    ],
)
def test_a_new_event_is_read_in_its_time_zone_and_shown_in_it(client, tz, typed, utc):
    user = signed_in_organizer(client)
    if tz == "America/New_York":
        data = event_form(timezone=tz, starts_at=f"{YEAR}-07-14T{typed}", ends_at=f"{YEAR}-07-14T18:00")
        utc = utc.replace(month=7)
    else:
        data = event_form(timezone=tz, starts_at=f"{YEAR}-03-14T{typed}")
    response = post_form(client, "/manage/events/new", data)
    assert location_path(response) == "/manage/events/hangzhou-founders-night"
    event = db.session.scalar(select(Event))
    assert event.owner_id == user.id and event.status == EventStatus.DRAFT
    assert event.starts_at == utc and event.timezone == tz
    assert event.capacity == 120 and event.venue == "ITC Guigu International Center"
    assert [t.name for t in event.ticket_types] == ["General admission"]

    dashboard = page(client.get(response.headers["Location"]))
    assert "is created as a draft" in dashboard.text()
    public = page(client.get("/events/hangzhou-founders-night")).text()
    assert "Hangzhou Founders Night" in public and "09:00 – 18:00" in public and f"({tz})" in public
    edit = page(client.get("/manage/events/hangzhou-founders-night/edit"))
    assert edit.value("starts_at") == data["starts_at"] and edit.value("timezone") == tz


ZONE_OPTION = re.compile(r'<option value="([^"]+)" label="([^"]+)">')


def test_new_event_page_offers_the_time_zones_common_ones_first_with_their_offsets(client):
    signed_in_organizer(client)
    doc = page(client.get("/manage/events/new"))
    assert doc.value("timezone") == "Asia/Shanghai"  # the server's default; the browser's replaces it
    box = doc.control("timezone")
    assert box["list"] == "timezone-zones" and "data-browser-default" in box
    offered = ZONE_OPTION.findall(doc.html)
    names = [name for name, _ in offered]
    assert names[:7] == list(COMMON_TIMEZONES)
    assert names[7:] == sorted(names[7:]) and len(names) == len(set(names)) > 400
    labels = dict(offered)
    assert labels["Asia/Shanghai"] == "Asia/Shanghai (UTC+08:00)"
    assert labels["Asia/Kolkata"] == "Asia/Kolkata (UTC+05:30)"
    assert labels["America/New_York"] in ("America/New York (UTC-05:00)", "America/New York (UTC-04:00)")
    assert_form_page_is_accessible(doc)


@pytest.mark.parametrize(
    ("typed", "stored"), [("asia/hong kong", "Asia/Hong_Kong"), (" Europe/London ", "Europe/London")]
)
def test_a_time_zone_typed_loosely_is_understood(client, typed, stored):
    signed_in_organizer(client)
    response = post_form(client, "/manage/events/new", event_form(slug="loose-zone", timezone=typed))
    assert response.status_code == 302
    assert db.session.scalar(select(Event).where(Event.slug == "loose-zone")).timezone == stored


def test_an_unknown_time_zone_shows_its_error_beside_the_box_and_keeps_what_was_typed(client):
    signed_in_organizer(client)
    data = event_form(slug="my-event", timezone="Asia/Hangzhou")
    doc = page(post_form(client, "/manage/events/new", data))
    assert doc.error("timezone") == "Choose a time zone such as Asia/Shanghai."
    assert doc.value("timezone") == "Asia/Hangzhou"
    assert doc.value("name") == data["name"] and doc.value("starts_at") == data["starts_at"]
    assert "data-browser-default" not in doc.control("timezone")  # never over what the organizer typed
    assert "timezone-error" in doc.control("timezone")["aria-describedby"].split()


def test_a_new_event_can_choose_its_web_address(client):
    signed_in_organizer(client)
    response = post_form(client, "/manage/events/new", event_form(slug="founders-2031"))
    assert location_path(response) == "/manage/events/founders-2031"
    assert "Hangzhou Founders Night" in page(client.get("/events/founders-2031")).text()


def test_two_events_with_the_same_name_get_different_addresses(client):
    signed_in_organizer(client)
    first = location_path(post_form(client, "/manage/events/new", event_form()))
    second = location_path(post_form(client, "/manage/events/new", event_form()))
    assert first != second
    assert client.get(first).status_code == 200 and client.get(second).status_code == 200


BAD_EVENT_INPUT = [
    pytest.param({"ends_at": f"{YEAR}-03-14T08:00"}, "ends_at", "The end must be after the start.", id="end-before"),
    pytest.param({"ends_at": f"{YEAR}-03-14T09:00"}, "ends_at", "The end must be after the start.", id="end-at-start"),
    pytest.param({"name": ""}, "name", "This field is required.", id="empty-name"),
    pytest.param({"name": "   "}, "name", "This field is required.", id="blank-name"),
    pytest.param({"slug": "Bad Slug!"}, "slug", "Use lower-case letters, digits and single hyphens.", id="bad-slug"),
    pytest.param({"slug": "double--hyphen"}, "slug", "single hyphens", id="double-hyphen-slug"),
    pytest.param({"capacity": "-1"}, "capacity", "Enter a number from 0 to 1,000,000.", id="capacity-negative"),
    pytest.param({"capacity": "abc"}, "capacity", "Not a valid integer value.", id="capacity-not-a-number"),
    pytest.param({"starts_at": ""}, "starts_at", "Enter a date and time.", id="no-start"),
    pytest.param({"starts_at": "next tuesday"}, "starts_at", "Enter a date and time.", id="start-not-a-date"),
    pytest.param(
        {"timezone": "Mars/Olympus_Mons"},
        "timezone",
        "Choose a time zone such as Asia/Shanghai.",
        id="unknown-time-zone",
    ),
    # Years that cannot be converted to UTC once were a crash (500).
    pytest.param({"starts_at": "0001-03-14T09:00"}, "starts_at", "Enter a year from 1900 to 2999.", id="year-0001"),
    pytest.param(
        {"timezone": "America/New_York", "ends_at": "9999-12-31T23:00"},
        "ends_at",
        "Enter a year from 1900 to 2999.",
        id="year-9999",
    ),
    pytest.param(
        {"registration_opens_at": "0001-01-01T00:00"},
        "registration_opens_at",
        "Enter a year from 1900 to 2999.",
        id="registration-opens-in-year-0001",
    ),
    pytest.param(
        {"registration_opens_at": f"{YEAR}-03-01T10:00", "registration_closes_at": f"{YEAR}-02-01T10:00"},
        "registration_closes_at",
        "Registration must close after it opens.",
        id="registration-closes-before-it-opens",
    ),
]


@pytest.mark.parametrize(("fields", "field", "message"), BAD_EVENT_INPUT)
def test_bad_event_input_shows_the_form_again_with_the_message_beside_the_field(client, fields, field, message):
    signed_in_organizer(client)
    data = event_form(**{"slug": "my-event", **fields})
    response = post_form(client, "/manage/events/new", data)
    assert response.status_code == 422
    doc = page(response)
    assert message in doc.error(field)
    assert doc.fields_with_errors() == {field}
    assert_errors_are_summarised(doc)
    for name in ("name", "slug", "tagline", "venue", "address", "starts_at", "ends_at", "capacity", "timezone"):
        if name != "timezone" or field != "timezone":
            assert doc.value(name) == as_shown(data[name], message if name == field else None), name
    assert doc.value("description") == data["description"]
    assert doc.checked("waitlist") and not doc.checked("requires_approval")
    assert event_count() == 0
    assert_form_page_is_accessible(doc)


def test_an_address_another_event_uses_is_refused_beside_the_address_field(client):
    make_event(slug="taken-address", status=EventStatus.DRAFT)  # someone else's draft
    signed_in_organizer(client)
    data = event_form(slug="taken-address", name="My own event")
    response = post_form(client, "/manage/events/new", data)
    assert response.status_code == 422
    doc = page(response)
    assert doc.error("slug") == "Another event already uses this address."
    assert doc.value("slug") == "taken-address" and doc.value("name") == "My own event"
    assert event_count() == 1


def test_editing_an_event_shows_its_values_and_saves_the_changes(client):
    user = signed_in_organizer(client)
    event = make_event(
        user,
        status=EventStatus.DRAFT,
        name="Spring Meetup",
        starts_at=datetime(YEAR, 4, 1, 2, 0, tzinfo=UTC),
        ends_at=datetime(YEAR, 4, 1, 4, 0, tzinfo=UTC),
        venue="Old venue",
        capacity=50,
    )
    doc = page(client.get(f"/manage/events/{event.slug}/edit"))
    assert doc.value("name") == "Spring Meetup" and doc.value("venue") == "Old venue"
    assert doc.value("starts_at") == f"{YEAR}-04-01T10:00" and doc.value("timezone") == "Asia/Shanghai"
    assert doc.value("capacity") == "50" and doc.value("slug") == event.slug
    assert_form_page_is_accessible(doc)

    changes = event_form(
        name="Spring Meetup (moved)",
        slug="spring-meetup-moved",
        venue="New venue",
        timezone="Europe/Berlin",
        starts_at=f"{YEAR}-04-02T19:00",
        ends_at=f"{YEAR}-04-02T22:30",
        capacity="",
        waitlist=None,
        requires_approval="y",
    )
    response = post_form(client, f"/manage/events/{event.slug}/edit", changes)
    assert location_path(response) == "/manage/events/spring-meetup-moved"
    event = reload(event)
    assert event.name == "Spring Meetup (moved)" and event.venue == "New venue"
    assert event.starts_at == datetime(YEAR, 4, 2, 17, 0, tzinfo=UTC)  # Berlin is UTC+2 in April
    assert event.capacity is None and event.requires_approval and not event.waitlist
    assert "Changes saved." in page(client.get("/manage/events/spring-meetup-moved")).text()
    public = page(client.get("/events/spring-meetup-moved")).text()
    assert "19:00 – 22:30" in public and "New venue" in public
    assert client.get("/events/" + "spring-meetup").status_code == 404  # the old address is gone


def test_editing_with_bad_input_keeps_what_was_typed_and_changes_nothing(client):
    user = signed_in_organizer(client)
    event = make_event(user, name="Summer Meetup")
    changes = event_form(name="Summer Meetup!", slug=event.slug, capacity="abc", ends_at=f"{YEAR}-03-14T07:00")
    response = post_form(client, f"/manage/events/{event.slug}/edit", changes)
    assert response.status_code == 422
    doc = page(response)
    assert doc.value("name") == "Summer Meetup!"
    assert doc.value("capacity") == ""  # a number field cannot hold "abc": shown empty, as a browser shows it
    assert doc.error("capacity")
    assert reload(event).name == "Summer Meetup"


def test_an_edit_that_fails_a_rule_keeps_what_was_typed(client):
    user = signed_in_organizer(client)
    event = make_event(user, name="Autumn Meetup")
    changes = event_form(name="Autumn Meetup renamed", slug=event.slug, ends_at=f"{YEAR}-03-14T07:00")
    response = post_form(client, f"/manage/events/{event.slug}/edit", changes)
    assert response.status_code == 422
    doc = page(response)
    assert doc.error("ends_at") == "The end must be after the start."
    assert doc.value("name") == "Autumn Meetup renamed" and doc.value("ends_at") == f"{YEAR}-03-14T07:00"
    assert reload(event).name == "Autumn Meetup"


def test_an_edit_to_an_address_another_event_uses_is_refused(client):
    user = signed_in_organizer(client)
    make_event(slug="their-address")
    event = make_event(user, name="Mine")
    response = post_form(client, f"/manage/events/{event.slug}/edit", event_form(name="Mine", slug="their-address"))
    assert response.status_code == 422
    doc = page(response)
    assert doc.error("slug") == "Another event already uses this address."
    assert doc.value("slug") == "their-address"
    assert client.get(f"/manage/events/{event.slug}").status_code == 200


def test_an_edit_with_an_impossible_year_is_an_error_not_a_crash(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    data = event_form(slug=event.slug, starts_at="0001-01-01T00:00", ends_at="0001-01-01T05:00")
    response = post_form(client, f"/manage/events/{event.slug}/edit", data)
    assert response.status_code == 422
    doc = page(response)
    assert doc.fields_with_errors() == {"starts_at", "ends_at"}
    assert doc.value("starts_at") == "0001-01-01T00:00"


def test_capacity_below_the_seats_taken_is_an_error_not_a_crash(client):
    user = signed_in_organizer(client)
    event = make_event(user, capacity=100)
    event.seats_taken = 40
    db.session.commit()
    response = post_form(client, f"/manage/events/{event.slug}/edit", event_form(slug=event.slug, capacity="39"))
    assert response.status_code == 422
    doc = page(response)
    assert "40 seats are already taken; the capacity cannot be lower." in doc.text()
    assert doc.value("capacity") == "39"
    assert reload(event).capacity == 100
    ok = post_form(client, f"/manage/events/{event.slug}/edit", event_form(slug=event.slug, capacity="40"))
    assert ok.status_code == 302 and reload(event).capacity == 40


def test_my_events_lists_only_my_own_events(client):
    user = signed_in_organizer(client)
    make_event(user, name="Mine, published")
    make_event(user, name="Mine, a draft", status=EventStatus.DRAFT)
    make_event(name="Somebody else's")
    text = page(client.get("/manage/events")).text()
    assert "Mine, published" in text and "Mine, a draft" in text
    assert "Somebody else" not in text


# --- publish, unpublish, cancel -------------------------------------------------------------------


def test_publishing_asks_first_and_then_puts_the_event_on_the_home_page(client, app):
    user = signed_in_organizer(client)
    event = make_event(user, name="Launch Party", status=EventStatus.DRAFT)
    visitor = app.test_client()
    assert visitor.get(f"/events/{event.slug}").status_code == 404

    confirm = client.get(f"/manage/events/{event.slug}/publish")
    assert confirm.status_code == 200
    doc = page(confirm)
    assert "Publish “Launch Party”?" in doc.text()
    assert [f.action for f in doc.forms if f.method == "post"][-1] == f"/manage/events/{event.slug}/publish"
    assert_form_page_is_accessible(doc)
    assert reload(event).status == EventStatus.DRAFT  # looking at the question changes nothing

    response = post_form(client, f"/manage/events/{event.slug}/publish", {})
    assert location_path(response) == f"/manage/events/{event.slug}"
    assert reload(event).status == EventStatus.PUBLISHED
    assert "Published: the event page is live" in page(client.get(f"/manage/events/{event.slug}")).text()
    assert visitor.get(f"/events/{event.slug}").status_code == 200
    assert "Launch Party" in page(visitor.get("/")).text()


def test_unpublishing_makes_the_event_a_private_draft_again(client, app):
    user = signed_in_organizer(client)
    event = make_event(user, name="Launch Party")
    assert "The event becomes a draft that only you can see." in page(
        client.get(f"/manage/events/{event.slug}/unpublish")
    ).text()
    response = post_form(client, f"/manage/events/{event.slug}/unpublish", {})
    assert location_path(response) == f"/manage/events/{event.slug}"
    assert reload(event).status == EventStatus.DRAFT
    visitor = app.test_client()
    assert visitor.get(f"/events/{event.slug}").status_code == 404
    assert "Launch Party" not in page(visitor.get("/")).text()
    assert "Draft: only you can see this page" in page(client.get(f"/events/{event.slug}")).text()


def test_cancelling_asks_first_then_the_page_says_so_and_it_cannot_be_undone(client, app):
    user = signed_in_organizer(client)
    event = make_event(user, name="Rainy Picnic")
    confirm = page(client.get(f"/manage/events/{event.slug}/cancel"))
    assert "Cancel “Rainy Picnic”?" in confirm.text() and "cannot be undone" in confirm.text()
    assert reload(event).status == EventStatus.PUBLISHED

    response = post_form(client, f"/manage/events/{event.slug}/cancel", {})
    assert location_path(response) == f"/manage/events/{event.slug}"
    assert reload(event).status == EventStatus.CANCELLED
    visitor = app.test_client()
    public = visitor.get(f"/events/{event.slug}")
    assert public.status_code == 200 and "This event is cancelled." in page(public).text()
    assert "Rainy Picnic" not in page(visitor.get("/")).text()

    again = post_form(client, f"/manage/events/{event.slug}/publish", {}, follow_redirects=True)
    assert "A cancelled event cannot become published." in page(again).text()
    assert reload(event).status == EventStatus.CANCELLED


def test_a_status_change_without_the_csrf_token_is_refused(client):
    user = signed_in_organizer(client)
    event = make_event(user, status=EventStatus.DRAFT)
    assert client.post(f"/manage/events/{event.slug}/publish").status_code == 400
    assert client.post(f"/manage/events/{event.slug}/cancel").status_code == 400
    assert reload(event).status == EventStatus.DRAFT


# --- who may see and change what -------------------------------------------------------------------


def manage_pages(event: Event) -> list[str]:
    base = f"/manage/events/{event.slug}"
    return [
        base,
        f"{base}/edit",
        f"{base}/publish",
        f"{base}/unpublish",
        f"{base}/cancel",
        f"{base}/ticket-types/{event.ticket_types[0].id}",
        f"{base}/questions/{event.questions[0].id}",
    ]


def changes_to(event: Event) -> list[tuple[str, dict]]:
    base = f"/manage/events/{event.slug}"
    ticket_type, question = event.ticket_types[0].id, event.questions[0].id
    return [
        (f"{base}/edit", event_form(name="Taken over", slug=event.slug)),
        (f"{base}/publish", {}),
        (f"{base}/unpublish", {}),
        (f"{base}/cancel", {}),
        (f"{base}/ticket-types", {"name": "Free for all"}),
        (f"{base}/ticket-types/{ticket_type}", {"name": "Renamed"}),
        (f"{base}/ticket-types/{ticket_type}/delete", {}),
        (f"{base}/questions", {"label": "Injected?", "kind": "text"}),
        (f"{base}/questions/{question}", {"label": "Renamed?", "kind": "text"}),
        (f"{base}/questions/{question}/delete", {}),
        (f"{base}/questions/{question}/down", {}),
    ]


def someone_elses_event(status: EventStatus) -> Event:
    event = make_event(make_user(), status=status, name="Their Event")
    add_ticket_type(event, "Second type")
    add_question(event, QuestionDetails("First question", QuestionKind.TEXT))
    add_question(event, QuestionDetails("Second question", QuestionKind.TEXT))
    return event


def snapshot(event: Event):
    event = reload(event)
    return (
        event.name,
        event.status,
        [(t.name, t.capacity) for t in event.ticket_types],
        [(q.label, q.position) for q in event.questions],
    )


def test_an_organizer_never_sees_another_organizers_draft(client):
    event = someone_elses_event(EventStatus.DRAFT)
    before = snapshot(event)
    signed_in_organizer(client)
    response = client.get(f"/events/{event.slug}")
    assert response.status_code == 404 and "Their Event" not in response.get_data(as_text=True)
    for path in manage_pages(event):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Their Event" not in response.get_data(as_text=True), path
    for path, data in changes_to(event):
        assert post_form(client, path, data).status_code == 404, path
    assert snapshot(event) == before


def test_an_organizer_cannot_manage_another_organizers_published_event(client):
    event = someone_elses_event(EventStatus.PUBLISHED)
    before = snapshot(event)
    signed_in_organizer(client)
    public = client.get(f"/events/{event.slug}")
    assert public.status_code == 200 and "Manage this event" not in page(public).text()
    for path in manage_pages(event):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Only the team of this event's club, or its organizer, can do this." in page(response).text()
    for path, data in changes_to(event):
        assert post_form(client, path, data).status_code == 403, path
    assert snapshot(event) == before


def test_visitors_are_sent_to_the_login_page_from_every_organizer_page(client):
    event = someone_elses_event(EventStatus.PUBLISHED)
    before = snapshot(event)
    for path in ["/manage/events", "/manage/events/new", *manage_pages(event)]:
        response = client.get(path)
        assert location_path(response).startswith("/login?next="), path
    for path, data in changes_to(event):
        assert location_path(post_form(client, path, data)).startswith("/login"), path
    assert snapshot(event) == before


def test_the_organizer_sees_their_own_draft_and_a_link_to_manage_it(client):
    user = signed_in_organizer(client)
    event = make_event(user, status=EventStatus.DRAFT, name="Secret Plans")
    text = page(client.get(f"/events/{event.slug}")).text()
    assert "Secret Plans" in text and "Manage this event" in text


# --- public pages ------------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_the_home_page_lists_published_upcoming_events_only(client):
    now = datetime.now(UTC).replace(microsecond=0)
    make_event(name="Later Conference", starts_at=now + timedelta(days=60), ends_at=now + timedelta(days=61))
    make_event(name="Sooner Workshop", starts_at=now + timedelta(days=3), ends_at=now + timedelta(days=3, hours=2))
    make_event(name="Unfinished Draft", status=EventStatus.DRAFT)
    make_event(name="Called Off", status=EventStatus.CANCELLED)
    make_event(name="Last Year's Party", starts_at=now - timedelta(days=300), ends_at=now - timedelta(days=299))
    text = page(client.get("/")).text()
    assert "Sooner Workshop" in text and "Later Conference" in text
    assert text.index("Sooner Workshop") < text.index("Later Conference")
    for hidden in ("Unfinished Draft", "Called Off", "Last Year"):
        assert hidden not in text


def test_the_home_page_says_when_nothing_is_coming_up(client):
    assert "No events are coming up yet." in page(client.get("/")).text()


def test_the_event_page_shows_name_local_time_venue_and_ticket_types(client):
    event = make_event(
        name="TECOM Meetup",
        tagline="Founders and friends",
        description="First paragraph.\n\nSecond paragraph.",
        venue="ITC Guigu International Center",
        address="Xihu District, Hangzhou",
        timezone="Asia/Shanghai",
        starts_at=datetime(YEAR, 6, 18, 1, 0, tzinfo=UTC),
        ends_at=datetime(YEAR, 6, 18, 10, 0, tzinfo=UTC),
        capacity=400,
    )
    add_ticket_type(event, "Investor", 80, "Angels and VCs.")
    response = client.get(f"/events/{event.slug}")
    assert response.status_code == 200
    text = page(response).text()
    assert "TECOM Meetup" in text and "Founders and friends" in text
    local_day = datetime(YEAR, 6, 18).strftime("%a 18 Jun")
    assert f"{local_day} {YEAR}, 09:00 – 18:00 (Asia/Shanghai)" in text
    assert "ITC Guigu International Center, Xihu District, Hangzhou" in text
    assert "General admission" in text and "Investor 80 left Angels and VCs." in text
    assert "First paragraph." in text and "Second paragraph." in text
    assert "Manage this event" not in text


def test_an_event_over_midnight_shows_both_dates(client):
    event = make_event(
        timezone="Europe/Berlin",
        starts_at=datetime(YEAR, 1, 10, 20, 0, tzinfo=UTC),
        ends_at=datetime(YEAR, 1, 11, 2, 0, tzinfo=UTC),
    )
    text = page(client.get(f"/events/{event.slug}")).text()
    assert f"10 Jan {YEAR}, 21:00 – " in text and f"11 Jan {YEAR}, 03:00 (Europe/Berlin)" in text


def test_an_unknown_event_is_a_not_found_page(client):
    response = client.get("/events/no-such-event")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    text = page(response).text()
    assert "Not found" in text and "Traceback" not in text
    assert client.get("/manage/events/whatever").status_code == 302  # organizer pages ask for a login first


def test_an_unknown_event_on_the_organizer_pages_is_not_found(client):
    signed_in_organizer(client)
    for path in ("/manage/events/no-such-event", "/manage/events/no-such-event/edit"):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"


# --- ticket types ----------------------------------------------------------------------------------------


def test_adding_a_ticket_type_lists_it_on_the_dashboard_and_the_public_page(client):
    user = signed_in_organizer(client)
    event = make_event(user, capacity=400)
    response = post_form(
        client,
        f"/manage/events/{event.slug}/ticket-types",
        {"name": " VIP ", "capacity": "50", "description": "Front rows."},
    )
    assert location_path(response) == f"/manage/events/{event.slug}"
    dashboard = client.get(f"/manage/events/{event.slug}")
    assert ticket_type_names(dashboard) == ["General admission", "VIP"]
    assert "Ticket type “VIP” added." in page(dashboard).text()
    assert "VIP 50 left Front rows." in page(client.get(f"/events/{event.slug}")).text()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": "", "capacity": "10"}, "name", "This field is required."),
        ({"name": "Student", "capacity": "-5"}, "capacity", "Enter a number from 0 to 1,000,000."),
        ({"name": "Student", "capacity": "ten"}, "capacity", "Not a valid integer value."),
    ],
)
def test_a_bad_ticket_type_shows_the_dashboard_again_with_the_form_open(client, fields, field, message):
    user = signed_in_organizer(client)
    event = make_event(user)
    data = {"description": "For students.", **fields}
    response = post_form(client, f"/manage/events/{event.slug}/ticket-types", data)
    assert response.status_code == 422
    doc = page(response)
    assert message in doc.error(field)
    assert doc.fields_with_errors() == {field}
    assert doc.value("name") == fields["name"]
    assert doc.value("capacity") == as_shown(fields["capacity"], message if field == "capacity" else None)
    assert doc.value("description") == "For students."
    assert re.search(r'<details class="card" open>\s*<summary>Add a ticket type', doc.html)
    assert [t.name for t in reload(event).ticket_types] == ["General admission"]
    assert_form_page_is_accessible(doc)


def test_editing_a_ticket_type(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    ticket_type = event.ticket_types[0]
    path = f"/manage/events/{event.slug}/ticket-types/{ticket_type.id}"
    doc = page(client.get(path))
    assert doc.value("name") == "General admission" and doc.value("capacity") == ""
    assert "Delete this ticket type" not in doc.text()  # the only one
    assert_form_page_is_accessible(doc)

    response = post_form(client, path, {"name": "Standard", "capacity": "", "description": "Seat anywhere."})
    assert location_path(response) == f"/manage/events/{event.slug}"
    assert ticket_type_names(client.get(f"/manage/events/{event.slug}")) == ["Standard"]

    bad = post_form(client, path, {"name": "", "capacity": "12", "description": "Typed"})
    assert bad.status_code == 422
    doc = page(bad)
    assert doc.error("name") == "This field is required."
    assert doc.value("capacity") == "12" and doc.value("description") == "Typed"
    assert reload(ticket_type).name == "Standard"


def test_a_ticket_type_capacity_below_its_seats_taken_is_an_error_not_a_crash(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    ticket_type = event.ticket_types[0]
    ticket_type.seats_taken = 7
    db.session.commit()
    path = f"/manage/events/{event.slug}/ticket-types/{ticket_type.id}"
    response = post_form(client, path, {"name": "General admission", "capacity": "6"})
    assert response.status_code == 422
    doc = page(response)
    assert "7 seats of this type are taken; the capacity cannot be lower." in doc.text()
    assert doc.value("capacity") == "6"
    assert reload(ticket_type).capacity is None


def test_deleting_ticket_types_but_never_the_last_one(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    extra = add_ticket_type(event, "Early bird")
    general = event.ticket_types[0]
    assert "Delete this ticket type" in page(
        client.get(f"/manage/events/{event.slug}/ticket-types/{extra.id}")
    ).text()

    response = post_form(client, f"/manage/events/{event.slug}/ticket-types/{extra.id}/delete", {})
    assert location_path(response) == f"/manage/events/{event.slug}"
    dashboard = client.get(f"/manage/events/{event.slug}")
    assert ticket_type_names(dashboard) == ["General admission"]
    assert "Ticket type deleted." in page(dashboard).text()

    last = post_form(
        client, f"/manage/events/{event.slug}/ticket-types/{general.id}/delete", {}, follow_redirects=True
    )
    assert last.status_code == 200
    assert "An event needs at least one ticket type." in page(last).text()
    assert ticket_type_names(last) == ["General admission"]
    assert db.session.scalar(select(func.count()).select_from(TicketType)) == 1


def test_a_ticket_type_of_another_event_is_not_found(client):
    user = signed_in_organizer(client)
    mine, other = make_event(user), make_event(user)
    path = f"/manage/events/{mine.slug}/ticket-types/{other.ticket_types[0].id}"
    assert client.get(path).status_code == 404
    assert post_form(client, f"{path}/delete", {}).status_code == 404


# --- questions --------------------------------------------------------------------------------------------


def test_adding_questions_of_each_kind(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    base = f"/manage/events/{event.slug}/questions"
    typed = [
        {"label": "Company", "kind": "text", "required": "y", "help_text": "Where you work."},
        {"label": "Your role", "kind": "select", "options": "Founder\r\nInvestor\r\n\r\n  Student  \r\n"},
        {"label": "Topics", "kind": "multiselect", "options": "AI\nHardware"},
        {"label": "Where are you from?", "kind": "country"},
        {"label": "Bio", "kind": "textarea", "options": "ignored\nfor text"},
        {"label": "Dinner", "kind": "checkbox"},
    ]
    for data in typed:
        response = post_form(client, base, data)
        assert location_path(response) == f"/manage/events/{event.slug}", response.get_data(as_text=True)
    dashboard = client.get(f"/manage/events/{event.slug}")
    assert question_labels(dashboard) == [d["label"] for d in typed]
    text = page(dashboard).text()
    assert "One choice from a list: Founder, Investor, Student" in text
    assert "Several choices from a list: AI, Hardware" in text
    questions = reload(event).questions
    assert [q.kind for q in questions] == [QuestionKind(d["kind"]) for d in typed]
    assert questions[0].required and questions[0].help_text == "Where you work."
    assert questions[1].options == ["Founder", "Investor", "Student"]
    assert questions[4].options == []  # options only belong to lists


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "select", "options": ""}, "options", "Give at least one option."),
        ({"kind": "multiselect", "options": "  \n "}, "options", "Give at least one option."),
        ({"kind": "select", "options": "Red\nRed"}, "options", "Each option may appear only once."),
        ({"kind": "select", "options": "Red", "label": ""}, "label", "This field is required."),
        ({"kind": "telepathy", "options": ""}, "kind", "Not a valid choice."),
    ],
)
def test_a_bad_question_shows_the_dashboard_again_with_what_was_typed(client, fields, field, message):
    user = signed_in_organizer(client)
    event = make_event(user)
    data = {"label": "Favourite colour", "required": "y", "help_text": "Pick one.", **fields}
    response = post_form(client, f"/manage/events/{event.slug}/questions", data)
    assert response.status_code == 422
    doc = page(response)
    assert doc.error(field) == message
    assert doc.fields_with_errors() == {field}
    assert doc.value("label") == data["label"] and doc.value("help_text") == "Pick one."
    if field != "kind":
        assert doc.value("kind") == data["kind"]
    assert doc.checked("required")
    assert doc.value("options") == data["options"]
    assert re.search(r'<details class="card" open>\s*<summary>Add a question', doc.html)
    assert reload(event).questions == []
    assert_form_page_is_accessible(doc)


def test_editing_a_question(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    question = add_question(event, QuestionDetails("Your role", QuestionKind.SELECT, True, ["Founder", "Investor"]))
    path = f"/manage/events/{event.slug}/questions/{question.id}"
    doc = page(client.get(path))
    assert doc.value("label") == "Your role" and doc.value("kind") == "select"
    assert doc.value("options") == "Founder\nInvestor" and doc.checked("required")
    assert_form_page_is_accessible(doc)

    bad = post_form(client, path, {"label": "Your job", "kind": "multiselect", "options": "", "help_text": "Typed"})
    assert bad.status_code == 422
    doc = page(bad)
    assert doc.error("options") == "Give at least one option."
    assert doc.value("label") == "Your job" and doc.value("kind") == "multiselect" and not doc.checked("required")
    assert doc.value("help_text") == "Typed"
    assert reload(question).label == "Your role"

    response = post_form(client, path, {"label": "Your job", "kind": "multiselect", "options": "Dev\nDesign"})
    assert location_path(response) == f"/manage/events/{event.slug}"
    question = reload(question)
    assert (question.label, question.kind, question.options, question.required) == (
        "Your job",
        QuestionKind.MULTISELECT,
        ["Dev", "Design"],
        False,
    )
    assert "Question saved." in page(client.get(f"/manage/events/{event.slug}")).text()


def test_deleting_a_question(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    keep = add_question(event, QuestionDetails("Keep me", QuestionKind.TEXT))
    drop = add_question(event, QuestionDetails("Drop me", QuestionKind.TEXT))
    assert "Delete this question" in page(client.get(f"/manage/events/{event.slug}/questions/{drop.id}")).text()
    response = post_form(client, f"/manage/events/{event.slug}/questions/{drop.id}/delete", {})
    assert location_path(response) == f"/manage/events/{event.slug}"
    dashboard = client.get(f"/manage/events/{event.slug}")
    assert question_labels(dashboard) == ["Keep me"]
    assert "Question deleted." in page(dashboard).text()
    assert db.session.scalar(select(func.count()).select_from(Question)) == 1 and reload(keep)


def test_moving_questions_up_and_down_changes_the_order_on_the_dashboard(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    first, second, third = (
        add_question(event, QuestionDetails(label, QuestionKind.TEXT)) for label in ("First", "Second", "Third")
    )
    base = f"/manage/events/{event.slug}/questions"
    dashboard = client.get(f"/manage/events/{event.slug}")
    assert question_labels(dashboard) == ["First", "Second", "Third"]
    doc = page(dashboard)
    actions = {f.action for f in doc.forms}
    assert f"{base}/{first.id}/down" in actions and f"{base}/{first.id}/up" not in actions
    assert f"{base}/{third.id}/up" in actions and f"{base}/{third.id}/down" not in actions

    assert location_path(post_form(client, f"{base}/{third.id}/up", {})) == f"/manage/events/{event.slug}"
    assert question_labels(client.get(f"/manage/events/{event.slug}")) == ["First", "Third", "Second"]
    post_form(client, f"{base}/{first.id}/down", {})
    assert question_labels(client.get(f"/manage/events/{event.slug}")) == ["Third", "First", "Second"]
    post_form(client, f"{base}/{third.id}/up", {})  # already first: nothing moves
    post_form(client, f"{base}/{second.id}/down", {})  # already last
    assert question_labels(client.get(f"/manage/events/{event.slug}")) == ["Third", "First", "Second"]


def test_a_question_move_without_the_csrf_token_is_refused(client):
    user = signed_in_organizer(client)
    event = make_event(user)
    add_question(event, QuestionDetails("First", QuestionKind.TEXT))
    second = add_question(event, QuestionDetails("Second", QuestionKind.TEXT))
    assert client.post(f"/manage/events/{event.slug}/questions/{second.id}/up").status_code == 400
    assert question_labels(client.get(f"/manage/events/{event.slug}")) == ["First", "Second"]


# --- every form page -------------------------------------------------------------------------------------


def test_every_organizer_form_page_has_the_csrf_token_and_a_label_for_every_field(client):
    user = signed_in_organizer(client)
    event = make_event(user, status=EventStatus.DRAFT)
    ticket_type = event.ticket_types[0]
    question = add_question(event, QuestionDetails("Your role", QuestionKind.SELECT, True, ["A", "B"]))
    add_question(event, QuestionDetails("Company", QuestionKind.TEXT))
    base = f"/manage/events/{event.slug}"
    for path in (
        "/manage/events/new",
        f"{base}/edit",
        base,
        f"{base}/publish",
        f"{base}/unpublish",
        f"{base}/cancel",
        f"{base}/ticket-types/{ticket_type.id}",
        f"{base}/questions/{question.id}",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_form_page_is_accessible(page(response))
    # ... and when they show errors.
    for path, data in (
        ("/manage/events/new", {"name": ""}),
        (f"{base}/edit", {"name": "", "capacity": "x"}),
        (f"{base}/ticket-types", {"name": ""}),
        (f"{base}/questions", {"label": "", "kind": "select"}),
        (f"{base}/ticket-types/{ticket_type.id}", {"name": ""}),
        (f"{base}/questions/{question.id}", {"label": ""}),
    ):
        response = post_form(client, path, data)
        assert response.status_code == 422, path
        assert_form_page_is_accessible(page(response))


def test_the_dashboard_hands_out_the_public_address_of_the_event_page(organizer, event):
    # The request's own host (here "localhost", behind a proxy an internal one) is not the one
    # attendees reach: links use PUBLIC_BASE_URL.
    response = organizer.get(f"/manage/events/{event.slug}")
    assert f"Public page: http://eventsys.test/events/{event.slug}" in page(response).text()
