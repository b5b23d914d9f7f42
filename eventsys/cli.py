"""Command-line tools: create-user, seed-demo, send-mail and prepare-door (see the contract's "Running it")."""

from __future__ import annotations

import os
import secrets
import time
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from eventsys.auth.passwords import hash_password
from eventsys.auth.services import create_user, find_user_by_email
from eventsys.checkin.dataset import derive_missing_keys, event_salt
from eventsys.demo_attendees import seed_attendees
from eventsys.errors import ValidationFailed
from eventsys.events import services as event_services
from eventsys.events.models import Event, EventStatus, QuestionKind
from eventsys.events.services import EventDetails, QuestionDetails
from eventsys.extensions import db
from eventsys.mail.models import OutboxMessage, OutboxStatus
from eventsys.mail.sender import send_due
from eventsys.timeutil import from_local, to_local, utcnow

DEMO_EMAIL = "demo@tecom.example.org"
DEMO_SLUG = "tecom-conf-hangzhou"


def _fail_on(error: ValidationFailed) -> None:
    for field, messages in (error.fields or {}).items():
        for message in messages:
            click.echo(f"{field}: {message}", err=True)
    raise SystemExit(1)


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="The organizer's name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted when left out.")
def create_user_command(email: str, name: str, password: str) -> None:
    """Create an organizer account."""
    try:
        user = create_user(email, name, password)
    except ValidationFailed as exc:
        _fail_on(exc)
    click.echo(f"Created organizer {user.email}.")


def _demo_details() -> EventDetails:
    tz = "Asia/Shanghai"
    return EventDetails(
        name="TECOM Conf Hangzhou 2021",
        slug=DEMO_SLUG,
        tagline="A one-day conference for founders, investors and the people who build with them",
        description=(
            "TECOM Conf brings together 400+ founders, investors and technologists from the Hangzhou "
            "international talent community for a day of talks, panels and a startup showcase.\n\n"
            "Programme: keynotes in the morning, founder panels and investor office hours in the "
            "afternoon, networking dinner in the evening."
        ),
        venue="ITC Guigu International Center",
        address="Xihu District, Hangzhou, Zhejiang, China",
        timezone=tz,
        starts_at=from_local(datetime(2021, 6, 18, 9, 0), tz),
        ends_at=from_local(datetime(2021, 6, 18, 18, 0), tz),
        capacity=400,
        registration_opens_at=from_local(datetime(2021, 5, 1, 10, 0), tz),
        registration_closes_at=from_local(datetime(2021, 6, 17, 23, 59), tz),
        waitlist=True,
    )


def _shift_to_future(details: EventDetails) -> EventDetails:
    """Keep the demo's date, time of day and weekday feel, but in the coming year, so it is upcoming."""
    years = max(utcnow().year - details.starts_at.year + 1, 0)

    def shift(moment):
        if moment is None:
            return None
        local = to_local(moment, details.timezone)
        return from_local(local.replace(year=local.year + years, tzinfo=None), details.timezone)

    details.starts_at, details.ends_at = shift(details.starts_at), shift(details.ends_at)
    details.registration_opens_at = None
    details.registration_closes_at = shift(details.registration_closes_at)
    details.name = details.name.replace("2021", str(details.starts_at.year))
    return details


@click.command("seed-demo")
@click.option("--attendees", default=0, show_default=True, type=click.IntRange(min=0), help="Registrations to create.")
def seed_demo_command(attendees: int) -> None:
    """Create a demo organizer and the TECOM Conf Hangzhou demo conference (once)."""
    existing = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if existing is not None:
        click.echo(f"The demo conference exists already: {current_app.config['PUBLIC_BASE_URL']}/events/{DEMO_SLUG}")
        click.echo(f"Demo organizer: {DEMO_EMAIL} (password printed when it was seeded; see instance/demo-login.txt)")
        return
    user = find_user_by_email(DEMO_EMAIL)
    password = secrets.token_urlsafe(12)
    if user is None:
        user = create_user(DEMO_EMAIL, "TECOM Talent Club", password)
    else:
        user.password_hash = hash_password(password)
    event = event_services.create_event(user, _shift_to_future(_demo_details()), EventStatus.PUBLISHED)
    general = event.ticket_types[0]
    event_services.update_ticket_type(general, "Founder", 250, "For founders and co-founders of a company.", by=user)
    event_services.add_ticket_type(event, "Investor", 80, "Angels, VCs and corporate venture teams.", by=user)
    event_services.add_ticket_type(event, "Community", 70, "Engineers, students, and friends of the club.", by=user)
    for question in (
        QuestionDetails("Company or organization", QuestionKind.TEXT, required=True),
        QuestionDetails(
            "Your role", QuestionKind.SELECT, True, ["Founder / CEO", "CTO / engineer", "Investor", "Student", "Other"]
        ),
        QuestionDetails("Country you are from", QuestionKind.COUNTRY, required=True),
        QuestionDetails(
            "Topics you care about",
            QuestionKind.MULTISELECT,
            False,
            ["AI", "Hardware", "E-commerce", "Fintech", "Climate"],
        ),
        QuestionDetails("WeChat or phone", QuestionKind.PHONE, help_text="So the team can reach you on the day."),
        QuestionDetails("I will join the networking dinner", QuestionKind.CHECKBOX),
    ):
        event_services.add_question(event, question, by=user)
    created = seed_attendees(event, attendees, user)
    _keep_demo_login(f"{DEMO_EMAIL}\n{password}\n")
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"Demo conference: {base}/events/{event.slug} ({created} registrations)")
    click.echo(f"Log in at {base}/login as {DEMO_EMAIL} with password {password}")


def _keep_demo_login(text: str) -> None:
    """Write the demo login into the instance folder, readable by its owner only.

    The folder may not exist yet: with SECRET_KEY and TICKET_KEY from the environment, nothing
    else has written to it.
    """
    folder = Path(current_app.instance_path)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "demo-login.txt"
    path.unlink(missing_ok=True)  # a new file gets the mode below; an old one would keep its own
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


@click.command("send-mail")
def send_mail_command() -> None:
    """Queue the reminders that are due, send every queued message now (whatever its retry schedule), and exit."""
    if not current_app.config.get("MAIL_SERVER"):
        queued = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED)
        )
        click.echo(f"MAIL_SERVER is not set: {queued} messages stay in the outbox (organizers can read them there).")
        return
    report = send_due(force=True)
    click.echo(f"{report.sent} sent, {report.retrying} to retry, {report.failed} refused, {report.skipped} skipped.")
    if report.retrying:
        raise SystemExit(1)


@click.command("prepare-door")
@click.argument("slug")
def prepare_door_command(slug: str) -> None:
    """Derive every ticket's offline door keys now, so that the gates' first datasets are complete.

    Gates derive what is missing themselves, a few seconds a request; for thousands of tickets run
    this once before the doors open (about 8 ms a ticket).
    """
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"No event at {slug}.")
    started = time.monotonic()
    salt = event_salt(event.id)
    while derive_missing_keys(event.id, salt):
        pass
    click.echo(f"Door keys ready for every ticket of {event.name} ({time.monotonic() - started:.1f} s).")


def register(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(prepare_door_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(send_mail_command)
