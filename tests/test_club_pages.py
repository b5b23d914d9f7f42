"""A club's public page, its calendar feed, the clubs on the home page, a new club, a new club event."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from eventsys.auth.models import User
from eventsys.clubs.models import Club
from eventsys.clubs.services import ClubDetails, create_club, invite_member, join_club
from eventsys.errors import Forbidden, ValidationFailed
from eventsys.events.models import Event, EventStatus
from eventsys.events.services import club_for_new_event
from eventsys.extensions import db
from eventsys.registration.tickets import team_invitation_secret
from tests.conftest import login, make_event, make_user, post_form
from tests.html_pages import assert_errors_are_summarised, assert_form_page_is_accessible, location_path, page

NOW = datetime.now(UTC).replace(microsecond=0)


def club_event(club: Club, name: str, starts_in: timedelta, status=EventStatus.PUBLISHED, **fields) -> Event:
    starts = NOW + starts_in
    ends = starts + timedelta(hours=3)
    event = make_event(_owners[club.id], status, name=name, starts_at=starts, ends_at=ends, **fields)
    event.club_id = club.id
    db.session.commit()
    return event


_owners: dict[int, User] = {}  # each club's founder


def new_club(name: str = "Xiaoshan International Talent Club", **fields) -> Club:
    founder = make_user(name="Li Wei")
    club = create_club(founder, ClubDetails(name=name, **fields))
    _owners[club.id] = founder
    return club


def sections(html: str) -> tuple[str, str]:
    """The page's upcoming part and its past part."""
    upcoming, _, past = html.partition('id="past-heading"')
    return upcoming, past


@pytest.fixture
def club(app) -> Club:
    return new_club(description="Meetups for **international talent** in Xiaoshan.\n\n<script>alert(1)</script>")


@pytest.fixture
def events(club: Club) -> dict[str, Event]:
    other = new_club("Gongshu Club")
    return {
        "later": club_event(club, "Founders Night", timedelta(days=20)),
        "soon": club_event(
            club,
            "AI Meetup",
            timedelta(days=2),
            tagline="Models, chips, apps",
            translations={"zh-CN": {"name": "人工智能聚会", "tagline": "模型、芯片与应用"}},
        ),
        "draft": club_event(club, "Secret Draft", timedelta(days=5), EventStatus.DRAFT),
        "cancelled": club_event(club, "Rained Off Hike", timedelta(days=7), EventStatus.CANCELLED),
        "past": club_event(club, "Spring Gala", -timedelta(days=60)),
        "past_cancelled": club_event(club, "Forgotten Picnic", -timedelta(days=30), EventStatus.CANCELLED),
        "other_club": club_event(other, "Gongshu Tea", timedelta(days=3)),
        "no_club": make_event(name="Someone's Own Workshop"),
    }


# --- the public page ---------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_the_club_page_lists_its_upcoming_events_soonest_first_and_its_past_ones(client, club, events):
    response = client.get(f"/clubs/{club.slug}")
    assert response.status_code == 200
    doc = page(response)
    upcoming, past = sections(doc.html)
    assert "<strong>international talent</strong>" in doc.html  # the description's Markdown
    assert "<script>alert(1)</script>" not in doc.html
    assert upcoming.index("AI Meetup") < upcoming.index("Founders Night")
    assert "Models, chips, apps" in upcoming
    # A cancelled event still coming is shown, struck and marked, for whoever planned to go.
    assert re.search(r'class="card event-cancelled">\s*<h3><a href="/events/[^"]+">Rained Off Hike</a>', upcoming)
    assert "Spring Gala" in past and "Spring Gala" not in upcoming
    for hidden in ("Secret Draft", "Forgotten Picnic", "Gongshu Tea", "Someone's Own Workshop"):
        assert hidden not in doc.html, hidden
    assert f'href="webcal://eventsys.test/clubs/{club.slug}/events.ics"' in doc.html
    event_page = page(client.get(f"/events/{events['soon'].slug}"))
    assert f'<a href="/clubs/{club.slug}">{club.name}</a>' in event_page.html  # and back to the club
    assert f'href="http://eventsys.test/clubs/{club.slug}/events.ics"' in doc.html


def test_the_club_page_speaks_the_visitors_language(client, club, events):
    doc = page(client.get(f"/clubs/{club.slug}?lang=zh-CN"))
    upcoming, _ = sections(doc.html)
    assert "即将举行的活动" in upcoming and "往期活动" in doc.text()
    assert "人工智能聚会" in upcoming and "模型、芯片与应用" in upcoming
    assert "AI Meetup" not in doc.html
    starts = events["soon"].local(events["soon"].starts_at)
    assert f"{starts.year}年{starts.month}月{starts.day}日" in upcoming  # in the event's zone, said in Chinese
    assert "Founders Night" in upcoming  # no Chinese name: the original
    # The feed link carries the language, as a calendar app sends none.
    assert f"webcal://eventsys.test/clubs/{club.slug}/events.ics?lang=zh-CN" in doc.html


def test_past_events_come_a_page_at_a_time_newest_first(client, club):
    for number in range(12):
        club_event(club, f"Monthly Meetup {number:02d}", -timedelta(days=30 * (number + 1)))
    first = page(client.get(f"/clubs/{club.slug}"))
    shown = re.findall(r"Monthly Meetup (\d\d)", first.html)
    assert shown == [f"{n:02d}" for n in range(10)]
    assert "Page 1 of 2" in first.text()
    [older] = re.findall(r'href="([^"]+)" rel="next"', first.html)
    second = page(client.get(older.replace("&amp;", "&")))
    assert re.findall(r"Monthly Meetup (\d\d)", second.html) == ["10", "11"]
    assert client.get(f"/clubs/{club.slug}?page=99").status_code == 200  # the last page
    assert client.get(f"/clubs/{club.slug}?page=nine").status_code == 200


def test_an_unknown_club_is_a_404_page(client):
    for path in ("/clubs/nobody-here", "/clubs/nobody-here/events.ics", "/clubs/" + "x" * 300):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Not found" in page(response).text()


# --- the calendar feed -------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_the_calendar_feed_holds_the_upcoming_published_events_in_utc(client, club, events):
    response = client.get(f"/clubs/{club.slug}/events.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "max-age" in response.headers["Cache-Control"]
    calendar = Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == club.name
    assert calendar["REFRESH-INTERVAL"].dt == timedelta(hours=1)
    assert calendar["X-PUBLISHED-TTL"] == "PT1H"
    entries = calendar.walk("VEVENT")
    assert [str(entry["SUMMARY"]) for entry in entries] == ["AI Meetup", "Founders Night"]
    soon = events["soon"]
    first = entries[0]
    assert first["DTSTART"].dt == soon.starts_at and first["DTSTART"].dt.utcoffset() == timedelta(0)
    assert first["DTEND"].dt == soon.ends_at
    assert str(first["URL"]) == f"http://eventsys.test/events/{soon.slug}"
    assert f"http://eventsys.test/events/{soon.slug}" in str(first["DESCRIPTION"])
    assert b"DTSTART:" in response.data and b"TZID" not in response.data  # plain UTC times, no zones needed
    # The same UID each time: a subscribed calendar updates the event rather than adding it again.
    again = Calendar.from_ical(client.get(f"/clubs/{club.slug}/events.ics").data)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == [str(e["UID"]) for e in entries]
    assert len({str(e["UID"]) for e in entries}) == 2


def test_the_feed_escapes_and_folds_long_names_and_answers_304_when_unchanged(client, club):
    name = "TECOM Conf, Hangzhou; the 2030 edition — 杭州国际人才大会暨创新创业大赛"
    club_event(club, name, timedelta(days=9), venue="ITC Guigu, Hall 3", address="Xiaoshan; Hangzhou")
    response = client.get(f"/clubs/{club.slug}/events.ics")
    lines = response.data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines), [line for line in lines if len(line) > 75]
    assert b"SUMMARY:TECOM Conf\\, Hangzhou\\; the 2030" in response.data
    [entry] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(entry["SUMMARY"]) == name
    assert str(entry["LOCATION"]) == "ITC Guigu, Hall 3, Xiaoshan; Hangzhou"
    etag = response.headers["ETag"]
    unchanged = client.get(f"/clubs/{club.slug}/events.ics", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304


def test_the_feed_in_chinese_names_the_events_in_chinese(client, club, events):
    calendar = Calendar.from_ical(client.get(f"/clubs/{club.slug}/events.ics?lang=zh-CN").data)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["人工智能聚会", "Founders Night"]


# --- the home page -----------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_the_home_page_lists_the_clubs_that_run_events_beside_the_upcoming_events(client, club, events):
    new_club("Empty Club")  # nothing published yet: not listed
    doc = page(client.get("/"))
    clubs = doc.html[doc.html.index('id="clubs-heading"') :]
    assert f'<a href="/clubs/{club.slug}">{club.name}</a>' in clubs
    assert "Gongshu Club" in clubs and "Empty Club" not in doc.html
    assert "2 upcoming events" in clubs  # the published ones still coming
    upcoming_list = doc.html[: doc.html.index('id="clubs-heading"')]
    assert "AI Meetup" in upcoming_list and "Someone&#39;s Own Workshop" in upcoming_list
    assert "2 场即将举行的活动" in page(client.get("/?lang=zh-CN")).text()


# --- a new club, and "My clubs" ----------------------------------------------------------------------


def test_an_organizer_creates_a_club_and_finds_it_under_my_clubs(app, client):
    login(client, make_user(name="Zhang Min"))
    form = page(client.get("/manage/clubs/new"))
    assert_form_page_is_accessible(form)
    taken = new_club("Qiantang Club")
    response = post_form(client, "/manage/clubs/new", {"name": "Yuhang Club", "slug": taken.slug, "description": ""})
    assert response.status_code == 422
    doc = page(response)
    assert_errors_are_summarised(doc)
    assert doc.error("slug") == "Another club already uses this address."
    assert doc.value("name") == "Yuhang Club"
    response = post_form(client, "/manage/clubs/new", {"name": "", "slug": "Bad Slug!"})
    assert page(response).fields_with_errors() == {"name", "slug"}
    response = client.post("/manage/clubs/new", data={"name": "No token"})
    assert response.status_code == 400  # no CSRF token

    response = post_form(client, "/manage/clubs/new", {"name": "Yuhang Club", "description": "Hello *Yuhang*"})
    assert location_path(response) == "/manage/clubs/yuhang-club"
    team = page(client.get("/manage/clubs/yuhang-club"))
    assert "The club “Yuhang Club” is created." in team.text()
    assert "Zhang Min" in team.text() and "owner" in team.text()
    mine = page(client.get("/manage/events"))
    assert '<a href="/manage/clubs/yuhang-club">Yuhang Club</a>' in mine.html
    assert 'href="/clubs/yuhang-club"' in mine.html
    assert "<em>Yuhang</em>" in page(client.get("/clubs/yuhang-club")).html


def test_creating_a_club_needs_an_account(client):
    assert location_path(client.get("/manage/clubs/new")).startswith("/login?next=")


# --- a new event in a club ---------------------------------------------------------------------------


def _event_form(**fields) -> dict:
    return {
        "name": "Xiaoshan Hike",
        "timezone": "Asia/Shanghai",
        "starts_at": "2031-04-04T09:00",
        "ends_at": "2031-04-04T15:00",
        "waitlist": "y",
        **fields,
    }


def test_a_new_event_can_belong_to_a_club_where_its_creator_is_owner_or_manager(app, client):
    club = new_club()
    steward_club = new_club("Gongshu Club")
    manager, founder = make_user(name="Wang Fang"), _owners[club.id]
    for target, role in ((club, "manager"), (steward_club, "steward")):
        invitation = invite_member(target, _owners[target.id], manager.email, role)
        join_club(team_invitation_secret(invitation), manager)
    login(client, manager)
    doc = page(client.get(f"/manage/events/new?club={club.slug}"))
    assert_form_page_is_accessible(doc)
    assert doc.value("club") == club.slug
    assert 'value="gongshu-club"' not in doc.html  # a steward there: not a choice

    response = post_form(client, "/manage/events/new", _event_form(club="gongshu-club"))
    assert response.status_code == 422
    assert page(response).error("club") is not None
    response = post_form(client, "/manage/events/new", _event_form(club=club.slug))
    event = db.session.scalar(db.select(Event).where(Event.name == "Xiaoshan Hike"))
    assert location_path(response) == f"/manage/events/{event.slug}"
    assert (event.club_id, event.owner_id) == (club.id, manager.id)
    response = post_form(client, "/manage/events/new", _event_form(name="Wang's own", club=""))
    assert db.session.scalar(db.select(Event.club_id).where(Event.name == "Wang's own")) is None

    # The one rule, as the API will use it.
    assert club_for_new_event(founder, club.slug) == club
    with pytest.raises(Forbidden):
        club_for_new_event(manager, steward_club.slug)
    with pytest.raises(ValidationFailed):
        club_for_new_event(manager, "no-such-club")


def test_an_organizer_without_clubs_sees_no_club_choice(client):
    login(client, make_user())
    doc = page(client.get("/manage/events/new"))
    assert not [c for c in doc.controls if c.get("name") == "club"]
    response = post_form(client, "/manage/events/new", _event_form(club="xiaoshan-international-talent-club"))
    assert response.status_code == 302  # the field is not there: the event is the organizer's own
