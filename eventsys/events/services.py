"""The rules of events, ticket types and questions, shared by the organizer pages and the API."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from eventsys.auth.models import User
from eventsys.clubs.models import Club, ClubMember
from eventsys.clubs.roles import Permission, Role, may
from eventsys.clubs.services import clubs_of, find_club, record_in_trail, role_in_club, role_on_event
from eventsys.errors import (
    CapacityBelowRegistrations,
    Conflict,
    Forbidden,
    NotFound,
    ValidationFailed,
)
from eventsys.events.models import Event, EventAccess, EventStatus, Question, QuestionKind, TicketType
from eventsys.events.slugs import SLUG_PATTERN, slug_from_name
from eventsys.events.translations import (
    EVENT_TEXTS,
    QUESTION_TEXTS,
    TICKET_TYPE_TEXTS,
    Translations,
    checked_translations,
)
from eventsys.extensions import db
from eventsys.i18n import DEFAULT_LANGUAGE, LANGUAGES, LOCALES
from eventsys.mail.models import MailKind
from eventsys.mail.outbox import queue_mail
from eventsys.registration.models import ACTIVE_STATUSES, Registration
from eventsys.registration.services import promote_waitlist
from eventsys.registration.snapshot import EventSnapshot
from eventsys.text import event_status_label, single_line_problems
from eventsys.timeutil import DEFAULT_TIMEZONE, is_timezone, utcnow

SLUG_MAX = 80
DEFAULT_TICKET_TYPE = "General admission"  # stored as the organizer's content, in English (the contract names it)
DEFAULT_TICKET_TYPE_WORDS = _l("General admission")  # the catalogue's, for its name in the other languages
MAX_CAPACITY = 1_000_000  # one limit for the page and the API; far below what the integer column holds
DEFAULT_REMINDER_HOURS = 24
MAX_REMINDER_HOURS = 720  # 30 days
MAX_QUESTIONS = 100  # an event's form, and the public page that shows it, stay a sensible size
MAX_TICKET_TYPES = 50
MAX_OPTIONS = 200


@dataclass
class EventDetails:
    """Everything an organizer can set on an event, already parsed into Python values."""

    name: str
    starts_at: datetime
    ends_at: datetime
    timezone: str = "UTC"
    slug: str | None = None
    tagline: str = ""
    description: str = ""
    venue: str = ""
    address: str = ""
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    requires_approval: bool = False
    waitlist: bool = True
    reminder_hours_before: int | None = DEFAULT_REMINDER_HOURS
    access: EventAccess | str = EventAccess.PUBLIC  # invite_only: only invited people register
    translations: Translations | None = None  # {"zh-CN": {"name": …}} (translations.py); None: as they are

    @classmethod
    def of(cls, event: Event) -> EventDetails:
        return cls(**{name: getattr(event, name) for name in cls.__dataclass_fields__})


@dataclass
class QuestionDetails:
    label: str
    kind: QuestionKind | str
    required: bool = False
    options: list[str] = field(default_factory=list)
    help_text: str = ""
    on_badge: bool = False  # print its answer on the name badge
    translations: Translations | None = None  # None: as they are


# --- who may see and change what -------------------------------------------------------


def role_of(event: Event | EventSnapshot, user: User | None) -> Role | None:
    """``user``'s role on ``event``: on its club's team, or its creator when it has no club."""
    return role_on_event(event.owner_id, event.club_id, user.id if user is not None else None)


def can_view(event: Event | EventSnapshot, user: User | None) -> bool:
    return event.is_public or may(role_of(event, user), Permission.SEE_EVENT)


def can_manage(event: Event | EventSnapshot, user: User | None) -> bool:
    return may(role_of(event, user), Permission.EDIT_EVENT)


def is_well_formed_slug(slug: str) -> bool:
    """Could ``slug`` be an event's address at all (else there is nothing to look up)?"""
    return isinstance(slug, str) and len(slug) <= SLUG_MAX and bool(SLUG_PATTERN.match(slug))


def find_visible_event(slug: str, user: User | None) -> Event:
    """The event at ``slug`` if the caller may see it; a draft of someone else is not found."""
    event = db.session.scalar(select(Event).where(Event.slug == slug)) if is_well_formed_slug(slug) else None
    if event is None or not can_view(event, user):
        raise NotFound(_("No such event."))
    return event


def find_event_for(slug: str, user: User | None, permission: Permission) -> Event:
    """The event at ``slug`` if the caller may do ``permission`` on it (403 when they can only see it)."""
    event = find_visible_event(slug, user)
    if not may(role_of(event, user), permission):
        raise Forbidden(_("Only the event's organizer can change it."))
    return event


def find_managed_event(slug: str, user: User | None) -> Event:
    """The event at ``slug`` if the caller organizes it: its club's owner or a manager, or its creator."""
    return find_event_for(slug, user, Permission.EDIT_EVENT)


def upcoming_public_events() -> Select:
    return (
        select(Event)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at >= utcnow())
        .order_by(Event.starts_at, Event.id)
    )


def _worked_on_by(user: User) -> ColumnElement[bool]:
    """The events ``user`` has a role on: their own without a club, and their clubs' (as
    ``role_of`` says, in one condition)."""
    their_clubs = select(ClubMember.club_id).where(ClubMember.user_id == user.id, ClubMember.removed_at.is_(None))
    return or_(and_(Event.club_id.is_(None), Event.owner_id == user.id), Event.club_id.in_(their_clubs))


def events_owned_by(user: User) -> Select:
    """The events ``user`` works on (their own and their clubs'), newest first."""
    return select(Event).where(_worked_on_by(user)).order_by(Event.starts_at.desc(), Event.id.desc())


def clubs_with_events(limit: int = 100) -> list[tuple[Club, int]]:
    """The clubs that have published an event, by name, each with how many of its events are coming
    (a club nobody has run anything in yet stays off the home page)."""
    coming = func.count(Event.id).filter(Event.ends_at >= utcnow())
    rows = db.session.execute(
        select(Club, coming)
        .join(Event, Event.club_id == Club.id)
        .where(Event.status == EventStatus.PUBLISHED)
        .group_by(Club.id)
        .order_by(Club.name, Club.id)
        .limit(limit)
    )
    return [(club, count) for club, count in rows]


def club_timezone(club: Club) -> str:
    """The zone a club's times read in: its latest event's, else the default (Hangzhou's)."""
    zone = db.session.scalar(
        select(Event.timezone).where(Event.club_id == club.id).order_by(Event.starts_at.desc()).limit(1)
    )
    return zone or DEFAULT_TIMEZONE


def events_visible_to(user: User | None) -> Select:
    condition = Event.status == EventStatus.PUBLISHED
    if user is not None:
        condition = or_(condition, _worked_on_by(user))
    return select(Event).where(condition).order_by(Event.starts_at, Event.id)


# --- events ------------------------------------------------------------------------------


def _slug_taken(slug: str, except_id: int | None) -> bool:
    query = select(Event.id).where(Event.slug == slug)
    if except_id is not None:
        query = query.where(Event.id != except_id)
    return db.session.scalar(query) is not None


def unique_slug_from(name: str) -> str:
    """The address a new event named ``name`` gets when the organizer leaves it empty."""
    base = slug_from_name(name, max_length=SLUG_MAX - 6) or "event"
    candidate, number = base, 2
    while _slug_taken(candidate, None):
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def check_details(details: EventDetails, event: Event | None) -> dict[str, list[str]]:
    """What is wrong with ``details`` for ``event`` (None: a new one), by field; also used by editions.py."""
    errors: dict[str, list[str]] = {}
    for name, limit in (("name", 200), ("tagline", 300), ("venue", 200), ("address", 500)):
        empty = _("Enter a name.") if name == "name" else None
        if problems := single_line_problems(getattr(details, name), limit, empty):
            errors[name] = problems
    if details.slug:
        if len(details.slug) > SLUG_MAX or not SLUG_PATTERN.match(details.slug):
            errors["slug"] = [_("Use lower-case letters, digits and single hyphens (at most 80).")]
        elif _slug_taken(details.slug, event.id if event else None):
            errors["slug"] = [_("Another event already uses this address.")]
    if not is_timezone(details.timezone):
        errors["timezone"] = [_("Choose a time zone such as Asia/Shanghai.")]
    if details.ends_at <= details.starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    if details.capacity is not None and not 0 <= details.capacity <= MAX_CAPACITY:
        errors["capacity"] = [_("Enter 0 to %(max)s, or leave empty for no limit.", max=f"{MAX_CAPACITY:,}")]
    hours = details.reminder_hours_before
    if hours is not None and not 0 <= hours <= MAX_REMINDER_HOURS:
        errors["reminder_hours_before"] = [
            _("Enter 0 to %(max)s hours, or leave empty for no reminder.", max=MAX_REMINDER_HOURS)
        ]
    if details.access not in tuple(EventAccess):
        errors["access"] = [_("Use one of: %(choices)s.", choices=", ".join(EventAccess))]
    opens, closes = details.registration_opens_at, details.registration_closes_at
    if opens and closes and closes <= opens:
        errors["registration_closes_at"] = [_("Registration must close after it opens.")]
    if len(details.description) > 20_000:
        errors["description"] = [_("Use at most %(limit)s characters.", limit="20,000")]
    errors.update(checked_translations(details.translations, EVENT_TEXTS)[1])
    return errors


def _apply(event: Event, details: EventDetails, skip: tuple[str, ...] = ("slug",)) -> None:
    for name in EventDetails.__dataclass_fields__:
        if name not in (*skip, "translations"):
            setattr(event, name, getattr(details, name))
    event.access = EventAccess(details.access)
    event.name = details.name.strip()
    event.tagline = details.tagline.strip()
    event.venue = details.venue.strip()
    event.address = details.address.strip()
    if details.translations is not None:
        event.translations = checked_translations(details.translations, EVENT_TEXTS)[0]


def _default_ticket_type() -> TicketType:
    """The ticket type a new event starts with. Its name is content the organizer may change, so its
    other languages are stored as its translations (from the catalogue) rather than said by the page."""
    translations = {}
    for language in LANGUAGES.keys() - {DEFAULT_LANGUAGE}:
        with force_locale(LOCALES[language]):
            name = str(DEFAULT_TICKET_TYPE_WORDS)
        if name != DEFAULT_TICKET_TYPE:
            translations[language] = {"name": name}
    return TicketType(name=DEFAULT_TICKET_TYPE, capacity=None, position=0, translations=translations)


def _without_default_names(translations: Translations) -> Translations:
    """A renamed default ticket type's translations, less the default's own names (普通票 would no
    longer say what it is)."""
    default = _default_ticket_type().translations
    kept: Translations = {}
    for language, texts in translations.items():
        stale = default.get(language, {}).get("name")
        if rest := {field: text for field, text in texts.items() if not (field == "name" and text == stale)}:
            kept[language] = rest
    return kept


def club_for_new_event(user: User, club_slug: Any) -> Club:
    """The club ``user`` is creating an event in: they must be its owner or a manager."""
    if not isinstance(club_slug, str) or not club_slug:
        raise ValidationFailed({"club": [_("No such club.")]})
    try:
        club = find_club(club_slug)
    except NotFound:
        raise ValidationFailed({"club": [_("No such club.")]}) from None
    if not may(role_in_club(club.id, user.id), Permission.CREATE_EVENT):
        raise Forbidden(_("Only the club's owners and managers can create its events."))
    return club


def clubs_for_new_event(user: User) -> list[Club]:
    """The clubs ``user`` may create events in, by name."""
    return [club for club, role in clubs_of(user) if may(role, Permission.CREATE_EVENT)]


def club_events(club: Club, cancelled_upcoming: bool = False) -> tuple[Select, Select]:
    """A club's published events still to end (soonest first; with ``cancelled_upcoming`` the
    cancelled ones too, as the club's page shows them) and those past (latest first)."""
    now = utcnow()
    published = select(Event).where(Event.club_id == club.id, Event.status == EventStatus.PUBLISHED)
    coming = (EventStatus.PUBLISHED, EventStatus.CANCELLED) if cancelled_upcoming else (EventStatus.PUBLISHED,)
    upcoming = (
        select(Event)
        .where(Event.club_id == club.id, Event.status.in_(coming), Event.ends_at >= now)
        .order_by(Event.starts_at, Event.id)
    )
    past = published.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    return upcoming, past


def create_event(
    owner: User, details: EventDetails, status: EventStatus = EventStatus.DRAFT, club: Club | None = None
) -> Event:
    """Create an event with one ticket type, `General admission`, with no limit of its own; in
    ``club`` (see ``club_for_new_event``), else its creator's alone."""
    errors = check_details(details, None)
    if status == EventStatus.CANCELLED:
        errors["status"] = [_("A new event is draft or published.")]
    if errors:
        raise ValidationFailed(errors)
    event = Event(owner_id=owner.id, status=status, slug=details.slug or unique_slug_from(details.name))
    event.club_id = club.id if club is not None else None
    _apply(event, details)
    event.ticket_types.append(_default_ticket_type())
    db.session.add(event)
    _flush_slug(event)
    record_in_trail(owner, "event.created", club_id=event.club_id, event_id=event.id, event=event.name)
    db.session.commit()
    return event


def commit_slug(event: Event) -> None:
    _flush_slug(event)
    db.session.commit()


def _flush_slug(event: Event) -> None:
    """Write the change now; another event that took the same address a moment ago is a field error."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise ValidationFailed({"slug": [_("Another event already uses this address.")]}) from None


def update_event(
    event: Event, details: EventDetails, status: EventStatus | None = None, by: User | None = None
) -> Event:
    """Change an event (and its status) in one transaction; a capacity raised gives the freed
    seats to the waitlist at once. A status the event cannot take refuses the whole change.
    ``by``: who changes it, for the club's trail (and only an owner may cancel)."""
    if errors := check_details(details, event):
        raise ValidationFailed(errors)
    if status is not None:
        _check_transition(event, status, by)
    before = EventDetails.of(event).__dict__
    changed = sorted(name for name, value in details.__dict__.items() if value != before.get(name))
    if details.capacity is not None and details.capacity < event.seats_taken:
        raise CapacityBelowRegistrations(
            _("%(num)d seats are already taken; the capacity cannot be lower.", num=event.seats_taken)
        )
    if details.slug:
        event.slug = details.slug
    _apply(event, details, skip=("slug", "capacity"))
    if status is not None:
        _set_status(event, status, by)
    event_id, capacity_before = event.id, event.capacity
    if changed:
        record_in_trail(by, "event.updated", club_id=event.club_id, event_id=event_id, event=event.name, fields=changed)
    _flush_slug(event)
    _set_capacity(Event, event_id, details.capacity)
    if details.capacity != capacity_before:
        _promote_waitlist(event_id)
    return event


def _promote_waitlist(event_id: int) -> None:
    """Give seats a raised capacity freed to the waitlist; the seat counts the session holds are then stale."""
    if promote_waitlist(event_id):
        db.session.expire_all()


def _set_capacity(model: type[Event] | type[TicketType], row_id: int, capacity: int | None) -> None:
    """Set a capacity and commit, unless registrations took more seats meanwhile (checked atomically)."""
    statement = update(model).where(model.id == row_id).values(capacity=capacity)
    if capacity is not None:
        statement = statement.where(model.seats_taken <= capacity)
    if not db.session.execute(statement.execution_options(synchronize_session=False)).rowcount:
        db.session.rollback()
        raise CapacityBelowRegistrations(_("Seats were taken meanwhile; the capacity cannot be that low."))
    db.session.commit()


def change_status(event: Event, target: EventStatus, by: User | None = None) -> Event:
    """Publish, unpublish (back to draft) or cancel an event, as its status allows."""
    _check_transition(event, target, by)
    _set_status(event, target, by)
    db.session.commit()
    return event


def _check_transition(event: Event, target: EventStatus, by: User | None) -> None:
    cancelling = target == EventStatus.CANCELLED and event.status != target
    if cancelling and by is not None and not may(role_of(event, by), Permission.CANCEL_EVENT):
        raise Forbidden(_("Only the club's owners can cancel its events."))
    if event.status != target and not event.status.can_become(target):
        raise Conflict(
            _(
                "A %(current)s event cannot become %(target)s.",
                current=event_status_label(event.status),
                target=event_status_label(target),
            )
        )


def _set_status(event: Event, target: EventStatus, by: User | None = None) -> None:
    """Set the status in the session's transaction; cancelling queues word to everyone registered."""
    if event.status == target:
        return
    record_in_trail(by, f"event.{target.value}", club_id=event.club_id, event_id=event.id, event=event.name)
    event.status = target
    if target == EventStatus.CANCELLED:
        _tell_everyone_registered(event)


def _tell_everyone_registered(event: Event) -> None:
    """Queue "the event is cancelled" for every active registration, in the cancelling transaction."""
    active = db.session.execute(
        select(Registration.id, Registration.email).where(
            Registration.event_id == event.id, Registration.status.in_(ACTIVE_STATUSES)
        )
    ).all()
    for registration_id, email in active:
        queue_mail(db.session, MailKind.EVENT_CANCELLED, email, event_id=event.id, registration_id=registration_id)


# --- ticket types ---------------------------------------------------------------------------


def _record_on_event(by: User | None, action: str, event: Event, **details: Any) -> None:
    """Note a change of ``event``'s ticket types or questions in its club's trail."""
    record_in_trail(by, action, club_id=event.club_id, event_id=event.id, event=event.name, **details)


def _check_ticket_type(
    name: str, capacity: int | None, description: str, translations: Translations | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = dict(checked_translations(translations, TICKET_TYPE_TEXTS)[1])
    if problems := single_line_problems(name, 120, _("Enter a name.")):
        errors["name"] = problems
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [_("Enter 0 to %(max)s, or leave empty for no limit.", max=f"{MAX_CAPACITY:,}")]
    if len(description) > 5000:
        errors["description"] = [_("Use at most %(limit)s characters.", limit="5,000")]
    return errors


def add_ticket_type(
    event: Event,
    name: str,
    capacity: int | None = None,
    description: str = "",
    translations: Translations | None = None,
    by: User | None = None,
) -> TicketType:
    if errors := _check_ticket_type(name, capacity, description, translations):
        raise ValidationFailed(errors)
    if len(event.ticket_types) >= MAX_TICKET_TYPES:
        message = _("An event has at most %(num)d ticket types.", num=MAX_TICKET_TYPES)
        raise ValidationFailed({"ticket_types": [message]})
    position = max((t.position for t in event.ticket_types), default=-1) + 1
    ticket_type = TicketType(name=name.strip(), capacity=capacity, description=description.strip(), position=position)
    ticket_type.translations = checked_translations(translations, TICKET_TYPE_TEXTS)[0]
    event.ticket_types.append(ticket_type)
    _record_on_event(by, "ticket_type.added", event, name=ticket_type.name)
    db.session.commit()
    return ticket_type


def update_ticket_type(
    ticket_type: TicketType,
    name: str,
    capacity: int | None,
    description: str = "",
    translations: Translations | None = None,
    by: User | None = None,
) -> TicketType:
    """Change a ticket type; ``translations`` None keeps its translations as they are."""
    if errors := _check_ticket_type(name, capacity, description, translations):
        raise ValidationFailed(errors)
    if capacity is not None and capacity < ticket_type.seats_taken:
        raise CapacityBelowRegistrations(
            _("%(num)d seats of this type are taken; the capacity cannot be lower.", num=ticket_type.seats_taken)
        )
    before = _ticket_type_fields(ticket_type)
    if translations is not None:
        ticket_type.translations = checked_translations(translations, TICKET_TYPE_TEXTS)[0]
    elif ticket_type.name == DEFAULT_TICKET_TYPE != name.strip():
        ticket_type.translations = _without_default_names(ticket_type.translations or {})
    ticket_type.name, ticket_type.description = name.strip(), description.strip()
    after = {**_ticket_type_fields(ticket_type), "capacity": capacity}
    if changed := [field for field, value in after.items() if value != before[field]]:
        _record_on_event(by, "ticket_type.updated", ticket_type.event, name=ticket_type.name, fields=changed)
    ticket_type_id, event_id, capacity_before = ticket_type.id, ticket_type.event_id, ticket_type.capacity
    _set_capacity(TicketType, ticket_type_id, capacity)
    if capacity != capacity_before:
        _promote_waitlist(event_id)
    return ticket_type


def _ticket_type_fields(ticket_type: TicketType) -> dict[str, Any]:
    """What a change of a ticket type is compared on, for the trail, in the form's order."""
    return {
        "name": ticket_type.name,
        "capacity": ticket_type.capacity,
        "description": ticket_type.description,
        "translations": ticket_type.translations or {},
    }


def delete_ticket_type(ticket_type: TicketType, by: User | None = None) -> None:
    event = ticket_type.event
    if len(event.ticket_types) <= 1:
        raise Conflict(_("An event needs at least one ticket type."))
    if ticket_type.seats_taken or _has_registrations(ticket_type):
        raise Conflict(_("People registered with this ticket type; it cannot be deleted."))
    event.ticket_types.remove(ticket_type)
    _record_on_event(by, "ticket_type.deleted", event, name=ticket_type.name)
    db.session.commit()


def _has_registrations(ticket_type: TicketType) -> bool:
    return db.session.scalar(select(exists().where(Registration.ticket_type_id == ticket_type.id)))


def find_ticket_type(event: Event, ticket_type_id: int) -> TicketType:
    for ticket_type in event.ticket_types:
        if ticket_type.id == ticket_type_id:
            return ticket_type
    raise NotFound(_("No such ticket type."))


# --- questions --------------------------------------------------------------------------------


def _clean_question(details: QuestionDetails) -> QuestionDetails:
    errors: dict[str, list[str]] = {}
    label = details.label.strip()
    if problems := single_line_problems(label, 300, _("Enter the question.")):
        errors["label"] = problems
    try:
        kind = QuestionKind(details.kind)
    except ValueError:
        kind = None
        errors["kind"] = [_("Choose one of: %(choices)s.", choices=", ".join(k.value for k in QuestionKind))]
    options = [option.strip() for option in details.options if option.strip()]
    if kind is not None and kind.has_options:
        if not options:
            errors["options"] = [_("Give at least one option.")]
        elif len(set(options)) != len(options):
            errors["options"] = [_("Each option may appear only once.")]
        elif len(options) > MAX_OPTIONS or any(single_line_problems(option, 200) for option in options):
            errors["options"] = [
                _("Use at most %(num)d options, each one line of at most 200 characters.", num=MAX_OPTIONS)
            ]
    else:
        options = []
    if problems := single_line_problems(details.help_text, 500):
        errors["help_text"] = problems
    translations, problems = checked_translations(details.translations, QUESTION_TEXTS, options)
    errors.update(problems)
    if details.translations is None:
        translations = None
    if errors:
        raise ValidationFailed(errors)
    return QuestionDetails(
        label, kind, bool(details.required), options, details.help_text.strip(), bool(details.on_badge), translations
    )


def add_question(event: Event, details: QuestionDetails, by: User | None = None) -> Question:
    clean = _clean_question(details)
    if len(event.questions) >= MAX_QUESTIONS:
        raise ValidationFailed({"questions": [_("An event has at most %(num)d questions.", num=MAX_QUESTIONS)]})
    position = max((q.position for q in event.questions), default=-1) + 1
    question = Question(
        label=clean.label.strip(),
        kind=clean.kind,
        required=clean.required,
        options=clean.options,
        help_text=clean.help_text,
        on_badge=clean.on_badge,
        position=position,
        translations=clean.translations or {},
    )
    event.questions.append(question)
    _record_on_event(by, "question.added", event, label=question.label)
    db.session.commit()
    return question


def _question_fields(question: Question) -> dict[str, Any]:
    """What a change of a question is compared on, for the trail, in the form's order."""
    return {
        "label": question.label,
        "kind": question.kind,
        "options": list(question.options or []),
        "required": question.required,
        "help_text": question.help_text,
        "on_badge": question.on_badge,
        "translations": question.translations or {},
    }


def update_question(question: Question, details: QuestionDetails, by: User | None = None) -> Question:
    clean = _clean_question(details)
    before = _question_fields(question)
    question.label, question.kind, question.required = clean.label.strip(), clean.kind, clean.required
    question.options, question.help_text, question.on_badge = clean.options, clean.help_text, clean.on_badge
    if clean.translations is not None:
        question.translations = clean.translations
    after = _question_fields(question)
    if changed := [field for field, value in after.items() if value != before[field]]:
        _record_on_event(by, "question.updated", question.event, label=question.label, fields=changed)
    db.session.commit()
    return question


def delete_question(question: Question, by: User | None = None) -> None:
    event = question.event
    event.questions.remove(question)
    _record_on_event(by, "question.deleted", event, label=question.label)
    db.session.commit()


def move_question(question: Question, offset: int, by: User | None = None) -> None:
    """Move a question up (-1) or down (+1) in the form; positions are renumbered 0..n-1."""
    questions = list(question.event.questions)
    index = questions.index(question)
    target = min(max(index + offset, 0), len(questions) - 1)
    questions.insert(target, questions.pop(index))
    for position, item in enumerate(questions):
        item.position = position
    if target != index:
        _record_on_event(by, "question.moved", question.event, label=question.label)
    db.session.commit()


def find_question(event: Event, question_id: int) -> Question:
    for question in event.questions:
        if question.id == question_id:
            return question
    raise NotFound(_("No such question."))
