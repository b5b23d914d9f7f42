"""The door in the browser: door links, the door page's JSON endpoints, door staff invited by
e-mail, and the organizer's check-in dashboard, as a door person or an organizer sees them.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient

from eventsys.events.models import EventStatus
from eventsys.mail.sender import send_due
from eventsys.registration.services import cancel_registration
from eventsys.registration.tickets import qr_payload_of
from tests.api_helpers import assert_error_body
from tests.checkin_helpers import DAY, attendee, door_config, open_door_link, scan_count, scan_log
from tests.conftest import bearer, csrf_token, login, make_event, make_user, post_form
from tests.html_pages import assert_form_page_is_accessible, location_path, page

DOOR_LINK = re.compile(r"http://eventsys\.test/door/[A-Za-z0-9_\-]+")
INVITE_LINK = re.compile(r"http://eventsys\.test/door-invite/[A-Z2-7]{32}")



def submit(browser: FlaskClient, path: str, action: str, data: dict):
    """Fill in and send the form on the page at ``path`` that posts to ``action``, as a browser does."""
    doc = page(browser.get(path))
    [form] = [f for f in doc.forms if f.action == action]
    return browser.post(action, data={"csrf_token": form.csrf_token, **data})


def create_door_link(organizer: FlaskClient, event, label: str) -> str:
    """Create a door link on the door-access page, as the organizer does; returns the link shown once."""
    access = f"/manage/events/{event.slug}/door-access"
    response = submit(organizer, access, f"/manage/events/{event.slug}/door-links", {"label": label})
    assert response.status_code == 201
    shown = response.get_data(as_text=True)
    [link] = DOOR_LINK.findall(shown)
    assert label in shown
    assert not DOOR_LINK.search(organizer.get(access).get_data(as_text=True))  # shown once
    return link


def post_json(browser: FlaskClient, url: str, body, config: dict | None = None):
    headers = {"X-CSRFToken": config["csrf_token"]} if config else {}
    return browser.post(url, json=body, headers=headers)


def scan_at_door(browser: FlaskClient, config: dict, code: str, **fields) -> dict:
    response = post_json(browser, config["scan_url"], {"code": code, **fields}, config)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def door_urls(event) -> dict[str, str]:
    base = f"/events/{event.slug}/door"
    return {"page": base, "scan": f"{base}/scan", "lookup": f"{base}/lookup?q=li", "state": f"{base}/state"}


def assert_shut_out(browser: FlaskClient, event, config: dict | None = None) -> None:
    """This browser can no longer use the event's door page or any of its endpoints."""
    urls = door_urls(event)
    assert browser.get(urls["page"]).status_code == 404
    assert browser.get(urls["lookup"]).status_code == 404
    assert browser.get(urls["state"]).status_code == 404
    headers = {"X-CSRFToken": config["csrf_token"]} if config else {}
    count = scan_count()
    assert browser.post(urls["scan"], json={"code": "ABCD-EFGH"}, headers=headers).status_code == 404
    assert scan_count() == count


def post_button(browser: FlaskClient, path: str, action: str):
    """Press a POST button on the page at ``path`` whose form posts to ``action``."""
    return submit(browser, path, action, {})


# --- door links ----------------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_a_door_link_signs_a_browser_in_as_the_gate_and_it_scans_as_the_api_does(app, client, organizer, event):
    li, ana = attendee(event, "Li Wei"), attendee(event, "Ana Souza")
    link = create_door_link(organizer, event, "North door")
    gate = app.test_client()
    config = open_door_link(gate, link)
    assert config["gate"] == "North door" and config["timezone"] == "Asia/Shanghai"
    assert (config["confirmed"], config["checked_in"], config["inside"]) == (2, 0, 0)
    assert (config["scan_url"], config["lookup_url"], config["state_url"]) == (
        f"/events/{event.slug}/door/scan",
        f"/events/{event.slug}/door/lookup",
        f"/events/{event.slug}/door/state",
    )

    ok = scan_at_door(gate, config, " " + qr_payload_of(li).lower() + "\n")
    assert (ok["result"], ok["message"]) == ("ok", "Welcome, Li Wei")
    assert ok["checkin"]["gate"] == "North door" and ok["checkin"]["at"].endswith("+08:00")
    again = scan_at_door(gate, config, li.code.replace("-", "").lower())
    assert again["result"] == "already_checked_in" and again["previous"] == ok["checkin"]
    assert scan_at_door(gate, config, "nope")["result"] == "invalid"
    stranger = attendee(make_event(), "Zhang Min")
    wrong = scan_at_door(gate, config, qr_payload_of(stranger))
    assert wrong["result"] == "wrong_event" and "Zhang" not in str(wrong)
    assert scan_at_door(gate, config, li.code, direction="out")["message"] == "Goodbye, Li Wei"

    # The same answers as the API with the same door token: a retry of the door page's scan
    # (same nonce) through the API gets the very same answer, and the other way round.
    token = bearer(link.rsplit("/", 1)[-1])
    first = scan_at_door(gate, config, ana.code, nonce="door-1")
    api = client.post(
        f"/api/v1/events/{event.slug}/checkins", json={"code": ana.code, "nonce": "door-1"}, headers=token
    )
    assert api.get_json() == first
    from_api = client.post(
        f"/api/v1/events/{event.slug}/checkins", json={"code": ana.code, "nonce": "api-1"}, headers=token
    )
    assert scan_at_door(gate, config, ana.code, nonce="api-1") == from_api.get_json()

    log = scan_log(event)
    assert len(log) == 7
    assert {s.door_token_id for s in log} == {log[0].door_token_id} and log[0].door_token_id is not None
    assert {s.gate for s in log} == {"North door"}


def test_the_door_page_looks_people_up_without_their_e_mail_address(app, organizer, event):
    li = attendee(event, "Li Wei")
    attendee(event, "Ana Souza")
    gone = attendee(event, "Lina Gone")
    cancel_registration(gone)
    gate = app.test_client()
    config = open_door_link(gate, create_door_link(organizer, event, "North door"))
    scan_at_door(gate, config, li.code)

    def lookup(q: str) -> list[dict]:
        response = gate.get(config["lookup_url"], query_string={"q": q})
        assert response.status_code == 200
        assert "@example.org" not in response.get_data(as_text=True)
        return response.get_json()["items"]

    [found] = lookup("li wei")
    assert found.pop("created_at").startswith(li.created_at.astimezone(ZoneInfo(event.timezone)).date().isoformat())
    assert found == {
        "code": li.code,
        "name": "Li Wei",
        "ticket_type": {"id": event.ticket_types[0].id, "name": "General admission"},
        "status": "confirmed",
        "checked_in": True,
    }
    assert lookup("LI.WEI@EXAMPLE") == []  # a gate cannot test whether an address is registered
    assert [p["code"] for p in lookup(li.code.lower())] == [li.code]
    assert {p["name"]: p["status"] for p in lookup("li")} == {"Li Wei": "confirmed", "Lina Gone": "cancelled"}
    assert lookup("x") == [] and lookup("") == []
    assert lookup("nobody-like-this") == []


def test_the_door_state_has_the_counts_and_this_gates_latest_scans_newest_first(app, organizer, event):
    li, ana, chen = attendee(event, "Li Wei"), attendee(event, "Ana Souza"), attendee(event, "Chen Jie")
    north, south = app.test_client(), app.test_client()
    north_config = open_door_link(north, create_door_link(organizer, event, "North door"))
    south_config = open_door_link(south, create_door_link(organizer, event, "South door"))
    scan_at_door(north, north_config, li.code, scanned_at=f"{DAY}T09:00:00")
    scan_at_door(south, south_config, ana.code)
    scan_at_door(north, north_config, "nope", scanned_at=f"{DAY}T09:01:00")
    scan_at_door(north, north_config, li.code, scanned_at=f"{DAY}T09:02:00", direction="out")
    scan_at_door(north, north_config, chen.code, scanned_at=f"{DAY}T09:03:00")

    state = north.get(north_config["state_url"]).get_json()
    assert (state["confirmed"], state["checked_in"], state["inside"]) == (3, 3, 2)
    assert [(r["at"], r["result"], r["name"]) for r in state["recent"]] == [
        (f"{DAY}T09:03:00+08:00", "ok", "Chen Jie"),
        (f"{DAY}T09:02:00+08:00", "ok", "Li Wei"),
        (f"{DAY}T09:01:00+08:00", "invalid", None),
        (f"{DAY}T09:00:00+08:00", "ok", "Li Wei"),
    ]
    assert state["recent"][1]["message"] == "Goodbye, Li Wei"
    south_state = south.get(south_config["state_url"]).get_json()
    assert [r["name"] for r in south_state["recent"]] == ["Ana Souza"]


def test_a_scan_without_the_csrf_header_is_refused(app, organizer, event):
    li = attendee(event, "Li Wei")
    gate = app.test_client()
    config = open_door_link(gate, create_door_link(organizer, event, "North door"))
    assert post_json(gate, config["scan_url"], {"code": li.code}).status_code == 400
    wrong = gate.post(config["scan_url"], json={"code": li.code}, headers={"X-CSRFToken": "forged"})
    assert wrong.status_code == 400
    assert scan_count() == 0
    # With the token from the page's meta tag it goes through.
    meta = csrf_token(gate, f"/events/{event.slug}/door")
    assert gate.post(config["scan_url"], json={"code": li.code}, headers={"X-CSRFToken": meta}).status_code == 200


def test_a_gates_browser_cannot_open_another_events_door(app, organizer, owner, event):
    other = make_event(owner, name="Same organizer, other event")
    gate = app.test_client()
    config = open_door_link(gate, create_door_link(organizer, event, "North door"))
    assert_shut_out(gate, other, config)
    assert gate.get(f"/manage/events/{event.slug}/checkins").status_code == 302  # to the login page
    assert gate.get(f"/events/{event.slug}/door").status_code == 200


@pytest.mark.both_databases
def test_revoking_the_door_link_signs_out_every_browser_that_used_it(app, organizer, event):
    li = attendee(event, "Li Wei")
    link = create_door_link(organizer, event, "North door")
    phones = [app.test_client(), app.test_client()]
    configs = [open_door_link(phone, link) for phone in phones]
    assert scan_at_door(phones[0], configs[0], li.code)["result"] == "ok"
    south = app.test_client()
    south_config = open_door_link(south, create_door_link(organizer, event, "South door"))

    access = f"/manage/events/{event.slug}/door-access"
    revoke_actions = [f.action for f in page(organizer.get(access)).forms if f.action and f.action.endswith("/revoke")]
    assert len(revoke_actions) == 2
    token_id = scan_log(event)[0].door_token_id
    response = post_button(organizer, access, f"/manage/events/{event.slug}/door-links/{token_id}/revoke")
    assert location_path(response) == access
    assert "North door" not in page(organizer.get(access)).text().split("Door staff")[0]

    for phone, config in zip(phones, configs, strict=True):
        assert_shut_out(phone, event, config)
    assert app.test_client().get(link.removeprefix("http://eventsys.test")).status_code == 404
    # The other gate carries on.
    assert scan_at_door(south, south_config, li.code)["result"] == "already_checked_in"
    assert scan_at_door(south, south_config, li.code, direction="out")["message"] == "Goodbye, Li Wei"


def test_leave_signs_the_browser_out_of_the_gate(app, organizer, event):
    gate = app.test_client()
    config = open_door_link(gate, create_door_link(organizer, event, "North door"))
    response = gate.post(config["leave_url"], data={"csrf_token": config["csrf_token"]})
    assert location_path(response) == f"/events/{event.slug}"
    assert_shut_out(gate, event, config)


@pytest.mark.both_databases
def test_malformed_scans_from_the_door_page_get_a_json_error_and_never_a_500(app, organizer, event):
    gate = app.test_client()
    config = open_door_link(gate, create_door_link(organizer, event, "North door"))
    bodies = [
        ({"code": "ABC", "scanned_at": "0001-01-01T00:00:00"}, 422),  # overflows in Asia/Shanghai
        ({"code": "ABC", "scanned_at": "9999-12-31T23:59:59"}, 422),
        ({"code": "ABC", "scanned_at": "not a time"}, 422),
        ({"code": "ABC\x00"}, 422),  # PostgreSQL cannot store NUL
        ({"code": "\ud800ABC"}, 422),  # a lone surrogate cannot be encoded
        ({"code": "ABCD-EFGH", "nonce": "\x00"}, 422),
        ({"code": "ABCD-EFGH", "nonce": ""}, 422),
        ({"code": "   "}, 422),
        ({"code": "X" * 201}, 422),
        ({"code": "ABCD-EFGH", "direction": "sideways"}, 422),
        ({}, 422),
        ({"code": 12}, 400),
        ({"code": "ABC", "direction": 5}, 400),
        ({"code": "ABC", "scanned_at": 1700000000}, 400),
        (["ABCD-EFGH"], 400),
    ]
    for body, status in bodies:
        response = post_json(gate, config["scan_url"], body, config)
        assert response.status_code == status, (body, response.status_code)
        assert_error_body(response)
    headers = {"X-CSRFToken": config["csrf_token"]}
    deep = gate.post(config["scan_url"], data="[" * 100_000, content_type="application/json", headers=headers)
    assert deep.status_code == 400 and assert_error_body(deep)
    garbage = gate.post(config["scan_url"], data="{not json", content_type="application/json", headers=headers)
    assert garbage.status_code == 400 and assert_error_body(garbage)
    for q in ("li\x00", "\x00\x00"):
        assert gate.get(config["lookup_url"], query_string={"q": q}).status_code == 400
    assert scan_count() == 0


def test_the_organizer_can_use_the_door_page_under_their_own_name(app, organizer, owner, event):
    li = attendee(event, "Li Wei")
    config = door_config(organizer.get(f"/events/{event.slug}/door"))
    assert config["gate"] == "Mei Organizer"
    assert scan_at_door(organizer, config, li.code)["checkin"]["gate"] == "Mei Organizer"
    [logged] = scan_log(event)
    assert (logged.user_id, logged.door_token_id) == (owner.id, None)
    assert app.test_client().get(f"/events/{event.slug}/door").status_code == 404  # nobody else


# --- door staff invited by e-mail -------------------------------------------------------------------


def test_door_staff_invited_by_e_mail_check_people_in_at_that_event_only(app, smtp, organizer, owner, event):
    li = attendee(event, "Li Wei")
    other = make_event(owner, name="Another event of the same organizer")
    access = f"/manage/events/{event.slug}/door-access"
    assert_form_page_is_accessible(page(organizer.get(access)))
    invite = f"/manage/events/{event.slug}/door-staff"
    response = submit(organizer, access, invite, {"email": " Volunteer@Example.org "})
    assert location_path(response) == access
    assert send_due().sent >= 1

    [mail] = smtp.inbox.to("volunteer@example.org")
    assert mail["Subject"] == "You are invited to check people in at TECOM Conf Hangzhou"
    text = mail.get_body(("plain",)).get_content()
    [invite_url] = INVITE_LINK.findall(text)
    assert invite_url in mail.get_body(("html",)).get_content()
    invite_path = invite_url.removeprefix("http://eventsys.test")
    assert "volunteer@example.org · Supervisor — invited" in page(organizer.get(access)).text()

    # Opened while logged out, the link leads to the login page, and back to the invitation after it.
    helper = make_user(email="helper.personal@example.org", name="Hu Volunteer")
    browser = app.test_client()
    to_login = location_path(browser.get(invite_path))
    assert to_login.startswith("/login?next=")
    response = post_form(browser, to_login, {"email": helper.email, "password": "correct horse battery"})
    assert location_path(response) == invite_path
    response = browser.get(invite_path)
    assert location_path(response) == f"/events/{event.slug}/door"
    config = door_config(browser.get(f"/events/{event.slug}/door"))
    assert config["gate"] == "Hu Volunteer"
    answer = scan_at_door(browser, config, li.code)
    assert (answer["result"], answer["message"]) == ("ok", "Welcome, Li Wei")
    [logged] = scan_log(event)
    assert (logged.user_id, logged.door_token_id, logged.gate) == (helper.id, None, "Hu Volunteer")
    assert browser.get(config["state_url"]).get_json()["checked_in"] == 1
    assert browser.get(config["lookup_url"], query_string={"q": "li wei"}).get_json()["items"][0]["code"] == li.code
    assert "volunteer@example.org · Supervisor — accepted" in page(organizer.get(access)).text()

    # The door role, nothing else.
    for path in ("", "/door-access", "/checkins", "/checkins/stats.json", "/registrations"):
        assert browser.get(f"/manage/events/{event.slug}{path}").status_code == 403, path
    assert_shut_out(browser, other, config)

    # Someone else who gets hold of the link cannot take the place.
    intruder = app.test_client()
    login(intruder, make_user(name="Intruder"))
    assert location_path(intruder.get(invite_path)) == "/manage/events"
    assert intruder.get(f"/events/{event.slug}/door").status_code == 404

    # Removed by the organizer, the volunteer is out at once.
    doc = page(organizer.get(access))
    [remove] = [f.action for f in doc.forms if f.action and f.action.endswith("/remove")]
    post_button(organizer, access, remove)
    assert "volunteer@example.org" not in page(organizer.get(access)).text()
    assert_shut_out(browser, event, config)
    assert browser.get(invite_path).status_code == 404


def test_an_invitation_withdrawn_before_it_was_sent_is_not_mailed(app, smtp, organizer, event):
    access = f"/manage/events/{event.slug}/door-access"
    submit(organizer, access, f"/manage/events/{event.slug}/door-staff", {"email": "late@example.org"})
    [remove] = [f.action for f in page(organizer.get(access)).forms if f.action and f.action.endswith("/remove")]
    post_button(organizer, access, remove)
    report = send_due()
    assert (report.sent, report.skipped) == (0, 1)
    assert smtp.inbox.to("late@example.org") == []


def test_only_the_organizer_manages_door_access(app, organizer, owner, event):
    someone = app.test_client()
    login(someone, make_user(name="Other Organizer"))
    draft = make_event(owner, status=EventStatus.DRAFT)
    for target, status in ((event, 403), (draft, 404)):
        assert someone.get(f"/manage/events/{target.slug}/door-access").status_code == status
        response = post_form(someone, f"/manage/events/{target.slug}/door-staff", {"email": "x@example.org"})
        assert response.status_code == status
        response = post_form(someone, f"/manage/events/{target.slug}/door-links", {"label": "Mine"})
        assert response.status_code == status
    assert "Door links" in page(organizer.get(f"/manage/events/{event.slug}/door-access")).text()


# --- the organizer's check-in dashboard ----------------------------------------------------------------


def stat(html: str, name: str) -> int:
    match = re.search(rf'data-stat="{name}">(\d+)<', html)
    assert match, name
    return int(match.group(1))


def test_the_checkins_dashboard_shows_the_numbers_and_latest_scans_and_undoes(app, organizer, event):
    li, ana = attendee(event, "Li Wei"), attendee(event, "Ana Souza")
    attendee(event, "Chen Jie")
    gate = app.test_client()
    config = open_door_link(gate, create_door_link(organizer, event, "North door"))
    admitted = scan_at_door(gate, config, li.code, scanned_at=f"{DAY}T09:14:05")
    scan_at_door(gate, config, ana.code, scanned_at=f"{DAY}T09:15:00")
    scan_at_door(gate, config, li.code, scanned_at=f"{DAY}T09:16:00")

    dashboard = f"/manage/events/{event.slug}/checkins"
    response = organizer.get(dashboard)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert (stat(html, "checked_in"), stat(html, "confirmed"), stat(html, "inside")) == (2, 3, 2)
    text = page(response).text()
    assert "Welcome, Li Wei" in text and "Welcome, Ana Souza" in text
    assert "Already checked in at 09:14 at North door" in text
    assert "09:14:05" in text and "North door" in text
    assert text.index("Already checked in") < text.index("Welcome, Ana Souza") < text.index("Welcome, Li Wei")
    undo_action = f"{dashboard}/{admitted['checkin']['id']}/undo"
    assert len([f for f in page(response).forms if f.action and f.action.endswith("/undo")]) == 2

    response = post_button(organizer, dashboard, undo_action)
    assert location_path(response) == dashboard
    response = organizer.get(dashboard)
    html = response.get_data(as_text=True)
    assert (stat(html, "checked_in"), stat(html, "confirmed"), stat(html, "inside")) == (1, 3, 1)
    assert "Check-in undone" in page(response).text() and "(undone)" in page(response).text()
    assert undo_action not in html  # no second undo button for it
    assert [s.result.value for s in scan_log(event)] == ["ok", "ok", "already_checked_in", "undo"]

    # A stale page's button pressed again: refused, nothing changes.
    response = organizer.post(undo_action, data={"csrf_token": csrf_token(organizer, dashboard)})
    assert location_path(response) == dashboard
    assert "undone already" in page(organizer.get(dashboard)).text()
    assert len(scan_log(event)) == 4
    assert scan_at_door(gate, config, li.code)["result"] == "ok"


def test_only_the_organizer_sees_the_checkins_dashboard(app, owner, event):
    draft = make_event(owner, status=EventStatus.DRAFT)
    someone = app.test_client()
    login(someone, make_user(name="Other Organizer"))
    for target, status in ((event, 403), (draft, 404)):
        assert someone.get(f"/manage/events/{target.slug}/checkins").status_code == status
        assert someone.get(f"/manage/events/{target.slug}/checkins/stats.json").status_code == status
        response = post_form(someone, f"/manage/events/{target.slug}/checkins/1/undo", {})
        assert response.status_code == status
    anonymous = app.test_client()
    assert location_path(anonymous.get(f"/manage/events/{event.slug}/checkins")).startswith("/login")


def test_a_new_door_links_token_never_travels_in_the_session_cookie(app, organizer, event):
    """The session cookie is signed, not encrypted: anyone who sees it can read it."""
    link = create_door_link(organizer, event, "North door")
    token = link.rsplit("/", 1)[-1]
    cookie = organizer.get_cookie("session")
    contents = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    assert token not in repr(contents)
    assert token not in cookie.value
