"""A club's pages that list its events: the public page, its calendar feed, and the trail (owners)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsys.clubs import services as club_services
from eventsys.clubs.models import AuditEntry, Club
from eventsys.clubs.roles import Permission
from eventsys.clubs.trail import sentence
from eventsys.events import services
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.i18n import page_language
from eventsys.pagination import page_of
from eventsys.registration.tickets import CalendarEntry, calendar_feed
from eventsys.urls import public_url

club_pages = Blueprint("club_pages", __name__)

MAX_UPCOMING = 100  # a club page lists this many coming events at most (the feed too)
PAST_PER_PAGE = 10
TRAIL_PER_PAGE = 50
FEED_REFRESH = timedelta(hours=1)  # how often a subscribed calendar fetches the feed again
FEED_CACHE = "public, max-age=900"


def _page_number() -> int:
    return request.args.get("page", 1, type=int) or 1


@club_pages.get("/clubs/<slug>")
def club_page(slug: str):
    """Upcoming events (a cancelled one marked so, for whoever planned to go) and past ones, a page at a time."""
    club = club_services.find_club(slug)
    coming, over = services.club_events(club, cancelled_upcoming=True)
    upcoming = db.session.scalars(coming.limit(MAX_UPCOMING)).all()
    past = page_of(over, _page_number(), PAST_PER_PAGE, clamp=True)
    feed = _feed_url(club)
    return render_template(
        "clubs/club.html",
        club=club,
        upcoming=upcoming,
        past=past,
        feed_url=feed,
        webcal_url="webcal://" + feed.split("://", 1)[1],
    )


def _feed_url(club: Club) -> str:
    """The feed's address, in the page's language when it is not English (a calendar app sends none)."""
    language = page_language()
    arguments = {"lang": language} if language != "en" else {}
    return public_url("club_pages.calendar_feed", slug=club.slug, **arguments)


def _entry(event: Event) -> CalendarEntry:
    url = public_url("public.event_page", slug=event.slug)
    tagline = event.translated("tagline")
    return CalendarEntry(
        uid=f"event-{event.id}@eventsys",
        name=event.translated("name"),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        location=", ".join(part for part in (event.translated("venue"), event.translated("address")) if part),
        description=f"{tagline}\n\n{url}" if tagline else url,
        url=url,
        stamp=event.updated_at,
    )


@club_pages.get("/clubs/<slug>/events.ics", endpoint="calendar_feed")
def feed(slug: str):
    """The upcoming published events, for a phone's calendar to subscribe to (webcal://)."""
    club = club_services.find_club(slug)
    events = db.session.scalars(services.club_events(club)[0].limit(MAX_UPCOMING)).all()
    body = calendar_feed(club.name, [_entry(event) for event in events], FEED_REFRESH)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = f'inline; filename="{club.slug}.ics"'
    response.headers["Cache-Control"] = FEED_CACHE
    response.add_etag()
    return response.make_conditional(request)


@club_pages.get("/manage/clubs/<slug>/trail")
@login_required
def trail(slug: str):
    """Who changed what, newest first; its times in the zone of the club's latest event."""
    club = club_services.require_club_permission(slug, current_user, Permission.READ_AUDIT)
    entries = page_of(
        club_services.trail_of(club).options(selectinload(AuditEntry.actor)), _page_number(), TRAIL_PER_PAGE, clamp=True
    )
    event_ids = {entry.event_id for entry in entries.items if entry.event_id is not None}
    names = {
        row.id: row.name for row in db.session.execute(select(Event.id, Event.name).where(Event.id.in_(event_ids)))
    }
    lines = [(entry, sentence(entry, names.get(entry.event_id))) for entry in entries.items]
    zone = services.club_timezone(club)
    return render_template("clubs/trail.html", club=club, page=entries, lines=lines, zone=zone)
