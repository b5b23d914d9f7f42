"""The command-line tools: `flask create-user` and `flask seed-demo`."""

from __future__ import annotations

import stat
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from eventsys.auth.models import User
from eventsys.auth.services import find_user_by_email
from eventsys.events.models import Event, EventStatus, QuestionKind
from eventsys.extensions import db
from tests.conftest import PASSWORD, login, make_user, post_form
from tests.html_pages import page


def user_count() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.fixture
def instance_folder(app, tmp_path, monkeypatch):
    """seed-demo writes the demo login into the instance folder: a throwaway one, not the developer's."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    return tmp_path


# --- create-user ---------------------------------------------------------------------------------------


def test_create_user_makes_an_organizer_who_can_log_in(runner, client):
    result = runner.invoke(args=["create-user", "Lin@Example.org", "--name", "Lin Organizer", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    assert "Created organizer lin@example.org." in result.output
    user = find_user_by_email("lin@example.org")
    assert user.name == "Lin Organizer" and user.email == "lin@example.org"
    login(client, user)
    assert client.get("/manage/events").status_code == 200


def test_create_user_asks_for_the_password_twice_when_it_is_not_given(runner, client):
    result = runner.invoke(args=["create-user", "lin@example.org", "--name", "Lin"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # typed without echo
    login(client, find_user_by_email("lin@example.org"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["not-an-email", "--name", "Lin", "--password", PASSWORD], "email: "),
        (["lin@example", "--name", "Lin", "--password", PASSWORD], "email: "),
        (["lin@example.org", "--name", "Lin", "--password", "short"], "password: Use at least 10 characters."),
        (["lin@example.org", "--name", "  ", "--password", PASSWORD], "name: Enter your name."),
    ],
)
def test_create_user_refuses_bad_input_with_a_message(runner, args, message):
    result = runner.invoke(args=["create-user", *args])
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert user_count() == 0


def test_create_user_refuses_an_address_that_has_an_account_in_any_case(runner):
    make_user(email="lin@example.org")
    result = runner.invoke(args=["create-user", "LIN@example.org", "--name", "Lin", "--password", PASSWORD])
    assert result.exit_code != 0
    assert "email: An account with this e-mail address already exists." in result.stderr
    assert user_count() == 1


def test_create_user_needs_a_name(runner):
    result = runner.invoke(args=["create-user", "lin@example.org", "--password", PASSWORD])
    assert result.exit_code != 0 and "--name" in result.output
    assert user_count() == 0


# --- seed-demo ---------------------------------------------------------------------------------------------


def demo_event() -> Event:
    return db.session.scalar(select(Event).where(Event.slug == "tecom-conf-hangzhou"))


@pytest.mark.both_databases
def test_seed_demo_creates_the_published_tecom_conference(runner, instance_folder):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "http://eventsys.test/events/tecom-conf-hangzhou" in result.output

    event = demo_event()
    assert event.status == EventStatus.PUBLISHED
    assert event.venue == "ITC Guigu International Center"
    assert event.timezone == "Asia/Shanghai"
    assert event.capacity == 400
    assert [t.name for t in event.ticket_types] == ["Founder", "Investor", "Community"]
    assert sum(t.capacity for t in event.ticket_types) == 400
    assert len(event.questions) >= 3
    assert QuestionKind.COUNTRY in [q.kind for q in event.questions]
    starts = event.local(event.starts_at)
    assert (starts.month, starts.day, starts.hour, starts.minute) == (6, 18, 9, 0)
    assert event.starts_at > datetime.now(UTC)
    assert event.ends_at > event.starts_at
    assert str(starts.year) in event.name


def test_the_demo_conference_is_on_the_public_pages(runner, instance_folder, client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert "TECOM Conf Hangzhou" in page(client.get("/")).text()
    text = page(client.get("/events/tecom-conf-hangzhou")).text()
    assert "09:00 – 18:00 (Asia/Shanghai)" in text and "ITC Guigu International Center" in text
    for ticket_type in ("Founder", "Investor", "Community"):
        assert ticket_type in text


def test_the_demo_organizer_can_log_in_with_the_printed_password(runner, instance_folder, client):
    result = runner.invoke(args=["seed-demo"])
    email, password = (instance_folder / "demo-login.txt").read_text().split()
    assert f"as {email} with password {password}" in result.output
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302
    assert "TECOM Conf Hangzhou" in page(client.get("/manage/events")).text()


def test_seeding_twice_creates_no_second_event(runner, instance_folder, app):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    email, password = (instance_folder / "demo-login.txt").read_text().split()
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert "exists already" in again.output
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert user_count() == 1
    assert len(demo_event().ticket_types) == 3
    # The password written the first time still works.
    assert post_form(app.test_client(), "/login", {"email": email, "password": password}).status_code == 302


def test_seed_demo_registers_the_attendees_asked_for(runner, instance_folder, client):
    result = runner.invoke(args=["seed-demo", "--attendees", "12"])
    assert result.exit_code == 0, result.output
    assert "(12 registrations)" in result.output
    from eventsys.registration.models import Registration, RegistrationStatus

    event = demo_event()
    registered = db.session.scalars(select(Registration).where(Registration.event_id == event.id)).all()
    assert len(registered) == 12 and all(r.status == RegistrationStatus.CONFIRMED for r in registered)
    assert len({r.ticket_type_id for r in registered}) == 3  # spread over Founder, Investor, Community
    assert all(r.answers for r in registered)  # the required questions are answered
    # The public page counts the seats they took.
    assert "246 left" in page(client.get("/events/tecom-conf-hangzhou")).text()  # Founder: 250 - 12 / 3


def test_seed_demo_creates_the_instance_folder_when_the_keys_come_from_the_environment(
    runner, app, tmp_path, monkeypatch
):
    # SECRET_KEY and TICKET_KEY from the environment: nothing else has created the instance folder.
    missing = tmp_path / "not-created-yet"
    monkeypatch.setattr(app, "instance_path", str(missing))
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    email, password = (missing / "demo-login.txt").read_text().split()
    assert f"as {email} with password {password}" in result.output
    assert stat.S_IMODE((missing / "demo-login.txt").stat().st_mode) == 0o600  # it holds a password
