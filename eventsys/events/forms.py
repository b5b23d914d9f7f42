from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from eventsys.events.models import Event, QuestionKind
from eventsys.events.services import MAX_CAPACITY, SLUG_MAX, EventDetails, QuestionDetails
from eventsys.timeutil import from_local, timezone_names, to_local

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
CAPACITY_HELP = "Leave empty for no limit."

QUESTION_KIND_LABELS = {
    QuestionKind.TEXT: "Short text",
    QuestionKind.TEXTAREA: "Long text",
    QuestionKind.EMAIL: "E-mail address",
    QuestionKind.PHONE: "Phone number",
    QuestionKind.NUMBER: "Number",
    QuestionKind.DATE: "Date",
    QuestionKind.SELECT: "One choice from a list",
    QuestionKind.MULTISELECT: "Several choices from a list",
    QuestionKind.CHECKBOX: "Yes / no checkbox",
    QuestionKind.COUNTRY: "Country",
}


FIRST_YEAR, LAST_YEAR = 1900, 2999


def _plausible_year(form: FlaskForm, field: DateTimeLocalField) -> None:
    """Refuse a mistyped year such as 0001 or 9999, which cannot even be converted to UTC."""
    if field.data is not None and not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        raise ValidationError(f"Enter a year from {FIRST_YEAR} to {LAST_YEAR}.")


def _capacity_field(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(min=0, max=MAX_CAPACITY, message=f"Enter a number from 0 to {MAX_CAPACITY:,}."),
        ],
        description=CAPACITY_HELP,
    )


class EventForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        "Web address",
        validators=[
            Optional(),
            Length(max=SLUG_MAX),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message="Use lower-case letters, digits and single hyphens."),
        ],
        description="The end of the event's address, /events/… Made from the name when left empty.",
    )
    tagline = StringField("Tagline", validators=[Optional(), Length(max=300)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=20_000)])
    venue = StringField("Venue", validators=[Optional(), Length(max=200)])
    address = StringField("Address", validators=[Optional(), Length(max=500)])
    timezone = SelectField("Time zone", default="UTC", description="Times below are in this zone.")
    starts_at = DateTimeLocalField(
        "Starts", format=DATETIME_FORMAT, validators=[DataRequired(message="Enter a date and time."), _plausible_year]
    )
    ends_at = DateTimeLocalField(
        "Ends", format=DATETIME_FORMAT, validators=[DataRequired(message="Enter a date and time."), _plausible_year]
    )
    capacity = _capacity_field("Capacity (seats)")
    registration_opens_at = DateTimeLocalField(
        "Registration opens",
        format=DATETIME_FORMAT,
        validators=[Optional(), _plausible_year],
        description="Empty: open now.",
    )
    registration_closes_at = DateTimeLocalField(
        "Registration closes",
        format=DATETIME_FORMAT,
        validators=[Optional(), _plausible_year],
        description="Empty: when the event ends.",
    )
    requires_approval = BooleanField("Registrations need my approval")
    waitlist = BooleanField("Keep a waiting list when full", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = [SelectChoice(name, name.replace("_", " ")) for name in timezone_names()]

    def fill_from(self, event: Event) -> None:
        details = EventDetails.of(event)
        for name in EventDetails.__dataclass_fields__:
            if name not in self._fields:  # translations: not on this form
                continue
            value = getattr(details, name)
            if name.endswith("_at") and value is not None:
                value = to_local(value, event.timezone).replace(tzinfo=None)
            getattr(self, name).data = value

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
        )


class TicketTypeForm(FlaskForm):
    name = StringField("Ticket type", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("Description", validators=[Optional(), Length(max=5000)])
    capacity = _capacity_field("Seats of this type")


class QuestionForm(FlaskForm):
    label = StringField("Question", validators=[DataRequired(), Length(max=300)])
    kind = SelectField(
        "Kind of answer", choices=[SelectChoice(k.value, label) for k, label in QUESTION_KIND_LABELS.items()]
    )
    options = TextAreaField(
        "Options", validators=[Optional(), Length(max=40_000)], description="For lists: one option per line."
    )
    required = BooleanField("An answer is required")
    help_text = StringField("Help text", validators=[Optional(), Length(max=500)])
    on_badge = BooleanField("Print the answer on the name badge")

    def details(self) -> QuestionDetails:
        return QuestionDetails(
            label=self.label.data or "",
            kind=self.kind.data,
            required=bool(self.required.data),
            options=(self.options.data or "").splitlines(),
            help_text=self.help_text.data or "",
            on_badge=bool(self.on_badge.data),
        )
