"""What each role of a club's team sees on its event's pages: a supervisor reads the list without
e-mail addresses and cannot act on it, a steward only scans, a manager does all but cancel."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from eventsys.clubs import services as clubs
from eventsys.clubs.models import ClubMember
from eventsys.clubs.roles import Role
from eventsys.events.models import Event
from eventsys.extensions import db
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import login, make_event, make_user, post_form


@pytest.fixture
def club_event(app: Flask) -> Event:
    owner = make_user(name="Mei Owner")
    club = clubs.create_club(owner, clubs.ClubDetails("Gongshu International Talent Club"))
    event = make_event(owner, name="Gongshu Founders Night")
    event.club_id = club.id
    db.session.commit()
    register_attendee(event, RegistrationRequest("Wang Fang", "wang.fang@example.org"))
    return event


def _member(app: Flask, event: Event, role: Role) -> FlaskClient:
    user = make_user(name=f"A {role.value}")
    db.session.add(ClubMember(club_id=event.club_id, email=user.email, role=role, user_id=user.id))
    db.session.commit()
    browser = app.test_client()
    login(browser, user)
    return browser


def test_a_supervisor_reads_the_list_without_e_mail_addresses(app, club_event):
    supervisor = _member(app, club_event, Role.SUPERVISOR)
    page = supervisor.get(f"/manage/events/{club_event.slug}/registrations")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Wang Fang" in html
    assert "wang.fang@example.org" not in html
    assert "@zju.edu.cn" not in html and "Name or code" in html  # the search help says what it finds
    assert 'name="codes"' not in html and "exports/registrations.csv" not in html  # no bulk actions, no downloads
    assert (
        supervisor.get(f"/manage/events/{club_event.slug}/registrations?q=wang.fang@")
        .get_data(as_text=True)
        .count("Wang Fang")
        == 0
    )  # nor found by it
    assert supervisor.get(f"/manage/events/{club_event.slug}/exports/registrations.csv").status_code == 403
    assert supervisor.get(f"/manage/events/{club_event.slug}/edit").status_code == 403
    assert supervisor.get(f"/manage/events/{club_event.slug}/checkins").status_code == 200


def test_a_manager_sees_everything_but_may_not_cancel(app, club_event):
    manager = _member(app, club_event, Role.MANAGER)
    html = manager.get(f"/manage/events/{club_event.slug}/registrations").get_data(as_text=True)
    assert "wang.fang@example.org" in html and 'name="codes"' in html
    assert manager.get(f"/manage/events/{club_event.slug}/edit").status_code == 200
    assert post_form(manager, f"/manage/events/{club_event.slug}/cancel", {}).status_code == 403
    assert db.session.get(Event, club_event.id).status.value == "published"


def test_a_steward_only_reaches_the_door(app, club_event):
    steward = _member(app, club_event, Role.STEWARD)
    assert steward.get(f"/manage/events/{club_event.slug}/registrations").status_code == 403
    assert steward.get(f"/manage/events/{club_event.slug}/checkins").status_code == 403
    assert steward.get(f"/events/{club_event.slug}/door").status_code == 200
    assert steward.get(f"/events/{club_event.slug}/door/lookup?q=wang").status_code == 403
    mine = steward.get("/manage/events").get_data(as_text=True)
    assert f'href="/events/{club_event.slug}/door"' in mine  # their event, linked to where they work
