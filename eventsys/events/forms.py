from __future__ import annotations

from datetime import datetime
from typing import ClassVar, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from eventsys.events.editions import next_edition_name, next_edition_start
from eventsys.events.models import Event, EventAccess, Question, QuestionKind, Translated
from eventsys.events.services import (
    DEFAULT_REMINDER_HOURS,
    MAX_CAPACITY,
    MAX_REMINDER_HOURS,
    SLUG_MAX,
    EventDetails,
    QuestionDetails,
)
from eventsys.events.translations import EVENT_TEXTS, QUESTION_TEXTS, TICKET_TYPE_TEXTS, Translations
from eventsys.forms import TimezoneField, translation_field
from eventsys.timeutil import DEFAULT_TIMEZONE, from_local, to_local

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
CAPACITY_HELP = _l("Leave empty for no limit.")

QUESTION_KIND_LABELS = {
    QuestionKind.TEXT: _l("Short text"),
    QuestionKind.TEXTAREA: _l("Long text"),
    QuestionKind.EMAIL: _l("E-mail address"),
    QuestionKind.PHONE: _l("Phone number"),
    QuestionKind.NUMBER: _l("Number"),
    QuestionKind.DATE: _l("Date"),
    QuestionKind.SELECT: _l("One choice from a list"),
    QuestionKind.MULTISELECT: _l("Several choices from a list"),
    QuestionKind.CHECKBOX: _l("Yes / no checkbox"),
    QuestionKind.COUNTRY: _l("Country"),
}


FIRST_YEAR, LAST_YEAR = 1900, 2999

CHINESE = "zh-CN"
FALLBACK_HELP = _l("Leave empty to show the original.")
OPTIONS_FALLBACK_HELP = _l("One per line, as many as the options and in their order. Leave empty to show the original.")


class ChineseTexts(FlaskForm):
    """A form whose ``TEXTS`` (a table of ``events/translations.py``) each have a Chinese twin,
    ``zh_<text>``, added by ``@with_chinese_twins``: the service's ``translations["zh-CN"]``."""

    TEXTS: ClassVar[dict[str, int]] = {}

    def fill_translations(self, obj: Translated) -> None:
        """The twins as stored; an option list is shown one per line."""
        stored = (obj.translations or {}).get(CHINESE) or {}
        for text in self.TEXTS:
            value = stored.get(text) or ""
            self[translation_field(CHINESE, text)].data = "\n".join(value) if isinstance(value, list) else value

    def translations(self) -> Translations:
        """All the twins, empty ones included: the service drops those, so the original shows again."""
        texts = {text: self[translation_field(CHINESE, text)].data or "" for text in self.TEXTS}
        if "options" in texts:
            texts["options"] = _lines(texts["options"])
        return {CHINESE: texts}


F = TypeVar("F", bound=ChineseTexts)


def with_chinese_twins(form: type[F]) -> type[F]:
    """Add ``zh_<text>`` for each of ``form.TEXTS``: the original's kind of field and length,
    labelled "<the original's label> in Chinese", never required."""
    for text in form.TEXTS:
        setattr(form, translation_field(CHINESE, text), _chinese_twin(getattr(form, text), text))
    return form


def _chinese_twin(original: UnboundField, text: str) -> UnboundField:
    lengths = [v for v in original.kwargs.get("validators", []) if isinstance(v, Length)]
    return original.field_class(
        _l("%(label)s in Chinese", label=original.args[0]),
        validators=[Optional(), *lengths],
        description=OPTIONS_FALLBACK_HELP if text == "options" else FALLBACK_HELP,
        render_kw={"lang": CHINESE},
    )


def _lines(text: str) -> list[str]:
    """One option a line; blank lines count for nothing, as in the original's list."""
    return [line for line in text.splitlines() if line.strip()]


def _plausible_year(form: FlaskForm, field: DateTimeLocalField) -> None:
    """Refuse a mistyped year such as 0001 or 9999, which cannot even be converted to UTC."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(_("Enter a year from %(first)d to %(last)d.", first=FIRST_YEAR, last=LAST_YEAR))


def _capacity_field(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(
                min=0, max=MAX_CAPACITY, message=_l("Enter a number from 0 to %(max)s.", max=f"{MAX_CAPACITY:,}")
            ),
        ],
        description=CAPACITY_HELP,
    )


def _slug_field() -> StringField:
    return StringField(
        _l("Web address"),
        validators=[
            Optional(),
            Length(max=SLUG_MAX),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and single hyphens.")),
        ],
        description=_l("The end of the event's address, /events/… Made from the name when left empty."),
    )


@with_chinese_twins
class EventForm(ChineseTexts):
    TEXTS = EVENT_TEXTS

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = _slug_field()
    tagline = StringField(_l("Tagline"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=20_000)])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=500)])
    timezone = TimezoneField(
        _l("Time zone"),
        default=DEFAULT_TIMEZONE,
        description=_l("Times below are in this zone. Type a city to search, e.g. Shanghai."),
    )
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format=DATETIME_FORMAT,
        validators=[DataRequired(message=_l("Enter a date and time.")), _plausible_year],
    )
    ends_at = DateTimeLocalField(
        _l("Ends"),
        format=DATETIME_FORMAT,
        validators=[DataRequired(message=_l("Enter a date and time.")), _plausible_year],
    )
    capacity = _capacity_field(_l("Capacity (seats)"))
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"),
        format=DATETIME_FORMAT,
        validators=[Optional(), _plausible_year],
        description=_l("Empty: open now."),
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"),
        format=DATETIME_FORMAT,
        validators=[Optional(), _plausible_year],
        description=_l("Empty: when the event ends."),
    )
    access = RadioField(
        _l("Who can register"),
        choices=[
            SelectChoice(EventAccess.PUBLIC.value, _l("Anyone with the event's page")),
            SelectChoice(EventAccess.INVITE_ONLY.value, _l("Only people I invite")),
        ],
        default=EventAccess.PUBLIC.value,
        validate_choice=False,  # the service checks it, and says so beside the field
        description=_l(
            "Invited people get a personal link by e-mail (Invitations, on the event's page); the form refuses others."
        ),
    )
    requires_approval = BooleanField(_l("Registrations need my approval"))
    waitlist = BooleanField(_l("Keep a waiting list when full"), default=True)
    reminder_hours_before = IntegerField(
        _l("Reminder (hours before the start)"),
        default=DEFAULT_REMINDER_HOURS,
        validators=[
            Optional(),
            NumberRange(
                min=0, max=MAX_REMINDER_HOURS, message=_l("Enter a number from 0 to %(max)s.", max=MAX_REMINDER_HOURS)
            ),
        ],
        description=_l(
            "Every confirmed attendee gets their ticket again by e-mail this long before. Empty: no reminder."
        ),
    )

    def fill_from(self, event: Event) -> None:
        details = EventDetails.of(event)
        for name in EventDetails.__dataclass_fields__:
            if name not in self._fields:  # translations: not on this form
                continue
            value = getattr(details, name)
            if name.endswith("_at") and value is not None:
                value = to_local(value, event.timezone).replace(tzinfo=None)
            getattr(self, name).data = value
        self.fill_translations(event)

    def details(self) -> EventDetails:
        tz = self.timezone.data

        def utc(field):
            return from_local(field.data, tz) if field.data else None

        return EventDetails(
            name=self.name.data or "",
            slug=self.slug.data or None,
            tagline=self.tagline.data or "",
            description=self.description.data or "",
            venue=self.venue.data or "",
            address=self.address.data or "",
            timezone=tz,
            starts_at=utc(self.starts_at),
            ends_at=utc(self.ends_at),
            capacity=self.capacity.data,
            registration_opens_at=utc(self.registration_opens_at),
            registration_closes_at=utc(self.registration_closes_at),
            requires_approval=bool(self.requires_approval.data),
            waitlist=bool(self.waitlist.data),
            reminder_hours_before=self.reminder_hours_before.data,
            access=self.access.data or EventAccess.PUBLIC.value,
            translations=self.translations(),
        )


class NewEventForm(EventForm):
    """A new event may belong to a club (its choices: the organizer's clubs where they may create events)."""

    club = SelectField(
        _l("Club"),
        choices=[],
        default="",
        description=_l("A club's event is run by the club's team. Just me: only you run it."),
    )


class CopyEventForm(FlaskForm):
    """Next year's edition: what differs from the original; everything else is copied."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format=DATETIME_FORMAT,
        validators=[DataRequired(message=_l("Enter a date and time.")), _plausible_year],
    )
    slug = _slug_field()

    def fill_from(self, event: Event) -> None:
        """Offer the next edition: the year in the name one later, the start a year later."""
        self.name.data = next_edition_name(event.name)
        self.starts_at.data = to_local(next_edition_start(event), event.timezone).replace(tzinfo=None)

    def starts_at_utc(self, event: Event) -> datetime:
        """The start as typed, read in the original's zone (the copy keeps it)."""
        return from_local(self.starts_at.data, event.timezone)


@with_chinese_twins
class TicketTypeForm(ChineseTexts):
    TEXTS = TICKET_TYPE_TEXTS

    name = StringField(_l("Ticket type"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    capacity = _capacity_field(_l("Seats of this type"))


@with_chinese_twins
class QuestionForm(ChineseTexts):
    TEXTS = QUESTION_TEXTS

    label = StringField(_l("Question"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        _l("Kind of answer"), choices=[SelectChoice(k.value, label) for k, label in QUESTION_KIND_LABELS.items()]
    )
    options = TextAreaField(
        _l("Options"), validators=[Optional(), Length(max=40_000)], description=_l("For lists: one option per line.")
    )
    required = BooleanField(_l("An answer is required"))
    help_text = StringField(_l("Help text"), validators=[Optional(), Length(max=500)])
    on_badge = BooleanField(_l("Print the answer on the name badge"))

    def fill_from(self, question: Question) -> None:
        self.label.data, self.kind.data = question.label, question.kind.value
        self.required.data, self.help_text.data = question.required, question.help_text
        self.on_badge.data = question.on_badge
        self.options.data = "\n".join(question.options or [])
        self.fill_translations(question)

    def details(self) -> QuestionDetails:
        return QuestionDetails(
            label=self.label.data or "",
            kind=self.kind.data,
            required=bool(self.required.data),
            options=(self.options.data or "").splitlines(),
            help_text=self.help_text.data or "",
            on_badge=bool(self.on_badge.data),
            translations=self.translations(),
        )

    def translations(self) -> Translations:
        """As the original's options, the Chinese ones count only for a kind of answer with options."""
        translations = super().translations()
        if not _has_options(self.kind.data):
            del translations[CHINESE]["options"]
        return translations


def _has_options(kind: str | None) -> bool:
    try:
        return QuestionKind(kind).has_options
    except ValueError:
        return False
