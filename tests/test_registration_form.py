"""Registering on /events/<slug> and the organizer's registration pages, through the browser's eyes."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsys.events.models import EventStatus
from eventsys.events.services import add_ticket_type, change_status
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import RegistrationRequest, register_attendee
from eventsys.registration.tickets import manage_secret_of
from eventsys.timeutil import utcnow
from tests.conftest import bearer, make_event, make_token, make_user, post_form, signed_in_organizer
from tests.html_pages import Page, assert_errors_are_summarised, assert_form_page_is_accessible, location_path, page
from tests.registration_helpers import (
    DRINKS,
    ENDS,
    STARTS,
    TOPICS,
    add_every_question,
    registration_status,
)


def registrations() -> list[Registration]:
    db.session.expire_all()
    return list(db.session.scalars(select(Registration).order_by(Registration.id)))


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def register_form(client, event, data: dict, **kwargs):
    return post_form(client, f"/events/{event.slug}/register", data, **kwargs)


def checkboxes(doc: Page, name: str) -> dict[str, bool]:
    """The checkboxes of a group: value -> ticked."""
    return {c["value"]: "checked" in c for c in doc.controls if c.get("name") == name and c.get("type") == "checkbox"}


def label_text(doc: Page, control_id: str) -> str:
    match = re.search(rf'<label for="{re.escape(control_id)}">(.*?)</label>', doc.html, re.S)
    assert match, f"no label for {control_id}"
    return " ".join(match.group(1).split())


def has_required_mark(doc: Page, control_id: str) -> bool:
    return bool(re.search(rf'<label for="{re.escape(control_id)}">[^<]*</label>\s*<span class="required"', doc.html))


def has_registration_form(doc: Page) -> bool:
    return any(form.action and form.action.endswith("/register") for form in doc.forms)


# --- the form --------------------------------------------------------------------------------------


def test_the_form_asks_name_and_email_and_no_ticket_type_when_there_is_only_one(client):
    event = make_event(name="TECOM Conf Hangzhou", capacity=100)
    doc = page(client.get(f"/events/{event.slug}"))
    assert has_registration_form(doc)
    assert doc.control("name")["type"] == "text" and "required" in doc.control("name")
    assert doc.control("email")["type"] == "email" and "required" in doc.control("email")
    assert label_text(doc, "name") == "Your name" and has_required_mark(doc, "name")
    assert label_text(doc, "email") == "E-mail address" and has_required_mark(doc, "email")
    assert "Your ticket is sent here." in doc.text()
    assert not [c for c in doc.controls if c.get("name") == "ticket_type_id"]
    assert "Ticket type" not in doc.text()
    assert_form_page_is_accessible(doc)


def test_the_form_offers_each_ticket_type_with_what_is_left_of_it(client):
    event = make_event(capacity=10)
    vip = add_ticket_type(event, "VIP", capacity=2)
    general = event.ticket_types[0]
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org", ticket_type_id=vip.id))

    doc = page(client.get(f"/events/{event.slug}"))
    radios = {c["value"]: c for c in doc.controls if c.get("name") == "ticket_type_id"}
    assert set(radios) == {str(general.id), str(vip.id)}
    assert all(r["type"] == "radio" for r in radios.values())
    assert label_text(doc, radios[str(general.id)]["id"]) == "General admission (9 left)"
    assert label_text(doc, radios[str(vip.id)]["id"]) == "VIP (1 left)"
    assert re.search(r"<legend>Ticket type", doc.html)
    assert_form_page_is_accessible(doc)

    register_attendee(event, RegistrationRequest("Ana", "ana@example.org", ticket_type_id=vip.id))
    doc = page(client.get(f"/events/{event.slug}"))
    radios = {c["value"]: c for c in doc.controls if c.get("name") == "ticket_type_id"}
    assert label_text(doc, radios[str(vip.id)]["id"]) == "VIP (full, waiting list)"
    assert label_text(doc, radios[str(general.id)]["id"]) == "General admission (8 left)"


def test_every_kind_of_question_gets_its_own_kind_of_input(client):
    event = make_event()
    questions = add_every_question(event, required=("text", "select", "checkbox", "country"))
    doc = page(client.get(f"/events/{event.slug}"))

    def field_of(kind: str) -> dict:
        return doc.control(f"q_{questions[kind].id}")

    assert field_of("text")["tag"] == "input" and field_of("text")["type"] == "text"
    assert field_of("textarea")["tag"] == "textarea"
    assert field_of("email")["type"] == "email"
    assert field_of("phone")["type"] == "tel"
    assert field_of("number")["type"] == "number"
    assert field_of("date")["type"] == "date"
    assert field_of("select")["tag"] == "select"
    assert field_of("checkbox")["type"] == "checkbox"
    assert field_of("country")["tag"] == "select"
    for option in DRINKS:
        assert f'<option value="{option}">{option}</option>' in doc.html
    assert '<option value="CN">China</option>' in doc.html
    assert '<option value="DE">Germany</option>' in doc.html

    multiselect = questions["multiselect"]
    assert checkboxes(doc, f"q_{multiselect.id}") == dict.fromkeys(TOPICS, False)
    fieldset = re.search(r"<fieldset[^>]*>\s*<legend>(.*?)</legend>(.*?)</fieldset>", doc.html, re.S)
    assert fieldset and " ".join(fieldset.group(1).split()) == "Your multiselect answer"
    assert all(f'value="{topic}"' in fieldset.group(2) for topic in TOPICS)

    for kind, question in questions.items():
        assert f"Help for the {kind} question." in doc.text()
        if kind == "multiselect":
            continue
        control = field_of(kind)
        assert label_text(doc, control["id"]) == f"Your {kind} answer"
        assert f"q_{question.id}-help" in (control.get("aria-describedby") or "").split()
        assert has_required_mark(doc, control["id"]) == question.required, kind
        assert ("required" in control) == question.required, kind
    assert_form_page_is_accessible(doc)


def test_registering_through_the_form_keeps_every_answer_and_shows_the_ticket(client):
    event = make_event(name="TECOM Conf Hangzhou", capacity=10)
    q = add_every_question(event, required=("text", "checkbox"))
    data = {
        "name": "Li Wei",
        "email": "Li.Wei@Example.ORG",
        f"q_{q['text'].id}": "Hangzhou Tech",
        f"q_{q['textarea'].id}": "Line one\nLine two",
        f"q_{q['email'].id}": "assistant@example.org",
        f"q_{q['phone'].id}": "+86 571 8888 8888",
        f"q_{q['number'].id}": "3",
        f"q_{q['date'].id}": "1990-05-17",
        f"q_{q['select'].id}": "Coffee",
        f"q_{q['multiselect'].id}": ["E-commerce", "AI"],
        f"q_{q['checkbox'].id}": "y",
        f"q_{q['country'].id}": "CN",
    }
    response = register_form(client, event, data)
    [registration] = registrations()
    assert location_path(response) == f"/t/{manage_secret_of(registration)}"
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.name == "Li Wei" and registration.email == "li.wei@example.org"
    assert registration.answers == {
        str(q["text"].id): "Hangzhou Tech",
        str(q["textarea"].id): "Line one\nLine two",
        str(q["email"].id): "assistant@example.org",
        str(q["phone"].id): "+86 571 8888 8888",
        str(q["number"].id): 3,
        str(q["date"].id): "1990-05-17",
        str(q["select"].id): "Coffee",
        str(q["multiselect"].id): ["AI", "E-commerce"],
        str(q["checkbox"].id): True,
        str(q["country"].id): "CN",
    }
    ticket = page(client.get(response.headers["Location"]))
    assert "You are registered. Here is your ticket" in ticket.text()
    assert registration.code in ticket.text()
    assert [m.kind for m in outbox()] == [MailKind.CONFIRMED]


def filled_form(q) -> dict:
    """A complete, valid submission for an event with ``add_every_question``."""
    return {
        "name": "Li Wei",
        "email": "li@example.org",
        f"q_{q['text'].id}": "Hangzhou Tech",
        f"q_{q['textarea'].id}": "First line\nSecond line",
        f"q_{q['email'].id}": "assistant@example.org",
        f"q_{q['phone'].id}": "+86 571 8888 8888",
        f"q_{q['number'].id}": "42",
        f"q_{q['date'].id}": "1990-05-17",
        f"q_{q['select'].id}": "Juice",
        f"q_{q['multiselect'].id}": ["AI", "Hardware"],
        f"q_{q['checkbox'].id}": "y",
        f"q_{q['country'].id}": "CN",
    }


def assert_everything_kept(doc: Page, q, data: dict, except_kinds: tuple[str, ...] = ()) -> None:
    assert doc.value("name") == data["name"]
    assert doc.value("email") == data["email"]
    for kind in ("text", "textarea", "email", "phone", "number", "date", "select", "country"):
        if kind not in except_kinds:
            assert doc.value(f"q_{q[kind].id}") == data[f"q_{q[kind].id}"], kind
    if "multiselect" not in except_kinds:
        ticked = {v for v, on in checkboxes(doc, f"q_{q['multiselect'].id}").items() if on}
        assert ticked == set(data[f"q_{q['multiselect'].id}"])
    if "checkbox" not in except_kinds:
        assert doc.checked(f"q_{q['checkbox'].id}") == (f"q_{q['checkbox'].id}" in data)


BAD_ANSWERS = [
    pytest.param("text", "", "This question needs an answer.", id="required-text-missing"),
    pytest.param("select", "", "This question needs an answer.", id="required-select-missing"),
    pytest.param("select", "Whisky", "Choose one of the options.", id="select-not-an-option"),
    pytest.param("multiselect", ["AI", "Knitting"], "Choose from the options.", id="multiselect-not-an-option"),
    pytest.param("checkbox", None, "Tick this box to go on.", id="required-checkbox-unticked"),
    pytest.param("email", "assistant@", "after the @-sign", id="email-answer-bad-syntax"),
    pytest.param("phone", "call me", "Enter a phone number", id="phone-not-a-number"),
    pytest.param("number", "forty-two", "Not a valid decimal value.", id="number-not-a-number"),
    pytest.param("date", "17/05/1990", "Not a valid date value.", id="date-not-iso"),
    pytest.param("country", "XX", "Choose a country from the list.", id="country-unknown"),
    pytest.param("textarea", "x" * 5001, "5000 characters", id="textarea-too-long"),
]


@pytest.mark.parametrize(("kind", "value", "message"), BAD_ANSWERS)
def test_a_bad_or_missing_answer_shows_the_form_again_with_everything_kept(client, kind, value, message):
    event = make_event()
    q = add_every_question(event, required=("text", "select", "checkbox"))
    data = filled_form(q)
    name = f"q_{q[kind].id}"
    if value is None:
        del data[name]
    else:
        data[name] = value
    response = register_form(client, event, data)

    assert response.status_code == 422
    doc = page(response)
    assert doc.fields_with_errors() == {name}
    assert doc.error(name), "no message beside the field"
    assert message in doc.error(name)
    assert_errors_are_summarised(doc)
    if kind != "multiselect":
        assert doc.control(name).get("aria-invalid") == "true"
    forged = kind in ("select", "multiselect", "country") and value  # a value the form never offered
    # A number or date field cannot hold "forty-two": it is shown empty, as a browser would show it.
    unshowable = kind in ("number", "date")
    assert_everything_kept(doc, q, data, except_kinds=(kind,) if forged or unshowable else ())
    if forged and kind == "multiselect":  # the offered choice stays ticked; the forged one cannot be shown
        assert checkboxes(doc, name) == {"AI": True, "Hardware": False, "E-commerce": False}
    elif forged or unshowable:
        assert doc.value(name) == ""
    assert registrations() == []
    assert_form_page_is_accessible(doc)


def test_a_missing_name_and_a_bad_email_address_are_shown_beside_their_fields(client):
    event = make_event()
    q = add_every_question(event)
    data = {**filled_form(q), "name": "  ", "email": "li@@example"}
    doc = page(register_form(client, event, data))
    assert doc.error("name") == "Enter your name."
    assert doc.value("email") == "li@@example"
    assert_everything_kept(doc, q, data)
    assert registrations() == []

    data = {**filled_form(q), "email": "li@@example"}
    response = register_form(client, event, data)
    assert response.status_code == 422
    doc = page(response)
    assert doc.fields_with_errors() == {"email"}
    assert "@-sign" in doc.error("email")
    assert_everything_kept(doc, q, data)

    response = register_form(client, event, {**filled_form(q), "email": ""})
    assert page(response).error("email") == "Enter your e-mail address."
    assert registrations() == []


def test_with_several_ticket_types_one_must_be_chosen(client):
    event = make_event(capacity=10)
    vip = add_ticket_type(event, "VIP", capacity=2)
    response = register_form(client, event, {"name": "Li Wei", "email": "li@example.org"})
    assert response.status_code == 422
    doc = page(response)
    assert doc.error("ticket_type_id") == "Choose a ticket type."
    assert doc.value("name") == "Li Wei" and doc.value("email") == "li@example.org"

    response = register_form(client, event, {"name": "Li Wei", "email": "li@example.org", "ticket_type_id": vip.id})
    assert response.status_code == 302
    assert registrations()[0].ticket_type_id == vip.id


def test_the_same_address_in_other_letters_is_already_registered(client):
    event = make_event(capacity=10)
    first = register_form(client, event, {"name": "Li Wei", "email": "li@example.org"})
    assert first.status_code == 302
    [registration] = registrations()

    response = register_form(client, event, {"name": "Li W.", "email": "LI@Example.ORG"})
    assert response.status_code == 409
    doc = page(response)
    text = doc.text()
    assert "already registered" in text
    assert "e-mailed the link" in text
    assert doc.value("name") == "Li W." and doc.value("email") == "LI@Example.ORG"
    # Not the ticket: neither its code, nor its link, nor its QR code.
    assert registration.code not in doc.html
    assert manage_secret_of(registration) not in doc.html
    assert "qr.svg" not in doc.html and "qr.png" not in doc.html
    assert len(registrations()) == 1
    assert [(m.kind, m.to_address) for m in outbox()] == [
        (MailKind.CONFIRMED, "li@example.org"),
        (MailKind.LINK_AGAIN, "li@example.org"),
    ]


# --- when one cannot register -----------------------------------------------------------------------


def _closed(event):
    event.registration_closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()


def _not_open(event):
    event.registration_opens_at = STARTS - timedelta(days=3)
    db.session.commit()


def _sold_out(event):
    register_attendee(event, RegistrationRequest("First", "first@example.org"))


def _cancelled(event):
    change_status(event, EventStatus.CANCELLED)


NO_REGISTRATION = [
    pytest.param(_closed, "Registration is closed.", 409, id="closed"),
    pytest.param(_not_open, "Registration opens on", 409, id="not-yet-open"),
    pytest.param(_sold_out, "Sold out", 409, id="sold-out-without-waitlist"),
    pytest.param(_cancelled, "This event is cancelled", 409, id="event-cancelled"),
]


@pytest.mark.parametrize(("arrange", "says", "status"), NO_REGISTRATION)
def test_when_registration_is_impossible_the_page_says_so_and_a_post_is_refused(client, arrange, says, status):
    event = make_event(capacity=1, waitlist=False, starts_at=STARTS, ends_at=ENDS)
    arrange(event)
    before = len(registrations())

    doc = page(client.get(f"/events/{event.slug}"))
    assert says in doc.text()
    assert not has_registration_form(doc)
    assert not [c for c in doc.controls if c.get("name") in ("name", "email")]

    response = register_form(client, event, {"name": "Late Comer", "email": "late@example.org"})
    assert response.status_code == status
    doc = page(response)
    assert says in doc.text()
    assert not has_registration_form(doc)
    assert len(registrations()) == before


def test_before_registration_opens_the_page_says_when_in_the_events_time_zone(client):
    event = make_event(starts_at=STARTS, ends_at=ENDS, timezone="Asia/Shanghai")
    _not_open(event)
    opens = event.registration_opens_at.astimezone(ZoneInfo("Asia/Shanghai"))
    text = page(client.get(f"/events/{event.slug}")).text()
    assert f"Registration opens on {opens:%a %d %b %Y, %H:%M} (Asia/Shanghai)" in text


def test_a_draft_event_has_no_public_page_to_register_on(client):
    event = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/events/{event.slug}").status_code == 404
    assert register_form(client, event, {"name": "Li", "email": "li@example.org"}).status_code == 404
    assert registrations() == []


def test_a_sold_out_ticket_type_is_refused_with_a_message_while_others_are_open(client):
    event = make_event(capacity=10, waitlist=False)
    vip = add_ticket_type(event, "VIP", capacity=1)
    register_attendee(event, RegistrationRequest("First", "first@example.org", ticket_type_id=vip.id))
    response = register_form(client, event, {"name": "Li Wei", "email": "li@example.org", "ticket_type_id": vip.id})
    assert response.status_code == 409
    doc = page(response)
    assert "This ticket type is sold out." in doc.text()
    assert doc.value("name") == "Li Wei" and doc.value("email") == "li@example.org"
    assert len(registrations()) == 1


# --- the waiting list -------------------------------------------------------------------------------


def test_a_full_event_puts_people_on_the_waiting_list_and_tells_them_their_place(client):
    event = make_event(capacity=1)
    register_attendee(event, RegistrationRequest("First", "first@example.org"))
    for place, who in ((1, "ana"), (2, "bo")):
        response = register_form(client, event, {"name": who.title(), "email": f"{who}@example.org"})
        ticket = page(client.get(location_path(response)))
        assert f"you are number {place} on the waiting list" in ticket.text()
        assert f"On the waiting list, number {place}" in ticket.text()
        assert "qr.svg" not in ticket.html
    assert [r.status for r in registrations()] == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.WAITLISTED,
    ]


def test_an_attendee_cancels_after_confirming_and_the_first_waiting_gets_the_seat(client):
    owner = make_user()
    headers = bearer(make_token(owner))
    event = make_event(owner, capacity=1)
    first = register_attendee(event, RegistrationRequest("First", "first@example.org"))
    ana = register_attendee(event, RegistrationRequest("Ana", "ana@example.org"))
    bo = register_attendee(event, RegistrationRequest("Bo", "bo@example.org"))
    ticket_path = f"/t/{manage_secret_of(first)}"

    ticket = page(client.get(ticket_path))
    link = re.search(r'<a class="button danger" href="([^"]+)">Cancel my registration', ticket.html)
    assert link and link.group(1) == f"{ticket_path}/cancel"
    confirm = page(client.get(link.group(1)))
    assert "Cancel your registration" in confirm.text() and "cannot be undone" in confirm.text()
    assert [f.action for f in confirm.forms if f.method == "post"] == [f"{ticket_path}/cancel"]
    assert f'href="{ticket_path}">No, keep it' in confirm.html
    assert registration_status(client, event, first.code, headers) == "confirmed"  # nothing happens on GET

    response = client.post(f"{ticket_path}/cancel", data={"csrf_token": confirm.forms[-1].csrf_token})
    assert location_path(response) == ticket_path
    after = page(client.get(ticket_path))
    assert "Your registration is cancelled" in after.text()
    assert registration_status(client, event, first.code, headers) == "cancelled"
    assert registration_status(client, event, ana.code, headers) == "confirmed"
    assert registration_status(client, event, bo.code, headers) == "waitlisted"
    assert (MailKind.PROMOTED, "ana@example.org") in [(m.kind, m.to_address) for m in outbox()]


def test_cancelling_without_the_forms_token_is_refused(client):
    event = make_event(capacity=1)
    first = register_attendee(event, RegistrationRequest("First", "first@example.org"))
    response = client.post(f"/t/{manage_secret_of(first)}/cancel")
    assert response.status_code == 400
    assert registrations()[0].status == RegistrationStatus.CONFIRMED


def test_the_organizer_cancels_with_the_button_and_the_first_waiting_gets_the_seat(client):
    owner = make_user()
    headers = bearer(make_token(owner))
    event = make_event(owner, capacity=1)
    first = register_attendee(event, RegistrationRequest("First Person", "first@example.org"))
    ana = register_attendee(event, RegistrationRequest("Ana", "ana@example.org"))
    signed_in_organizer(client, owner)

    detail = f"/manage/events/{event.slug}/registrations/{first.code}"
    action = f"{detail}/cancel"
    assert f'href="{action}"' in page(client.get(detail)).html  # a link to a question, not a button
    question = page(client.get(action))
    assert "Cancel First Person?" in question.text() and action in [f.action for f in question.forms]
    assert registration_status(client, event, first.code, headers) == "confirmed"  # asking changed nothing
    response = post_form(client, action, {})
    assert location_path(response) == detail
    assert "Cancelled; the seat goes to the waiting list." in page(client.get(detail)).text()
    assert registration_status(client, event, first.code, headers) == "cancelled"
    assert registration_status(client, event, ana.code, headers) == "confirmed"


# --- approval ---------------------------------------------------------------------------------------


def test_an_event_that_needs_approval_says_so_and_the_organizer_approves_or_rejects(client):
    owner = make_user()
    headers = bearer(make_token(owner))
    event = make_event(owner, capacity=10, requires_approval=True)
    page_text = page(client.get(f"/events/{event.slug}")).text()
    assert "The organizer reviews each registration" in page_text

    codes = {}
    for who in ("Ana", "Bo"):
        response = register_form(client, event, {"name": who, "email": f"{who.lower()}@example.org"})
        ticket = page(client.get(location_path(response)))
        assert "The organizer reviews each registration; we e-mail you when they decide." in ticket.text()
        assert "Waiting for the organizer's approval" in ticket.text()
        assert "qr.svg" not in ticket.html
        codes[who] = registrations()[-1].code
    assert registration_status(client, event, codes["Ana"], headers) == "pending_approval"

    signed_in_organizer(client, owner)
    base = f"/manage/events/{event.slug}/registrations"
    for code in codes.values():
        doc = page(client.get(f"{base}/{code}"))
        assert f"{base}/{code}/approve" in [f.action for f in doc.forms]
        assert f'href="{base}/{code}/reject"' in doc.html

    assert location_path(post_form(client, f"{base}/{codes['Ana']}/approve", {})) == f"{base}/{codes['Ana']}"
    assert location_path(post_form(client, f"{base}/{codes['Bo']}/reject", {})) == f"{base}/{codes['Bo']}"
    assert registration_status(client, event, codes["Ana"], headers) == "confirmed"
    assert registration_status(client, event, codes["Bo"], headers) == "rejected"
    doc = page(client.get(f"{base}/{codes['Ana']}"))
    assert f"{base}/{codes['Ana']}/approve" not in [f.action for f in doc.forms]
    kinds = [(m.kind, m.to_address) for m in outbox()]
    assert (MailKind.APPROVED, "ana@example.org") in kinds and (MailKind.REJECTED, "bo@example.org") in kinds


def test_approving_when_full_waitlists_or_says_sold_out(client):
    owner = make_user()
    headers = bearer(make_token(owner))
    with_list = make_event(owner, capacity=1, requires_approval=True)
    without_list = make_event(owner, capacity=1, requires_approval=True, waitlist=False)
    signed_in_organizer(client, owner)
    for event in (with_list, without_list):
        first = register_attendee(event, RegistrationRequest("First", "first@example.org"))
        second = register_attendee(event, RegistrationRequest("Second", "second@example.org"))
        base = f"/manage/events/{event.slug}/registrations"
        post_form(client, f"{base}/{first.code}/approve", {})
        response = post_form(client, f"{base}/{second.code}/approve", {})
        flashed = page(client.get(location_path(response))).text()
        assert registration_status(client, event, first.code, headers) == "confirmed"
        if event is with_list:
            assert registration_status(client, event, second.code, headers) == "waitlisted"
        else:
            assert "sold out" in flashed
            assert registration_status(client, event, second.code, headers) == "pending_approval"


def test_only_the_organizer_can_approve_reject_or_cancel(client):
    owner = make_user()
    headers = bearer(make_token(owner))
    event = make_event(owner, capacity=10, requires_approval=True)
    pending = register_attendee(event, RegistrationRequest("Ana", "ana@example.org"))
    base = f"/manage/events/{event.slug}/registrations"

    for action in ("approve", "reject", "cancel"):  # not logged in: to the login page
        response = post_form(client, f"{base}/{pending.code}/{action}", {})
        assert location_path(response).startswith("/login")
    signed_in_organizer(client)  # someone else's account
    assert client.get(base).status_code == 403
    for action in ("approve", "reject", "cancel"):
        assert post_form(client, f"{base}/{pending.code}/{action}", {}).status_code == 403
    assert registration_status(client, event, pending.code, headers) == "pending_approval"


# --- the organizer's list and outbox ---------------------------------------------------------------------


def test_the_organizer_searches_and_filters_the_registrations(client):
    owner = make_user()
    event = make_event(owner, capacity=2)
    li = register_attendee(event, RegistrationRequest("Li Wei", "li.wei@example.org"))
    ana = register_attendee(event, RegistrationRequest("Ana Souza", "ana@tecom.example"))
    bo = register_attendee(event, RegistrationRequest("Bo Zhang", "bo@example.org"))  # waitlisted
    other = make_event(owner)
    register_attendee(other, RegistrationRequest("Li Wei", "li.wei@example.org"))
    signed_in_organizer(client, owner)
    base = f"/manage/events/{event.slug}/registrations"

    def listed(query: str = "") -> set[str]:
        doc = page(client.get(f"{base}{query}"))
        return {code for code in (li.code, ana.code, bo.code) if code in doc.html}

    doc = page(client.get(base))
    assert "Registrations (3)" in doc.text()
    assert all(who in doc.text() for who in ("Li Wei", "ana@tecom.example", "Bo Zhang"))
    assert listed() == {li.code, ana.code, bo.code}
    assert listed("?q=wei") == {li.code}
    assert listed("?q=TECOM") == {ana.code}
    assert listed(f"?q={bo.code.lower()}") == {bo.code}
    assert listed("?status=waitlisted") == {bo.code}
    assert listed("?status=confirmed&q=li") == {li.code}
    assert listed("?status=nonsense") == {li.code, ana.code, bo.code}
    doc = page(client.get(f"{base}?q=wei&status=confirmed"))
    assert doc.value("q") == "wei" and 'aria-current="page">Confirmed' in doc.html
    assert "No registrations match." in page(client.get(f"{base}?q=nobody")).text()


def test_a_search_for_a_wildcard_character_matches_it_literally(client):
    owner = make_user()
    event = make_event(owner)
    register_attendee(event, RegistrationRequest("Li Wei", "li_wei@example.org"))
    register_attendee(event, RegistrationRequest("Ana", "ana@example.org"))
    signed_in_organizer(client, owner)
    base = f"/manage/events/{event.slug}/registrations"
    assert "Registrations (1)" in page(client.get(f"{base}?q=_")).text()
    assert "No registrations match." in page(client.get(f"{base}?q=%25")).text()


def test_without_a_mail_server_the_outbox_shows_the_messages_with_the_ticket_link(client):
    owner = make_user()
    event = make_event(owner, name="TECOM Conf Hangzhou", capacity=1)
    li = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    register_attendee(event, RegistrationRequest("Ana", "ana@example.org"))
    signed_in_organizer(client, owner)

    doc = page(client.get(f"/manage/events/{event.slug}/outbox"))
    text = doc.text()
    assert "No mail server is set up" in text
    assert "li@example.org" in text and "ana@example.org" in text
    assert "confirmed" in text and "waitlisted" in text and "queued" in text
    [confirmed] = [m for m in outbox() if m.kind == MailKind.CONFIRMED]
    link = f"/manage/events/{event.slug}/outbox/{confirmed.id}"
    assert f'href="{link}"' in doc.html

    message = page(client.get(link))
    text = message.text()
    assert "Your ticket for TECOM Conf Hangzhou" in text
    assert "To li@example.org" in text
    assert f"http://eventsys.test/t/{manage_secret_of(li)}" in text
    assert li.code in text


def test_another_organizer_cannot_read_the_list_or_the_outbox(client):
    owner = make_user()
    event = make_event(owner)
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    [message] = outbox()
    signed_in_organizer(client)
    for path in (
        f"/manage/events/{event.slug}/registrations",
        f"/manage/events/{event.slug}/outbox",
        f"/manage/events/{event.slug}/outbox/{message.id}",
    ):
        response = client.get(path)
        assert response.status_code == 403, path  # the event is published: seen, but not theirs
        assert "li@example.org" not in response.get_data(as_text=True)


def test_a_message_of_another_event_is_not_found_in_this_events_outbox(client):
    owner = make_user()
    mine, theirs = make_event(owner), make_event()
    register_attendee(theirs, RegistrationRequest("Li Wei", "li@example.org"))
    [message] = outbox()
    signed_in_organizer(client, owner)
    assert client.get(f"/manage/events/{mine.slug}/outbox/{message.id}").status_code == 404


def test_the_organizer_pages_need_a_login(client):
    event = make_event()
    for path in (f"/manage/events/{event.slug}/registrations", f"/manage/events/{event.slug}/outbox"):
        assert location_path(client.get(path)).startswith("/login")


def test_the_list_pages_and_a_page_beyond_the_end_shows_the_last(client):
    owner = make_user()
    event = make_event(owner)
    people = [register_attendee(event, RegistrationRequest(f"P{n}", f"p{n}@example.org")) for n in range(51)]
    signed_in_organizer(client, owner)
    base = f"/manage/events/{event.slug}/registrations"
    first = page(client.get(f"{base}?sort=-created_at"))
    assert "Registrations (51)" in first.text() and "Page 1 of 2" in first.text()
    assert people[-1].code in first.html and people[0].code not in first.html  # newest first
    assert re.search(r'href="[^"]*[?&;]page=2[^"]*"[^>]*>Next', first.html)
    for number in ("2", "99999999999999999999", "2147483648"):  # a huge page was an OFFSET overflow (500)
        response = client.get(f"{base}?sort=-created_at&page={number}")
        assert response.status_code == 200, number
        doc = page(response)
        assert "Page 2 of 2" in doc.text() and people[0].code in doc.html and people[1].code not in doc.html
    assert "Page 1 of 2" in page(client.get(f"{base}?page=-3")).text()


@pytest.mark.both_databases
@pytest.mark.parametrize("where", ["name", "answer", "search", "code"])
def test_a_nul_character_is_refused_with_a_page_not_a_crash(client, where):
    """PostgreSQL text cannot hold NUL; the API refuses it, and so do the pages (once a 500 on PostgreSQL)."""
    owner = make_user()
    event = make_event(owner)
    q = add_every_question(event)
    signed_in_organizer(client, owner)
    if where in ("name", "answer"):
        data = {"name": "Li\x00Wei", "email": "li@example.org"}
        if where == "answer":
            data = {"name": "Li Wei", "email": "li@example.org", f"q_{q['text'].id}": "A\x00B"}
        response = register_form(client, event, data)
    elif where == "search":
        response = client.get(f"/manage/events/{event.slug}/registrations?q=li%00wei")
    else:
        response = post_form(client, f"/manage/events/{event.slug}/registrations/ABCD%00EFGH/cancel", {})
        assert response.status_code == 404  # no address holds NUL: not found, as in the API
        return
    assert response.status_code == 400
    assert "NUL character" in page(response).text()
    assert registrations() == []
