"""Check-in through /api/v1, as the contract fixes it, on SQLite and PostgreSQL.

A scanner app with a door token, and the owner_headers with their personal token: the verdicts, the
scan log behind them, undo, the live numbers, and what a door token may and may not do.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from eventsys.auth.models import TokenKind
from eventsys.checkin.services import loggable
from eventsys.events.models import EventStatus
from eventsys.events.services import add_ticket_type
from eventsys.registration.models import RegistrationStatus
from eventsys.registration.services import cancel_registration, reject_registration
from eventsys.registration.tickets import qr_payload_of
from eventsys.timeutil import utcnow
from tests.api_helpers import assert_error, assert_page, assert_timestamp_with_offset, assert_validation
from tests.checkin_helpers import DAY, attendee, days_ago, scan_count, scan_log, utc
from tests.conftest import bearer, make_event, make_token, make_user

pytestmark = pytest.mark.both_databases

ANSWER_KEYS = ["result", "message", "registration", "checkin", "previous"]
STATS_KEYS = ["confirmed", "checked_in", "inside", "by_ticket_type", "by_gate", "arrivals"]


def checkins_url(event) -> str:
    return f"/api/v1/events/{event.slug}/checkins"


def post_scan(client, event, headers, code: str, **fields):
    response = client.post(checkins_url(event), json={"code": code, **fields}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert list(body) == ANSWER_KEYS, body
    return body


def stats_of(client, event, headers) -> dict:
    response = client.get(f"{checkins_url(event)}/stats", headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def undo(client, event, headers, scan_id, **kwargs):
    return client.post(f"{checkins_url(event)}/{scan_id}/undo", headers=headers, **kwargs)


# --- verdicts ------------------------------------------------------------------------------------------


def test_an_admission_returns_the_contracts_body(client, event, gate):
    li = attendee(event, "Li Wei")
    [general] = event.ticket_types
    body = post_scan(client, event, gate, qr_payload_of(li))
    assert body["result"] == "ok"
    assert body["message"] == "Welcome, Li Wei"
    assert body["registration"] == {
        "code": li.code,
        "name": "Li Wei",
        "ticket_type": {"id": general.id, "name": "General admission"},
        "status": "confirmed",
    }
    checkin = body["checkin"]
    assert list(checkin) == ["id", "at", "gate", "direction"]
    assert isinstance(checkin["id"], int)
    at = assert_timestamp_with_offset(checkin["at"])
    assert at.utcoffset() == timedelta(hours=8)  # the event's offset (Asia/Shanghai)
    assert abs(at - utcnow()) < timedelta(minutes=1)
    assert (checkin["gate"], checkin["direction"]) == ("North door", "in")  # the door token's label
    assert body["previous"] is None
    [logged] = scan_log(event)
    assert logged.id == checkin["id"]


def test_every_verdict_is_a_200_with_a_message_for_the_door(client, event, gate):
    li = attendee(event, "Li Wei")
    first = post_scan(client, event, gate, li.code, scanned_at=f"{DAY}T09:04:00+08:00")

    again = post_scan(client, event, gate, qr_payload_of(li))
    assert again["result"] == "already_checked_in"
    assert again["message"] == "Already checked in at 09:04 at North door"
    assert again["previous"] == first["checkin"]
    assert list(again["previous"]) == ["id", "at", "gate", "direction"]
    assert again["checkin"] is None

    invalid = post_scan(client, event, gate, "NOT-A-TICKET")
    assert (invalid["result"], invalid["registration"], invalid["checkin"]) == ("invalid", None, None)

    other = make_event(name="Another meetup")
    stranger = attendee(other, "Zhang Min")
    wrong = post_scan(client, event, gate, qr_payload_of(stranger))
    assert (wrong["result"], wrong["registration"], wrong["checkin"]) == ("wrong_event", None, None)
    assert "Zhang Min" not in str(wrong) and stranger.code not in str(wrong)

    gone = attendee(event, "Gone Person")
    cancel_registration(gone)
    cancelled = post_scan(client, event, gate, qr_payload_of(gone))
    assert cancelled["result"] == "cancelled" and cancelled["registration"]["status"] == "cancelled"

    full = make_event(event.owner, capacity=1)
    attendee(full, "First Person")
    waiting = attendee(full, "Wang Fang")
    assert waiting.status == RegistrationStatus.WAITLISTED
    vetted = make_event(event.owner, requires_approval=True)
    pending, rejected = attendee(vetted, "Chen Jie"), reject_registration(attendee(vetted, "Liu Yang"))
    for other_event, registration, status in [
        (full, waiting, "waitlisted"),
        (vetted, pending, "pending_approval"),
        (vetted, rejected, "rejected"),
    ]:
        headers = bearer(make_token(event.owner, TokenKind.DOOR, other_event, label="Main"))
        answer = post_scan(client, other_event, headers, registration.code)
        assert answer["result"] == "not_confirmed"
        assert answer["registration"]["status"] == status
        assert answer["message"].startswith("Not confirmed: ")

    for answer in (first, again, invalid, wrong, cancelled):
        assert isinstance(answer["message"], str) and answer["message"]


def test_hand_typed_codes_and_scanner_noise_are_read(client, event, gate):
    people = [attendee(event, f"Guest {n}") for n in range(5)]
    codes = [
        " " + qr_payload_of(people[0]).lower() + "\n",
        people[1].code.lower(),
        people[2].code.replace("-", "") + "\r\n",
        "  " + people[3].code.replace("-", "").lower(),
        "\t" + people[4].code + " ",
    ]
    for person, code in zip(people, codes, strict=True):
        body = post_scan(client, event, gate, code)
        assert body["result"] == "ok" and body["registration"]["code"] == person.code, code


def test_exit_then_entry_again_and_inside_in_the_numbers(client, event, gate):
    li, ana = attendee(event, "Li Wei"), attendee(event, "Ana Souza")
    for code, direction, checked_in, inside in [
        (li.code, "in", 1, 1),
        (ana.code, "in", 2, 2),
        (li.code, "out", 2, 1),
        (li.code, "in", 2, 2),
        (ana.code, "out", 2, 1),
        (li.code, "out", 2, 0),
    ]:
        body = post_scan(client, event, gate, code, direction=direction)
        assert body["result"] == "ok" and body["checkin"]["direction"] == direction
        stats = stats_of(client, event, gate)
        assert (stats["confirmed"], stats["checked_in"], stats["inside"]) == (2, checked_in, inside)


# --- nonce and scanned_at ----------------------------------------------------------------------------


def test_a_retried_request_with_the_same_nonce_gets_the_first_answer_and_records_nothing(client, event, gate):
    li = attendee(event, "Li Wei")
    first = client.post(checkins_url(event), json={"code": li.code, "nonce": "A1"}, headers=gate)
    assert first.get_json()["result"] == "ok"
    count = scan_count()
    for _ in range(2):
        retry = client.post(checkins_url(event), json={"code": li.code, "nonce": "A1"}, headers=gate)
        assert retry.status_code == 200
        assert retry.get_data() == first.get_data()  # byte for byte
    assert scan_count() == count
    second = post_scan(client, event, gate, li.code, nonce="A2")
    assert second["result"] == "already_checked_in"
    assert second["previous"] == first.get_json()["checkin"]
    assert scan_count() == count + 1


def test_an_offline_scan_is_recorded_when_it_was_made_and_a_bare_time_is_read_in_the_events_zone(client, event, gate):
    li, ana, chen = attendee(event, "Li Wei"), attendee(event, "Ana Souza"), attendee(event, "Chen Jie")
    day = (utcnow() - timedelta(days=2)).date().isoformat()
    bare = post_scan(client, event, gate, li.code, scanned_at=f"{day}T09:02:30")  # no offset: Hangzhou time
    assert bare["checkin"]["at"] == f"{day}T09:02:30+08:00"
    zulu = post_scan(client, event, gate, ana.code, scanned_at=f"{day}T01:12:00Z")
    assert zulu["checkin"]["at"] == f"{day}T09:12:00+08:00"
    other_zone = post_scan(client, event, gate, chen.code, scanned_at=f"{day}T03:20:00+02:00")
    assert other_zone["checkin"]["at"] == f"{day}T09:20:00+08:00"
    assert [s.scanned_at for s in scan_log(event)] == [
        utc(f"{day}T01:02:30+00:00"),
        utc(f"{day}T01:12:00+00:00"),
        utc(f"{day}T01:20:00+00:00"),
    ]
    assert stats_of(client, event, gate)["arrivals"] == [
        {"start": f"{day}T09:00:00+08:00", "count": 1},
        {"start": f"{day}T09:10:00+08:00", "count": 1},
        {"start": f"{day}T09:20:00+08:00", "count": 1},
    ]


def test_every_scan_is_in_the_scan_log(client, event, gate, owner_headers):
    li, gone = attendee(event, "Li Wei"), attendee(event, "Gone Person")
    cancel_registration(gone)
    stranger = attendee(make_event(), "Zhang Min")
    codes = [li.code, li.code, "nope", qr_payload_of(stranger), gone.code]
    results = [post_scan(client, event, gate, code)["result"] for code in codes]
    assert results == ["ok", "already_checked_in", "invalid", "wrong_event", "cancelled"]
    log = scan_log(event)
    assert [(s.code_read, s.result.value, s.gate) for s in log] == [
        (li.code, "ok", "North door"),
        (li.code, "already_checked_in", "North door"),
        ("NOPE", "invalid", "North door"),
        (loggable(qr_payload_of(stranger)), "wrong_event", "North door"),
        (gone.code, "cancelled", "North door"),
    ]
    assert len({s.door_token_id for s in log}) == 1 and log[0].door_token_id is not None


# --- undo ----------------------------------------------------------------------------------------------


def test_the_organizer_undoes_an_admission(client, event, gate, owner_headers):
    li, ana = attendee(event, "Li Wei"), attendee(event, "Ana Souza")
    admitted = post_scan(client, event, gate, li.code)["checkin"]
    post_scan(client, event, gate, ana.code)
    before = stats_of(client, event, owner_headers)
    assert (before["checked_in"], before["inside"]) == (2, 2)

    response = undo(client, event, owner_headers, admitted["id"])
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["result"] == "undo" and body["message"]
    after = stats_of(client, event, owner_headers)
    assert (after["checked_in"], after["inside"]) == (1, 1)
    assert after["by_gate"] == [{"gate": "North door", "checked_in": 1}]

    original, _, undo_row = scan_log(event)
    assert (original.id, original.result.value) == (admitted["id"], "ok")
    assert (undo_row.result.value, undo_row.undoes_scan_id) == ("undo", admitted["id"])

    assert_error(undo(client, event, owner_headers, admitted["id"]), 409)  # undone already
    # Let back in, the attendee is admitted afresh.
    assert post_scan(client, event, gate, li.code)["result"] == "ok"


def test_undoing_a_re_entry_leaves_the_first_arrival_and_the_attendee_outside(client, event, gate, owner_headers):
    li = attendee(event, "Li Wei")
    day = (utcnow() - timedelta(days=1)).date().isoformat()
    post_scan(client, event, gate, li.code, scanned_at=f"{day}T09:01:00")
    post_scan(client, event, gate, li.code, direction="out", scanned_at=f"{day}T12:00:00")
    back = post_scan(client, event, gate, li.code, scanned_at=f"{day}T13:30:00")
    assert stats_of(client, event, owner_headers)["by_gate"] == [{"gate": "North door", "checked_in": 2}]
    assert undo(client, event, owner_headers, back["checkin"]["id"]).status_code == 200
    stats = stats_of(client, event, owner_headers)
    assert (stats["checked_in"], stats["inside"]) == (1, 0)
    assert stats["by_gate"] == [{"gate": "North door", "checked_in": 1}]
    assert stats["arrivals"] == [{"start": f"{day}T09:00:00+08:00", "count": 1}]


def test_undo_refuses_what_is_not_a_standing_admission(client, event, gate, owner_headers):
    li = attendee(event, "Li Wei")
    admitted = post_scan(client, event, gate, li.code)["checkin"]["id"]
    post_scan(client, event, gate, li.code)
    post_scan(client, event, gate, "NOPE")
    out = post_scan(client, event, gate, li.code, direction="out")["checkin"]["id"]
    repeat_id, invalid_id = (s.id for s in scan_log(event)[1:3])
    for scan_id in (repeat_id, invalid_id, out):
        assert_error(undo(client, event, owner_headers, scan_id), 409)
    assert_error(undo(client, event, owner_headers, out + 1000), 404)
    assert_error(undo(client, event, owner_headers, 2**40), 404)
    # No body, or an empty JSON object, is accepted.
    assert undo(client, event, owner_headers, admitted, json={}).status_code == 200
    assert len(scan_log(event)) == 5


def test_a_door_token_cannot_undo_and_neither_can_another_organizer(client, event, gate, owner_headers):
    li = attendee(event, "Li Wei")
    admitted = post_scan(client, event, gate, li.code)["checkin"]["id"]
    assert_error(undo(client, event, gate, admitted), 403)
    assert_error(undo(client, event, bearer(make_token(make_user())), admitted), 403)
    assert_error(undo(client, event, {}, admitted), 401)
    assert len(scan_log(event)) == 1
    assert stats_of(client, event, owner_headers)["inside"] == 1


# --- the numbers -------------------------------------------------------------------------------------


def test_stats_have_the_contracts_fields(client, event, gate, owner_headers):
    [general] = event.ticket_types
    vip = add_ticket_type(event, "VIP", 10)
    li = attendee(event, "Li Wei", general.id)
    kim = attendee(event, "Kim Vip", vip.id)
    attendee(event, "Nobody Came", general.id)
    post_scan(client, event, gate, li.code, scanned_at=f"{DAY}T10:01:00+08:00")
    post_scan(client, event, gate, kim.code, gate="South door", scanned_at=f"{days_ago(4)}T10:03:00+08:00")
    for headers in (gate, owner_headers):
        stats = stats_of(client, event, headers)
        assert list(stats) == STATS_KEYS
        assert (stats["confirmed"], stats["checked_in"], stats["inside"]) == (3, 2, 2)
        assert [
            (t["id"], t["name"], t["confirmed"], t["checked_in"], t["inside"]) for t in stats["by_ticket_type"]
        ] == [
            (general.id, "General admission", 2, 1, 1),
            (vip.id, "VIP", 1, 1, 1),
        ]
        assert sorted((g["gate"], g["checked_in"]) for g in stats["by_gate"]) == [("North door", 1), ("South door", 1)]
        assert stats["arrivals"] == [
            {"start": f"{days_ago(4)}T10:00:00+08:00", "count": 1},
            {"start": f"{DAY}T10:00:00+08:00", "count": 1},
        ]


# --- who may do what ---------------------------------------------------------------------------------


def test_a_door_token_checks_in_and_looks_people_up_at_its_event_and_nothing_else(client, event, gate):
    li = attendee(event, "Li Wei")
    [general] = event.ticket_types
    slug = event.slug
    assert post_scan(client, event, gate, li.code)["result"] == "ok"
    assert stats_of(client, event, gate)["checked_in"] == 1

    listed = client.get(f"/api/v1/events/{slug}/registrations", headers=gate)
    assert listed.status_code == 200
    assert_page(listed.get_json())
    [item] = listed.get_json()["items"]
    assert item["code"] == li.code and item["name"] == "Li Wei" and item["checked_in"] is True
    assert item["status"] == "confirmed" and item["ticket_type"] == {"id": general.id, "name": "General admission"}
    assert "email" not in item and "answers" not in item
    assert "li.wei@example.org" not in listed.get_data(as_text=True)
    searched = client.get(f"/api/v1/events/{slug}/registrations", query_string={"q": "li wei"}, headers=gate)
    assert [i["code"] for i in searched.get_json()["items"]] == [li.code]

    other = make_event(event.owner)
    refused = [
        ("post", f"/api/v1/events/{other.slug}/checkins", {"code": li.code}),
        ("get", f"/api/v1/events/{other.slug}/checkins/stats", None),
        ("get", f"/api/v1/events/{other.slug}/registrations", None),
        ("post", "/api/v1/events", {"name": "Mine now", "starts_at": "2031-01-01T09:00:00Z"}),
        ("patch", f"/api/v1/events/{slug}", {"name": "Renamed"}),
        ("post", f"/api/v1/events/{slug}/ticket-types", {"name": "Free for all"}),
        ("patch", f"/api/v1/events/{slug}/ticket-types/{general.id}", {"capacity": 1}),
        ("delete", f"/api/v1/events/{slug}/ticket-types/{general.id}", None),
        ("post", f"/api/v1/events/{slug}/questions", {"label": "Shoe size", "kind": "text"}),
        ("post", f"/api/v1/events/{slug}/door-tokens", {"label": "My own gate"}),
        ("get", f"/api/v1/events/{slug}/door-tokens", None),
        ("get", f"/api/v1/events/{slug}/registrations/{li.code}", None),
        ("post", f"/api/v1/events/{slug}/registrations/{li.code}/cancel", None),
        ("post", f"/api/v1/events/{slug}/registrations/{li.code}/approve", None),
        ("post", f"/api/v1/events/{slug}/registrations/{li.code}/reject", None),
    ]
    for method, url, body in refused:
        response = getattr(client, method)(url, json=body, headers=gate)
        assert response.status_code == 403, (method, url, response.status_code)
        assert_error(response, 403)
    assert event.name == "TECOM Conf Hangzhou"
    assert len(scan_log(other)) == 0
    assert stats_of(client, event, gate)["confirmed"] == 1  # Li is still confirmed


def test_a_revoked_door_token_gets_401_everywhere(client, event, owner_headers):
    li = attendee(event, "Li Wei")
    created = client.post(
        f"/api/v1/events/{event.slug}/door-tokens", json={"label": "North door"}, headers=owner_headers
    )
    assert created.status_code == 201
    gate = bearer(created.get_json()["token"])
    assert post_scan(client, event, gate, li.code)["result"] == "ok"
    revoked = client.delete(
        f"/api/v1/events/{event.slug}/door-tokens/{created.get_json()['id']}", headers=owner_headers
    )
    assert revoked.status_code == 204
    count = scan_count()
    for method, url, body in [
        ("post", checkins_url(event), {"code": li.code}),
        ("get", f"{checkins_url(event)}/stats", None),
        ("get", f"/api/v1/events/{event.slug}/registrations", None),
        ("get", f"/api/v1/events/{event.slug}", None),
        ("get", "/api/v1/events", None),
        ("post", f"/api/v1/events/{event.slug}/registrations", {"name": "Ana", "email": "ana@example.org"}),
    ]:
        assert_error(getattr(client, method)(url, json=body, headers=gate), 401)
    assert scan_count() == count


def test_organizers_check_in_at_their_own_events_only(client, event, owner_headers):
    li = attendee(event, "Li Wei")
    draft = make_event(event.owner, status=EventStatus.DRAFT)
    stranger = bearer(make_token(make_user(name="Other Organizer")))

    assert post_scan(client, event, owner_headers, li.code)["result"] == "ok"
    assert stats_of(client, event, owner_headers)["checked_in"] == 1
    assert post_scan(client, draft, owner_headers, "NOPE")["result"] == "invalid"  # their own draft works too
    admitted = scan_log(event)[0].id
    for target, status in ((event, 403), (draft, 404)):
        assert_error(client.post(checkins_url(target), json={"code": li.code}, headers=stranger), status)
        assert_error(client.get(f"{checkins_url(target)}/stats", headers=stranger), status)
        assert_error(undo(client, target, stranger, admitted), status)
    assert_error(client.post(checkins_url(event), json={"code": li.code}), 401)
    assert_error(client.get(f"{checkins_url(event)}/stats"), 401)
    assert_error(client.post("/api/v1/events/no-such-event/checkins", json={"code": "X"}, headers=owner_headers), 404)


# --- malformed requests ------------------------------------------------------------------------------


def test_malformed_scans_are_refused_with_the_contracts_errors_and_nothing_is_logged(client, event, gate):
    url = checkins_url(event)
    for body, field in [
        ({}, "code"),
        ({"code": "   "}, "code"),
        ({"code": "X" * 201}, "code"),
        ({"code": "ABCD-EFGH", "direction": "sideways"}, "direction"),
        ({"code": "ABCD-EFGH", "nonce": ""}, "nonce"),
        ({"code": "ABCD-EFGH", "scanned_at": "yesterday"}, "scanned_at"),
        ({"code": "ABCD-EFGH", "scanned_at": "0001-01-01T00:00:00"}, "scanned_at"),
        ({"code": "ABCD\x00EFGH"}, "code"),
    ]:
        assert_validation(client.post(url, json=body, headers=gate), field)
    for body in ({"code": 12}, {"code": "ABCD-EFGH", "direction": 1}, {"code": "A", "scanned_at": 1700000000}):
        assert_error(client.post(url, json=body, headers=gate), 400)
    assert_error(client.post(url, json=["ABCD-EFGH"], headers=gate), 400)
    assert_error(client.post(url, data="code=ABCD-EFGH", content_type="text/plain", headers=gate), 415)
    assert scan_count() == 0


def test_a_door_token_learns_nothing_of_another_organizers_draft(client, gate):
    draft = make_event(status=EventStatus.DRAFT)
    public = make_event()
    for event, expected in ((draft, 404), (public, 403)):
        response = client.post(f"/api/v1/events/{event.slug}/checkins", json={"code": "ABCD-EFGH"}, headers=gate)
        assert response.status_code == expected
