"""Every form shown again with errors starts with an error summary that links to each field in trouble
(the GOV.UK pattern), and each message is tied to its field with aria-describedby."""

from __future__ import annotations

import pytest

from eventsys.events.models import QuestionKind
from eventsys.events.services import QuestionDetails, add_question, add_ticket_type
from eventsys.registration.services import RegistrationRequest, register_attendee
from tests.conftest import make_user, post_form
from tests.html_pages import assert_errors_are_summarised, assert_form_page_is_accessible, page
from tests.test_password_reset import ask_for_reset, mailed_link


def shown_again(response, status: int = 422):
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    doc = page(response)
    assert_form_page_is_accessible(doc)
    return doc, assert_errors_are_summarised(doc)


def test_the_registration_form_links_each_problem_to_its_field_a_list_of_radios_too(client, event):
    add_ticket_type(event, "Investor")  # two types: a list of radios to choose from
    company = add_question(event, QuestionDetails("Company", QuestionKind.TEXT, required=True))
    topics = add_question(event, QuestionDetails("Topics", QuestionKind.MULTISELECT, options=["AI", "Hardware"]))
    response = post_form(client, f"/events/{event.slug}/register", {"name": "", "email": "not-an-address"})
    doc, problems = shown_again(response)

    linked = dict(problems)
    assert set(linked) == {"name", "email", "ticket_type_id", f"q_{company.id}"}
    assert linked["ticket_type_id"] == "Ticket type: Choose a ticket type."
    assert linked[f"q_{company.id}"].startswith("Company: ")
    # The radios' list is what the link points to; their fieldset is described by the message.
    assert '<ul class="choice-list" id="ticket_type_id">' in doc.html
    assert '<fieldset class="choices" aria-describedby="ticket_type_id-error">' in doc.html
    assert f"q_{topics.id}" not in linked  # an optional question with no problem is not listed


def test_the_summary_speaks_the_pages_language(client, event):
    response = post_form(client, f"/events/{event.slug}/register?lang=zh-CN", {"name": "", "email": ""})
    doc = page(response)
    heading, problems = doc.error_summary()
    assert heading == "请修正以下问题"
    assert problems == [("name", "你的姓名：请输入姓名。"), ("email", "电子邮箱：请输入电子邮箱。")]


def test_a_wrong_login_links_to_the_password_and_a_problem_with_no_field_is_plain_text(client, event):
    user = make_user()
    _, problems = shown_again(post_form(client, "/login", {"email": user.email, "password": "wrong password"}))
    assert [target for target, _ in problems] == ["password"]

    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    again = post_form(client, f"/events/{event.slug}/register", {"name": "Li Wei", "email": "li@example.org"})
    doc = page(again)
    assert again.status_code == 409
    heading, problems = doc.error_summary()
    assert heading == "There is a problem"
    assert [target for target, _ in problems] == [None] and "already registered" in problems[0][1]
    assert doc.autofocused == ["div#"]


def test_the_login_field_that_autofocuses_gives_the_focus_to_the_summary_after_a_failed_submit(client):
    fresh = page(client.get("/login"))
    assert fresh.autofocused == ["input#email"] and fresh.error_summary() is None
    doc, _ = shown_again(post_form(client, "/login", {"email": "", "password": ""}))
    assert doc.autofocused == ["div#"]


@pytest.mark.parametrize(
    ("path", "data", "fields"),
    [
        ("/signup", {"name": "", "email": "nobody", "password": "short"}, {"name", "email", "password"}),
        ("/password/forgot", {"email": ""}, {"email"}),
    ],
)
def test_the_account_forms(client, path, data, fields):
    _, problems = shown_again(post_form(client, path, data))
    assert {target for target, _ in problems} == fields


def test_the_reset_password_form(app, client, smtp):
    user = make_user()
    ask_for_reset(client, user.email)
    reset_path = mailed_link(smtp, user.email)
    form = page(client.get(reset_path)).forms[-1]
    _, problems = shown_again(client.post(reset_path, data={"csrf_token": form.csrf_token, "new_password": "x"}))
    assert [target for target, _ in problems] == ["new_password"]


def test_the_change_password_form(organizer):
    response = post_form(organizer, "/account/password", {"current_password": "", "new_password": ""})
    _, problems = shown_again(response)
    assert {target for target, _ in problems} == {"current_password", "new_password"}


def test_the_ticket_type_and_question_forms_on_the_dashboard_and_their_own_pages(organizer, event):
    base = f"/manage/events/{event.slug}"
    _, problems = shown_again(post_form(organizer, f"{base}/ticket-types", {"name": "", "capacity": "-1"}))
    assert {target for target, _ in problems} == {"name", "capacity"}
    _, problems = shown_again(post_form(organizer, f"{base}/questions", {"label": "", "kind": "text"}))
    assert [target for target, _ in problems] == ["label"]

    ticket_type = event.ticket_types[0]
    _, problems = shown_again(post_form(organizer, f"{base}/ticket-types/{ticket_type.id}", {"name": ""}))
    assert [target for target, _ in problems] == ["name"]
    question = add_question(event, QuestionDetails("Company", QuestionKind.TEXT))
    _, problems = shown_again(post_form(organizer, f"{base}/questions/{question.id}", {"label": "", "kind": "text"}))
    assert [target for target, _ in problems] == ["label"]


def test_the_event_form_names_the_address_in_the_slug_help(organizer, event):
    doc = page(organizer.get(f"/manage/events/{event.slug}/edit"))
    assert doc.texts["slug-help"] == f"The event's address: http://eventsys.test/events/{event.slug}"
    assert "slug-help" in doc.control("slug")["aria-describedby"].split()

    response = post_form(organizer, "/manage/events/new", {"name": "杭州创业者大会", "slug": ""})
    doc, _ = shown_again(response)
    assert doc.texts["slug-help"] == (
        "Left empty, the address is made from the name: http://eventsys.test/events/hangzhou-chuangyezhe-dahui"
    )
    dates = {"timezone": "Asia/Shanghai", "starts_at": "2031-05-01T09:00", "ends_at": "2031-05-01T18:00"}
    taken = post_form(organizer, "/manage/events/new", {"name": "x", "slug": event.slug, **dates})
    doc, problems = shown_again(taken)
    assert ("slug", f"Web address: {doc.error('slug')}") in problems


def test_the_back_office_forms_and_the_door_access_forms(organizer, event):
    base = f"/manage/events/{event.slug}"
    _, problems = shown_again(post_form(organizer, f"{base}/registrations/new", {"name": "", "email": "x"}))
    assert {target for target, _ in problems} == {"name", "email"}
    someone = register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    edit = post_form(organizer, f"{base}/registrations/{someone.code}/edit", {"name": "", "email": "li@example.org"})
    _, problems = shown_again(edit)
    assert [target for target, _ in problems] == ["name"]

    _, problems = shown_again(post_form(organizer, f"{base}/door-links", {"label": ""}))
    assert problems == [("label", "Gate name: Name the gate, e.g. North door.")]
    _, problems = shown_again(post_form(organizer, f"{base}/door-staff", {"email": ""}))
    assert problems == [("email", "E-mail address: Enter the address to invite.")]


def test_a_bad_ticket_type_filter_in_the_back_office_is_tied_to_its_select(organizer, event):
    response = organizer.get(f"/manage/events/{event.slug}/registrations?ticket_type=investor")
    doc = page(response)
    assert doc.error("ticket_type")
    assert doc.control("ticket_type")["aria-describedby"] == "ticket_type-error"
    assert doc.control("ticket_type")["aria-invalid"] == "true"
