"""Rendering an outbox entry into an e-mail, when it is sent: text and HTML, QR inline, .ics attached."""

from __future__ import annotations

import re
import secrets
import sys
from collections.abc import Collection
from dataclasses import dataclass
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale, gettext
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from eventsys.auth.models import PasswordReset
from eventsys.clubs.models import INVITATION_LIFETIME, ClubMember
from eventsys.events.models import EventStatus
from eventsys.extensions import db
from eventsys.i18n import DEFAULT_LANGUAGE, LOCALES, language_tag
from eventsys.mail.models import MailKind, OrganizerMessage, OutboxMessage
from eventsys.registration import tickets
from eventsys.registration.models import Invitation, Registration, RegistrationStatus
from eventsys.registration.services import waitlist_position
from eventsys.registration.tickets import (
    event_invitation_secret_of,
    invitation_secret,
    manage_secret_of,
    qr_payload_of,
    reset_secret_of,
    team_invitation_secret,
)
from eventsys.timeutil import utcnow
from eventsys.urls import public_url

SUBJECTS = {
    MailKind.CONFIRMED: _l("Your ticket for %(event)s"),
    MailKind.WAITLISTED: _l("You are on the waiting list for %(event)s"),
    MailKind.PENDING_APPROVAL: _l("We received your registration for %(event)s"),
    MailKind.PROMOTED: _l("A seat opened up: your ticket for %(event)s"),
    MailKind.APPROVED: _l("You are in: your ticket for %(event)s"),
    MailKind.REJECTED: _l("Your registration for %(event)s"),
    MailKind.CANCELLED: _l("Your registration for %(event)s is cancelled"),
    MailKind.LINK_AGAIN: _l("Your registration for %(event)s"),
    MailKind.DOOR_INVITE: _l("You are invited to check people in at %(event)s"),
    MailKind.EVENT_CANCELLED: _l("%(event)s is cancelled"),
    MailKind.PASSWORD_RESET: _l("Reset your eventsys password"),
    MailKind.REMINDER: _l("Reminder: your ticket for %(event)s"),
    MailKind.TEAM_INVITE: _l("Join the team of %(club)s"),
    MailKind.INVITATION: _l("You are invited to %(event)s"),
}
PLACEHOLDER = re.compile(r"\{(name|ticket_url)\}")  # any other {…} stays as the organizer typed it
TICKET_KINDS = {MailKind.CONFIRMED, MailKind.PROMOTED, MailKind.APPROVED, MailKind.LINK_AGAIN, MailKind.REMINDER}


@dataclass
class RenderedMessage:
    subject: str
    text: str
    html: str
    qr_png: bytes | None
    ics: bytes | None


def load_batch(ids: Collection[int]) -> list[OutboxMessage]:
    """The outbox rows ``ids``, oldest first, with all that rendering them reads (registrations,
    their events and ticket types, organizer messages, password resets and their users, door
    staff, team places and their clubs, invitations and their events): one query for each kind of
    row, whatever the number of messages, none per message."""
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.id)
            .options(
                selectinload(OutboxMessage.registration).options(
                    selectinload(Registration.event), selectinload(Registration.ticket_type)
                ),
                selectinload(OutboxMessage.event),
                selectinload(OutboxMessage.message),
                selectinload(OutboxMessage.password_reset).selectinload(PasswordReset.user),
                selectinload(OutboxMessage.door_staff),
                selectinload(OutboxMessage.club_member).selectinload(ClubMember.club),
                selectinload(OutboxMessage.invitation).selectinload(Invitation.event),
            )
        )
    )


def is_obsolete(message: OutboxMessage) -> bool:
    """A ticket message for a registration that is no longer confirmed would mislead: skip it.
    So would a reset link that was used or has expired by the time the mail goes out, or a
    reminder that would arrive after the start."""
    if message.kind == MailKind.PASSWORD_RESET:
        return not message.password_reset.is_usable(utcnow())
    if message.kind == MailKind.DOOR_INVITE:
        return not message.door_staff.is_active
    if message.kind == MailKind.TEAM_INVITE:
        return message.club_member.status != "invited"  # withdrawn, taken or expired meanwhile
    if message.kind == MailKind.INVITATION:  # they registered meanwhile, or there is nothing to come to
        return message.invitation.registration_id is not None or message.event.status == EventStatus.CANCELLED
    registration = message.registration
    if message.kind in TICKET_KINDS and registration.event.status == EventStatus.CANCELLED:
        return True
    if message.kind == MailKind.LINK_AGAIN:
        return not registration.status.is_active
    if message.kind == MailKind.REMINDER and utcnow() >= registration.event.starts_at:
        return True  # queued while no mail server was set, say: too late to remind anyone
    return message.kind in TICKET_KINDS and registration.status != RegistrationStatus.CONFIRMED


def calendar_for(registration: Registration) -> bytes:
    event = registration.event
    return tickets.calendar_file(
        uid=f"registration-{registration.id}@eventsys",
        name=event.translated("name"),
        starts_at=event.local(event.starts_at),
        ends_at=event.local(event.ends_at),
        location=", ".join(part for part in (event.translated("venue"), event.translated("address")) if part),
        description=gettext(
            "Your ticket: %(url)s", url=public_url("registration.ticket_page", secret=manage_secret_of(registration))
        ),
        url=public_url("public.event_page", slug=event.slug),
    )


def _render_door_invite(message: OutboxMessage, common: dict[str, str]) -> RenderedMessage:
    context = {
        **common,
        "event": message.event,
        "invite_url": public_url("door.accept_invitation", secret=invitation_secret(message.door_staff)),
    }
    return RenderedMessage(
        subject=_subject(message.kind, message.event.translated("name")),
        text=render_template("mail/door_invite.txt", **context),
        html=render_template("mail/door_invite.html", **context),
        qr_png=None,
        ics=None,
    )


def _render_team_invite(message: OutboxMessage, common: dict[str, str]) -> RenderedMessage:
    member = message.club_member
    context = {
        **common,
        "club": member.club,
        "role": member.role,
        "join_url": public_url("clubs.join", token=team_invitation_secret(member)),
        "days": INVITATION_LIFETIME.days,
    }
    return RenderedMessage(
        subject=str(SUBJECTS[message.kind]) % {"club": member.club.name},
        text=render_template("mail/team_invite.txt", **context),
        html=render_template("mail/team_invite.html", **context),
        qr_png=None,
        ics=None,
    )


def invitation_url(invitation: Invitation) -> str:
    """An invitee's personal registration link: the event page with their secret."""
    secret = event_invitation_secret_of(invitation)
    return public_url("public.event_page", slug=invitation.event.slug, invitation=secret) + "#register"


def _render_invitation(message: OutboxMessage, common: dict[str, str]) -> RenderedMessage:
    invitation = message.invitation
    event = invitation.event
    context = {**common, "event": event, "invitation": invitation, "register_url": invitation_url(invitation)}
    return RenderedMessage(
        subject=_subject(message.kind, event.translated("name")),
        text=render_template("mail/invitation.txt", **context),
        html=render_template("mail/invitation.html", **context),
        qr_png=None,
        ics=None,
    )


def _render_password_reset(message: OutboxMessage, common: dict[str, str]) -> RenderedMessage:
    reset = message.password_reset
    context = {
        **common,
        "user": reset.user,
        "reset_url": public_url("auth.reset_password", secret=reset_secret_of(reset)),
        "minutes": int((reset.expires_at - reset.created_at).total_seconds() // 60),
        "forgot_url": public_url("auth.forgot_password"),
    }
    return RenderedMessage(
        subject=str(SUBJECTS[message.kind]),
        text=render_template("mail/password_reset.txt", **context),
        html=render_template("mail/password_reset.html", **context),
        qr_png=None,
        ics=None,
    )


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """``{name}`` and ``{ticket_url}`` replaced by the recipient's; not str.format, which would
    read ``{0.__class__}`` or a lone brace in what an organizer wrote."""
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], text)


def as_html_paragraphs(text: str) -> Markup:
    """Plain text as HTML: escaped, blank lines between paragraphs, line breaks kept."""
    paragraphs = [part for part in re.split(r"\n\s*\n", text) if part.strip()]
    return Markup("\n").join(
        Markup("<p>%s</p>") % Markup("<br>\n").join(escape(line) for line in part.strip("\n").split("\n"))
        for part in paragraphs
    )


def render_organizer_message(message: OrganizerMessage, registration: Registration) -> RenderedMessage:
    """An organizer's message as ``registration`` reads it: in its language (the Chinese version
    when there is one), placeholders filled, the event's name and their own ticket link at the end."""
    language = language_tag(registration.locale) or DEFAULT_LANGUAGE
    with force_locale(LOCALES[language]):
        return _render_organizer_message(message, registration, {"mail_language": language})


def _render_organizer_message(
    message: OrganizerMessage, registration: Registration, common: dict[str, str]
) -> RenderedMessage:
    language = common["mail_language"]
    ticket_url = public_url("registration.ticket_page", secret=manage_secret_of(registration))
    values = {"name": registration.name, "ticket_url": ticket_url}
    body = fill_placeholders(message.translated("body", language), values)
    context = {
        **common,
        "event": registration.event,
        "body": body,
        "body_html": as_html_paragraphs(body),
        "manage_url": ticket_url,
    }
    return RenderedMessage(
        subject=fill_placeholders(message.translated("subject", language), values),
        text=render_template("mail/organizer_message.txt", **context),
        html=render_template("mail/organizer_message.html", **context),
        qr_png=None,
        ics=None,
    )


def _subject(kind: MailKind, event_name: str) -> str:
    return str(SUBJECTS[kind]) % {"event": event_name}


def mail_language(message: OutboxMessage) -> str:
    """The language a message is written in: its attendee's (the registration's ``locale``); mail
    to an account (a password reset, a door invitation) in the one of the page that asked for it."""
    if message.registration is not None:
        return language_tag(message.registration.locale) or DEFAULT_LANGUAGE
    return language_tag(message.locale) or DEFAULT_LANGUAGE


def render(message: OutboxMessage) -> RenderedMessage:
    """The message as its reader gets it, every word and date in their language."""
    language = mail_language(message)
    with force_locale(LOCALES[language]):
        return _render_in(message, {"mail_language": language})


def _render_in(message: OutboxMessage, common: dict[str, str]) -> RenderedMessage:
    if message.kind == MailKind.PASSWORD_RESET:
        return _render_password_reset(message, common)
    if message.kind == MailKind.DOOR_INVITE:
        return _render_door_invite(message, common)
    if message.kind == MailKind.TEAM_INVITE:
        return _render_team_invite(message, common)
    if message.kind == MailKind.INVITATION:
        return _render_invitation(message, common)
    if message.kind == MailKind.MESSAGE:
        return _render_organizer_message(message.message, message.registration, common)
    registration = message.registration
    event = registration.event
    with_ticket = registration.status == RegistrationStatus.CONFIRMED and message.kind in TICKET_KINDS
    context = {
        **common,
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
        subject=_subject(message.kind, event.translated("name")),
        text=render_template("mail/message.txt", **context),
        html=render_template("mail/message.html", **context),
        qr_png=tickets.qr_png(qr_payload_of(registration)) if with_ticket else None,
        ics=calendar_for(registration) if with_ticket else None,
    )


class _HeaderClasses(HeaderRegistry):
    """The email library's header classes, each made once: HeaderRegistry makes a new class every
    time it is asked for one (some 60 µs; a ticket e-mail asks 30 times, built and sent)."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        key = name.lower()
        if (made := self._made.get(key)) is None:
            made = self._made[key] = super().__getitem__(name)
        return made


MAIL_POLICY = default_policy.clone(header_factory=_HeaderClasses())


def _boundary(*texts: str) -> str:
    """A multipart boundary like the email library's own, which otherwise tests each of its random
    ones against the encoded parts with a regular expression compiled anew (a millisecond a part).
    Only the text and the HTML hold anyone's words; the base64 and quoted-printable encodings
    never hold two '=' in a row, so a boundary found in neither cannot occur in the message."""
    while True:
        boundary = f"{'=' * 15}{secrets.randbelow(sys.maxsize):019d}=="
        if not any(boundary in text for text in texts):
            return boundary


def build_email(message: OutboxMessage) -> EmailMessage:
    rendered = render(message)
    email = EmailMessage(policy=MAIL_POLICY)
    email["Subject"] = rendered.subject
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = make_msgid(domain="eventsys")
    email.set_content(rendered.text)
    # Each multipart made with its boundary up front (see _boundary); add_* then only adds.
    email.make_alternative(boundary=_boundary(rendered.text, rendered.html))
    email.add_alternative(rendered.html, subtype="html")
    if rendered.qr_png:
        html_part = email.get_payload()[1]
        html_part.make_related(boundary=_boundary(rendered.text, rendered.html))
        html_part.add_related(rendered.qr_png, "image", "png", cid="<ticket-qr>", filename="ticket-qr.png")
    if rendered.ics:
        email.make_mixed(boundary=_boundary(rendered.text, rendered.html))
        # UTF-8 said out loud: a Chinese event name or line otherwise reads as mojibake.
        email.add_attachment(
            rendered.ics, maintype="text", subtype="calendar", filename="event.ics", params={"charset": "utf-8"}
        )
    return email
