"""Rendering an outbox entry into an e-mail, when it is sent: text and HTML, QR inline, .ics attached."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template

from eventsys.checkin.models import DoorStaff
from eventsys.events.models import EventStatus
from eventsys.extensions import db
from eventsys.mail.models import MailKind, OutboxMessage
from eventsys.registration import tickets
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import waitlist_position
from eventsys.registration.tickets import invitation_secret, manage_secret_of, qr_payload_of, reset_secret_of
from eventsys.timeutil import utcnow
from eventsys.urls import public_url

SUBJECTS = {
    MailKind.CONFIRMED: "Your ticket for {event}",
    MailKind.WAITLISTED: "You are on the waiting list for {event}",
    MailKind.PENDING_APPROVAL: "We received your registration for {event}",
    MailKind.PROMOTED: "A seat opened up: your ticket for {event}",
    MailKind.APPROVED: "You are in: your ticket for {event}",
    MailKind.REJECTED: "Your registration for {event}",
    MailKind.CANCELLED: "Your registration for {event} is cancelled",
    MailKind.LINK_AGAIN: "Your registration for {event}",
    MailKind.DOOR_INVITE: "You are invited to check people in at {event}",
    MailKind.EVENT_CANCELLED: "{event} is cancelled",
    MailKind.PASSWORD_RESET: "Reset your eventsys password",
}
TICKET_KINDS = {MailKind.CONFIRMED, MailKind.PROMOTED, MailKind.APPROVED, MailKind.LINK_AGAIN}


@dataclass
class RenderedMessage:
    subject: str
    text: str
    html: str
    qr_png: bytes | None
    ics: bytes | None


def is_obsolete(message: OutboxMessage) -> bool:
    """A ticket message for a registration that is no longer confirmed would mislead: skip it.
    So would a reset link that was used or has expired by the time the mail goes out."""
    if message.kind == MailKind.PASSWORD_RESET:
        return not message.password_reset.is_usable(utcnow())
    if message.kind == MailKind.DOOR_INVITE:
        return not _door_staff(message).is_active
    registration = message.registration
    if message.kind in TICKET_KINDS and registration.event.status == EventStatus.CANCELLED:
        return True
    if message.kind == MailKind.LINK_AGAIN:
        return not registration.status.is_active
    return message.kind in TICKET_KINDS and registration.status != RegistrationStatus.CONFIRMED


def calendar_for(registration: Registration) -> bytes:
    event = registration.event
    return tickets.calendar_file(
        uid=f"registration-{registration.id}@eventsys",
        name=event.name,
        starts_at=event.local(event.starts_at),
        ends_at=event.local(event.ends_at),
        location=", ".join(part for part in (event.venue, event.address) if part),
        description=f"Your ticket: {public_url('registration.ticket_page', secret=manage_secret_of(registration))}",
        url=public_url("public.event_page", slug=event.slug),
    )


def _door_staff(message: OutboxMessage) -> DoorStaff:
    return db.session.get(DoorStaff, message.door_staff_id)


def _render_door_invite(message: OutboxMessage) -> RenderedMessage:
    context = {
        "event": message.event,
        "invite_url": public_url("door.accept_invitation", secret=invitation_secret(_door_staff(message))),
    }
    return RenderedMessage(
        subject=SUBJECTS[message.kind].format(event=message.event.name),
        text=render_template("mail/door_invite.txt", **context),
        html=render_template("mail/door_invite.html", **context),
        qr_png=None,
        ics=None,
    )


def _render_password_reset(message: OutboxMessage) -> RenderedMessage:
    reset = message.password_reset
    context = {
        "user": reset.user,
        "reset_url": public_url("auth.reset_password", secret=reset_secret_of(reset)),
        "minutes": int((reset.expires_at - reset.created_at).total_seconds() // 60),
        "forgot_url": public_url("auth.forgot_password"),
    }
    return RenderedMessage(
        subject=SUBJECTS[message.kind],
        text=render_template("mail/password_reset.txt", **context),
        html=render_template("mail/password_reset.html", **context),
        qr_png=None,
        ics=None,
    )


def render(message: OutboxMessage) -> RenderedMessage:
    if message.kind == MailKind.PASSWORD_RESET:
        return _render_password_reset(message)
    if message.kind == MailKind.DOOR_INVITE:
        return _render_door_invite(message)
    registration = message.registration
    event = registration.event
    with_ticket = registration.status == RegistrationStatus.CONFIRMED and message.kind in TICKET_KINDS
    context = {
        "kind": message.kind.value,
        "registration": registration,
        "event": event,
        "manage_url": public_url("registration.ticket_page", secret=manage_secret_of(registration)),
        "event_url": public_url("public.event_page", slug=event.slug),
        "position": waitlist_position(registration),
        "with_ticket": with_ticket,
    }
    # Rendered once as plain text: the HTML template escapes it like any other value.
    context["intro"] = render_template("mail/_intro.txt", **context)
    return RenderedMessage(
        subject=SUBJECTS[message.kind].format(event=event.name),
        text=render_template("mail/message.txt", **context),
        html=render_template("mail/message.html", **context),
        qr_png=tickets.qr_png(qr_payload_of(registration)) if with_ticket else None,
        ics=calendar_for(registration) if with_ticket else None,
    )


def build_email(message: OutboxMessage) -> EmailMessage:
    rendered = render(message)
    email = EmailMessage()
    email["Subject"] = rendered.subject
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="eventsys")
    email.set_content(rendered.text)
    email.add_alternative(rendered.html, subtype="html")
    if rendered.qr_png:
        html_part = email.get_payload()[1]
        html_part.add_related(rendered.qr_png, "image", "png", cid="<ticket-qr>", filename="ticket-qr.png")
    if rendered.ics:
        email.add_attachment(rendered.ics, maintype="text", subtype="calendar", filename="event.ics")
    return email
