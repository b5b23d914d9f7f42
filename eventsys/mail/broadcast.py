"""An organizer's message to an event's attendees (all confirmed, or a filtered few).

The recipients are the attendee list's filter (registration/listing.py), less those without an
address. Sending writes the message and one outbox row per recipient in one transaction; each
row is rendered when it goes out, in its recipient's language (mail/messages.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from eventsys.auth.models import User
from eventsys.errors import ValidationFailed
from eventsys.events.models import Event, TicketType
from eventsys.events.services import find_managed_event
from eventsys.extensions import db
from eventsys.i18n import DEFAULT_LANGUAGE, language_tag
from eventsys.mail.messages import RenderedMessage, render_organizer_message
from eventsys.mail.models import MailKind, OrganizerMessage, OutboxMessage, OutboxStatus
from eventsys.mail.outbox import queue_mail_to_many
from eventsys.registration import listing
from eventsys.registration.listing import AttendeeFilter
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.text import single_line_problems

SUBJECT_MAX = 200
BODY_MAX = 20_000
CHINESE = "zh-CN"


@dataclass(frozen=True)
class Recipients:
    """Who gets a message: any of ``statuses``, of one ticket type, checked in or not (None: either)."""

    statuses: tuple[RegistrationStatus, ...] = (RegistrationStatus.CONFIRMED,)
    ticket_type_id: int | None = None
    checked_in: bool | None = None

    def as_filter(self) -> AttendeeFilter:
        return AttendeeFilter(
            statuses=self.statuses, ticket_type_id=self.ticket_type_id, checked_in=self.checked_in
        )

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"status": [status.value for status in self.statuses]}
        if self.ticket_type_id is not None:
            shown["ticket_type"] = self.ticket_type_id
        if self.checked_in is not None:
            shown["checked_in"] = self.checked_in
        return shown


@dataclass(frozen=True)
class Draft:
    """A message as the organizer wrote it; ``translations``: {"zh-CN": {"subject", "body"}}."""

    subject: str
    body: str
    translations: dict[str, dict[str, str]] = field(default_factory=dict)
    to: Recipients = Recipients()


@dataclass
class Preview:
    recipients: int
    first: RenderedMessage | None  # the mail the first recipient would get, in their language
    first_name: str = ""
    first_language: str = ""


@dataclass
class SentMessage:
    """A row of the sent list: the message and what became of its mail."""

    message: OrganizerMessage
    sent: int
    failed: int


def managed_event(slug: str, user: User | None) -> Event:
    """The event whose attendees ``user`` may write to: today, its organizer. The one place to
    widen when clubs give an event owners and managers."""
    return find_managed_event(slug, user)


def read_recipients(
    event: Event, statuses: list[str] | None, ticket_type_id: int | None, checked_in: bool | None
) -> Recipients:
    """Recipients from what a form or the API sent; every problem at once (ValidationFailed)."""
    errors: dict[str, list[str]] = {}
    chosen: list[RegistrationStatus] = []
    for raw in statuses or []:
        try:
            chosen.append(RegistrationStatus(raw))
        except ValueError:
            choices = ", ".join(status.value for status in RegistrationStatus)
            errors["to.status"] = [_("Use one of: %(choices)s.", choices=choices)]
    if statuses is not None and not statuses:
        errors["to.status"] = [_("Choose at least one status.")]
    if ticket_type_id is not None and not _is_ticket_type_of(event, ticket_type_id):
        errors["to.ticket_type"] = [_("No such ticket type in this event.")]
    if errors:
        raise ValidationFailed(errors)
    return Recipients(
        statuses=tuple(dict.fromkeys(chosen)) or (RegistrationStatus.CONFIRMED,),
        ticket_type_id=ticket_type_id,
        checked_in=checked_in,
    )


def _is_ticket_type_of(event: Event, ticket_type_id: int) -> bool:
    if not 0 < ticket_type_id < 2**31:  # past what the database's integer holds: no such row
        return False
    return db.session.scalar(
        select(TicketType.id).where(TicketType.id == ticket_type_id, TicketType.event_id == event.id)
    ) is not None


def check_draft(draft: Draft) -> Draft:
    """The draft with its texts tidied (line breaks as ``\\n``), or every problem (ValidationFailed)."""
    texts = {"subject": draft.subject, "body": draft.body, **_chinese_texts(draft)}
    errors = {name: problems for name, text in texts.items() if (problems := _text_problems(name, text))}
    if errors:
        raise ValidationFailed(errors)
    chinese = {
        name: _tidy(texts[f"translations.{CHINESE}.{name}"])
        for name in ("subject", "body")
        if texts.get(f"translations.{CHINESE}.{name}", "").strip()
    }
    return Draft(
        subject=draft.subject.strip(),
        body=_tidy(draft.body),
        translations={CHINESE: chinese} if chinese else {},
        to=draft.to,
    )


def _text_problems(name: str, text: str) -> list[str]:
    """A subject is one line; a body keeps its line breaks. The originals are required, and no
    text may hold NUL (PostgreSQL's text cannot)."""
    required = "." not in name
    if "\x00" in text:
        return [_("Contains characters that are not allowed (NUL or invalid Unicode).")]
    if name.endswith("subject"):
        return single_line_problems(text, SUBJECT_MAX, _("Write a subject.") if required else None)
    if required and not text.strip():
        return [_("Write the message.")]
    if len(text) > BODY_MAX:
        return [_("Use at most %(limit)s characters.", limit=f"{BODY_MAX:,}")]
    return []


def _chinese_texts(draft: Draft) -> dict[str, str]:
    version = draft.translations.get(CHINESE) or {}
    return {f"translations.{CHINESE}.{name}": version.get(name) or "" for name in ("subject", "body")}


def _tidy(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def message_recipients(event: Event, to: Recipients) -> Select:
    """The registrations a message to ``to`` reaches, oldest first: those with an address."""
    return listing.attendees(event.id, to.as_filter()).where(
        Registration.email.isnot(None), Registration.email != ""
    )


def recipient_count(event: Event, to: Recipients) -> int:
    query = message_recipients(event, to).order_by(None).with_only_columns(func.count())
    return db.session.scalar(query)


def _as_message(event: Event, draft: Draft, user: User | None) -> OrganizerMessage:
    return OrganizerMessage(
        event_id=event.id,
        subject=draft.subject,
        body=draft.body,
        translations=draft.translations,
        recipients_filter=draft.to.as_json(),
        created_by_id=user.id if user else None,
    )


def preview_message(event: Event, draft: Draft) -> Preview:
    """How many would get the message, and the mail the first of them would read; nothing is sent."""
    draft = check_draft(draft)
    count = recipient_count(event, draft.to)
    first = db.session.scalars(message_recipients(event, draft.to).limit(1)).first()
    if first is None:
        return Preview(recipients=count, first=None)
    rendered = render_organizer_message(_as_message(event, draft, None), first)
    return Preview(count, rendered, first.name, language_tag(first.locale) or DEFAULT_LANGUAGE)


def send_message(event: Event, draft: Draft, user: User | None) -> OrganizerMessage:
    """Write the message and queue it to every recipient, in one transaction; nobody: 422."""
    draft = check_draft(draft)
    message = _as_message(event, draft, user)
    db.session.add(message)
    db.session.flush()
    recipients = message_recipients(event, draft.to).order_by(None).with_only_columns(
        Registration.id, Registration.email
    )
    message.recipients = queue_mail_to_many(db.session, recipients, event_id=event.id, message_id=message.id)
    if not message.recipients:
        db.session.rollback()
        raise ValidationFailed({"to": [_("Nobody matches these recipients.")]})
    db.session.commit()
    return message


def sent_messages(event: Event) -> list[SentMessage]:
    """The event's messages, newest first, each with its mail sent and failed: two queries."""
    messages = db.session.scalars(
        select(OrganizerMessage)
        .where(OrganizerMessage.event_id == event.id)
        .order_by(OrganizerMessage.created_at.desc(), OrganizerMessage.id.desc())
    ).all()
    counts: dict[tuple[int, OutboxStatus], int] = {
        (message_id, status): number
        for message_id, status, number in db.session.execute(
            select(OutboxMessage.message_id, OutboxMessage.status, func.count())
            .where(
                OutboxMessage.event_id == event.id,
                OutboxMessage.kind == MailKind.MESSAGE,
                OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
            )
            .group_by(OutboxMessage.message_id, OutboxMessage.status)
        )
    }
    return [
        SentMessage(m, counts.get((m.id, OutboxStatus.SENT), 0), counts.get((m.id, OutboxStatus.FAILED), 0))
        for m in messages
    ]
