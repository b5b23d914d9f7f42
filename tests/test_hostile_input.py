"""Input that used to reach a 500, or went through where it should not: each answers a clear 4xx now."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import IntegrityError

from eventsys.checkin import services as checkin_services
from eventsys.events import services as event_services
from eventsys.events.services import MAX_QUESTIONS, MAX_TICKET_TYPES, QuestionDetails
from tests.api_helpers import assert_error, assert_validation
from tests.checkin_helpers import attendee, scan_count
from tests.conftest import csrf_token, make_event, post_form
from tests.html_pages import page

LINE_BREAKS = ("TECOM\r\nBcc: everyone@example.org", "TECOM\nConf", "Tab\there", "Esc\x1b[31m", "Line\u2028separator")


# --- JSON sent to an HTML form -----------------------------------------------------------------------

NOT_FORM_BODIES = [
    ("application/json", "[1]"),
    ("application/json", '"abc"'),
    ("application/json", '{"email": 5, "password": ["x"]}'),
    ("application/json", "[" * 5000 + "]" * 5000),
    ("application/json", '{"email": "\\ud800@example.org", "password": "x"}'),
    ("application/json", '{"email": "a\\u0000@example.org", "name": "\\u0000"}'),
    ("text/plain", "email=li@example.org"),
]


@pytest.mark.both_databases
@pytest.mark.parametrize(("content_type", "body"), NOT_FORM_BODIES)
def test_a_page_form_sent_a_body_that_is_not_form_data_answers_415(client, event, content_type, body):
    token = csrf_token(client)  # a real browser session: the body, not CSRF, is what is wrong
    for path in ("/login", "/signup", f"/events/{event.slug}/register"):
        response = client.post(path, data=body, content_type=content_type, headers={"X-CSRFToken": token})
        assert response.status_code == 415, (path, response.status_code)
        assert "form" in page(response).text()


def test_page_forms_still_take_form_data(client, event):
    response = post_form(client, f"/events/{event.slug}/register", {"name": "Li Wei", "email": "li@example.org"})
    assert response.status_code == 302


# --- single-line texts hold no control characters ------------------------------------------------------


@pytest.mark.both_databases
@pytest.mark.parametrize("text", LINE_BREAKS)
def test_event_texts_with_line_breaks_or_control_characters_are_refused(client, owner_headers, event, text):
    body = {"name": text, "starts_at": "2030-06-18T09:00:00+08:00", "ends_at": "2030-06-18T18:00:00+08:00"}
    assert_validation(client.post("/api/v1/events", json=body, headers=owner_headers), "name")
    for field in ("name", "tagline", "venue", "address"):
        response = client.patch(f"/api/v1/events/{event.slug}", json={field: text}, headers=owner_headers)
        assert_validation(response, field)
    base = f"/api/v1/events/{event.slug}"
    response = client.post(f"{base}/ticket-types", json={"name": text}, headers=owner_headers)
    assert_validation(response, "name")
    response = client.post(f"{base}/questions", json={"label": text, "kind": "text"}, headers=owner_headers)
    assert_validation(response, "label")
    question = {"label": "Role", "kind": "select", "options": ["Founder", text]}
    assert_validation(client.post(f"{base}/questions", json=question, headers=owner_headers), "options")
    assert_validation(client.post(f"{base}/door-tokens", json={"label": text}, headers=owner_headers), "label")


@pytest.mark.parametrize("text", LINE_BREAKS[:2])
def test_a_gate_or_an_attendee_name_with_a_line_break_is_refused(client, event, gate, text):
    scan = {"code": attendee(event, "Li Wei").code, "gate": text}
    assert_validation(client.post(f"/api/v1/events/{event.slug}/checkins", json=scan, headers=gate), "gate")
    registration = {"name": text, "email": "zhang@example.org"}
    assert_validation(client.post(f"/api/v1/events/{event.slug}/registrations", json=registration), "name")


def test_the_event_form_shows_the_control_character_problem_beside_the_name(organizer):
    form = {
        "name": "TECOM\r\nConf",
        "timezone": "Asia/Shanghai",
        "starts_at": "2030-06-18T09:00",
        "ends_at": "2030-06-18T18:00",
    }
    response = post_form(organizer, "/manage/events/new", form)
    assert response.status_code == 422
    doc = page(response)
    assert "single line" in doc.error("name")
    # What was typed is kept for the organizer to fix; a one-line field cannot hold the line break (a browser
    # drops it): it shows as a space.
    assert doc.value("name") == "TECOM Conf"


def test_descriptions_keep_their_line_breaks(client, owner_headers, event):
    description = "Morning: talks.\n\nAfternoon: demos.\r\n- Bring a laptop"
    response = client.patch(f"/api/v1/events/{event.slug}", json={"description": description}, headers=owner_headers)
    assert response.status_code == 200 and response.get_json()["description"] == description


# --- limits ---------------------------------------------------------------------------------------------


def test_an_event_has_at_most_100_questions_50_ticket_types_and_200_options_a_question(client, owner_headers, event):
    for number in range(MAX_QUESTIONS):
        event_services.add_question(event, QuestionDetails(f"Question {number}", "text"))
    for number in range(MAX_TICKET_TYPES - 1):
        event_services.add_ticket_type(event, f"Ticket {number}")
    base = f"/api/v1/events/{event.slug}"

    one_more = client.post(f"{base}/questions", json={"label": "One more", "kind": "text"}, headers=owner_headers)
    assert "at most 100 questions" in assert_validation(one_more, "questions")["questions"][0]
    one_more = client.post(f"{base}/ticket-types", json={"name": "One more"}, headers=owner_headers)
    assert "at most 50 ticket types" in assert_validation(one_more, "ticket_types")["ticket_types"][0]

    other = make_event(event.owner)
    options = [f"Option {n}" for n in range(201)]
    question = {"label": "Pick one", "kind": "select", "options": options}
    response = client.post(f"/api/v1/events/{other.slug}/questions", json=question, headers=owner_headers)
    assert_validation(response, "options")
    question["options"] = options[:200]
    response = client.post(f"/api/v1/events/{other.slug}/questions", json=question, headers=owner_headers)
    assert response.status_code == 201


def test_the_event_list_leaves_out_questions_which_the_event_itself_has(client, event):
    event_services.add_question(event, QuestionDetails("Company", "text"))
    [listed] = client.get("/api/v1/events").get_json()["items"]
    assert listed["slug"] == event.slug and "questions" not in listed
    assert [t["name"] for t in listed["ticket_types"]] == ["General admission"]
    assert [q["label"] for q in client.get(f"/api/v1/events/{event.slug}").get_json()["questions"]] == ["Company"]


# --- races settled by the database: its errors are the contract's errors ----------------------------------


@pytest.mark.both_databases
def test_renaming_an_event_to_an_address_taken_a_moment_ago_is_a_field_error(client, owner_headers, event, monkeypatch):
    make_event(event.owner, slug="tecom-2030")
    # The other rename commits between this request's check and its write.
    monkeypatch.setattr(event_services, "_slug_taken", lambda slug, except_id: False)
    response = client.patch(f"/api/v1/events/{event.slug}", json={"slug": "tecom-2030"}, headers=owner_headers)
    assert "already uses this address" in assert_validation(response, "slug")["slug"][0]
    assert client.get(f"/api/v1/events/{event.slug}").status_code == 200  # unchanged


@pytest.mark.parametrize("nonce", [None, "phone-1:0001"])
def test_a_scan_whose_write_fails_for_another_reason_is_a_409_not_a_500(client, event, gate, monkeypatch, nonce):
    def refused(*_args):
        raise IntegrityError("INSERT INTO scans …", {}, Exception("FOREIGN KEY constraint failed"))

    monkeypatch.setattr(checkin_services, "_judge_and_log", refused)
    scan = {"code": attendee(event, "Li Wei").code, "nonce": nonce}
    response = client.post(f"/api/v1/events/{event.slug}/checkins", json=scan, headers=gate)
    assert_error(response, 409, "conflict")
    assert scan_count() == 0


def test_no_page_that_takes_a_post_answers_a_hostile_body_with_a_5xx(app, organizer, event):
    token = csrf_token(organizer)
    li = attendee(event, "Li Wei")
    values = {"slug": event.slug, "code": li.code, "secret": "A" * 32, "token": "esd_x", "action": "approve"}
    posted = [r for r in app.url_map.iter_rules() if "POST" in r.methods and not r.rule.startswith("/api/")]
    assert len(posted) > 10, "the page routes were not found"
    problems = []
    for rule in posted:
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values.get(m.group(1), "1"), rule.rule)
        for content_type, body in NOT_FORM_BODIES:
            response = organizer.post(path, data=body, content_type=content_type, headers={"X-CSRFToken": token})
            if response.status_code >= 500:
                problems.append(f"POST {path} {content_type} {body[:30]!r} -> {response.status_code}")
    assert problems == []
