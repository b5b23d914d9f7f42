"""The door's rules from the review: nonces bound to their scan, plausible scan times, no e-mail search
for gates, and what an exit scan of someone not inside answers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventsys.auth.models import TokenKind
from eventsys.checkin.staff import accept_invitation, invite_door_staff
from eventsys.events.models import EventStatus
from eventsys.events.services import change_status
from eventsys.registration.tickets import invitation_secret
from eventsys.timeutil import isoformat, utcnow
from tests.api_helpers import assert_error, assert_validation
from tests.checkin_helpers import attendee, open_door_link, scan_count, scan_log
from tests.conftest import bearer, make_event, make_token, make_user

pytestmark = pytest.mark.both_databases


def scan(client, event, headers, code: str, **fields):
    return client.post(f"/api/v1/events/{event.slug}/checkins", json={"code": code, **fields}, headers=headers)


def test_a_nonce_reused_by_another_gate_for_another_ticket_is_409_and_admits_nobody(client, event, gate):
    south = bearer(make_token(event.owner, TokenKind.DOOR, event, label="South door"))
    li, zhang = attendee(event, "Li Wei"), attendee(event, "Zhang Min")
    first = scan(client, event, gate, li.code, nonce="north:0001")
    assert first.status_code == 200 and first.get_json()["message"] == "Welcome, Li Wei"
    logged = scan_count()

    reused = scan(client, event, south, zhang.code, nonce="north:0001")
    assert_error(reused, 409, "nonce_reused")
    assert_error(scan(client, event, gate, li.code, nonce="north:0001", direction="out"), 409, "nonce_reused")

    assert scan_count() == logged
    assert scan(client, event, gate, li.code, nonce="north:0001").get_json() == first.get_json()
    assert scan(client, event, south, zhang.code).get_json()["result"] == "ok"  # still admissible


@pytest.mark.parametrize(
    ("offset", "status"),
    [
        (-timedelta(days=7, minutes=1), 422),
        (-timedelta(days=6, hours=23), 200),
        (timedelta(minutes=9), 200),
        (timedelta(minutes=11), 422),
        (timedelta(days=365 * 3), 422),
    ],
)
def test_an_uploaded_scan_time_is_within_7_days_back_and_10_minutes_ahead(client, event, gate, offset, status):
    li = attendee(event, "Li Wei")
    response = scan(client, event, gate, li.code, scanned_at=isoformat(utcnow() + offset, "UTC"))
    if status == 422:
        assert "7 days" in assert_validation(response, "scanned_at")["scanned_at"][0]
        assert scan_count() == 0
    else:
        assert response.status_code == 200 and response.get_json()["result"] == "ok"


def test_a_door_token_searches_names_and_codes_but_never_e_mail_addresses(client, event, gate, owner_headers):
    li = attendee(event, "Li Wei")
    listed = f"/api/v1/events/{event.slug}/registrations"

    def codes(q: str, headers) -> list[str]:
        response = client.get(listed, query_string={"q": q}, headers=headers)
        assert response.status_code == 200
        return [item["code"] for item in response.get_json()["items"]]

    assert codes("li.wei@example.org", gate) == []  # a gate cannot test whether an address is registered
    assert codes("example.org", gate) == []
    assert codes("li wei", gate) == codes(li.code.lower(), gate) == [li.code]
    assert codes("li.wei@example.org", owner_headers) == [li.code]  # the organizer can


def test_an_exit_scan_of_someone_not_inside_is_not_inside_and_logged(client, event, gate):
    li = attendee(event, "Li Wei")
    for _ in range(2):
        body = scan(client, event, gate, li.code, direction="out").get_json()
        assert (body["result"], body["checkin"], body["previous"]) == ("not_inside", None, None)
        assert body["message"] == "Not inside: this ticket was never checked in"
    assert scan(client, event, gate, li.code).get_json()["result"] == "ok"
    assert scan(client, event, gate, li.code, direction="out").get_json()["result"] == "ok"
    again = scan(client, event, gate, li.code, direction="out").get_json()
    assert again["result"] == "not_inside" and again["message"].startswith("Not inside: checked out at ")
    assert again["previous"]["gate"] == "North door" and again["previous"]["direction"] == "out"
    assert [s.result.value for s in scan_log(event)] == ["not_inside", "not_inside", "ok", "ok", "not_inside"]
    stats = client.get(f"/api/v1/events/{event.slug}/checkins/stats", headers=gate).get_json()
    assert (stats["checked_in"], stats["inside"]) == (1, 0)


# --- one door-access rule for the door page and the API -------------------------------------------------


def test_a_draft_opens_at_its_own_doors_only(app, client, owner):
    draft = make_event(owner, name="Dress rehearsal")
    li = attendee(draft, "Li Wei")
    change_status(draft, EventStatus.DRAFT)  # unpublished again: a draft with people registered
    gate = make_token(owner, TokenKind.DOOR, draft, label="North door")
    stranger = make_token(make_user(), TokenKind.DOOR, make_event(), label="Elsewhere")

    assert scan(client, draft, bearer(gate), li.code).get_json()["result"] == "ok"
    assert_error(scan(client, draft, bearer(stranger), li.code), 404, "not_found")  # not merely forbidden
    listed = f"/api/v1/events/{draft.slug}/registrations"
    assert [r["code"] for r in client.get(listed, headers=bearer(gate)).get_json()["items"]] == [li.code]
    assert_error(client.get(listed, headers=bearer(stranger)), 404, "not_found")

    browser = app.test_client()
    config = open_door_link(browser, f"/door/{gate}")  # the gate's page of a draft opens, as its API does
    assert config["gate"] == "North door"
    assert browser.get(config["lookup_url"], query_string={"q": "li"}).get_json()["items"][0]["code"] == li.code


def test_door_staff_scan_with_their_own_token_but_only_the_organizer_undoes(client, event, owner_headers):
    volunteer = make_user(email="volunteer@example.org", name="Volunteer Wu")
    invited = invite_door_staff(event, volunteer.email)
    accept_invitation(invitation_secret(invited), volunteer)
    their_token = bearer(make_token(volunteer))
    li = attendee(event, "Li Wei")

    admitted = scan(client, event, their_token, li.code).get_json()
    assert admitted["result"] == "ok" and admitted["checkin"]["gate"] == "Volunteer Wu"
    undo = f"/api/v1/events/{event.slug}/checkins/{admitted['checkin']['id']}/undo"
    assert_error(client.post(undo, headers=their_token), 403, "forbidden")
    assert client.post(undo, headers=owner_headers).status_code == 200

    outsider = bearer(make_token(make_user()))
    assert_error(scan(client, event, outsider, li.code), 403, "forbidden")
