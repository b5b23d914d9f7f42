"""The organizer's forms for one registration: edit it, or add someone by hand.

Both are the event's registration form (its ticket types and questions) with the organizer's
labels: the e-mail may be left empty, since a speaker or a walk-in may have none to give.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from eventsys.events.models import Event, QuestionKind
from eventsys.registration.forms import CheckboxList, RegistrationForm, build_registration_form
from eventsys.registration.models import Registration, RegistrationStatus
from eventsys.registration.services import RegistrationEdit, RegistrationRequest
from eventsys.text import status_label


class AttendeeForm(RegistrationForm):
    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Enter their name.")), Length(max=200)])
    email = EmailField(
        _l("E-mail address"),
        validators=[Optional(), Length(max=254)],
        description=_l("Tickets and news go here. Leave it empty for someone without one."),
    )

    def edit(self) -> RegistrationEdit:
        return RegistrationEdit(
            name=self.name.data or "",
            email=self.email.data or "",
            answers=self.answers(),
            ticket_type_id=self.ticket_type_id_value(),
        )


class ByHandForm(AttendeeForm):
    notify = BooleanField(_l("E-mail them their ticket"), default=True)
    over_capacity = BooleanField(
        _l("Past the capacity if it is full"),
        description=_l("Confirms them even when no seat is left; they count as a seat taken."),
    )

    def request(self) -> RegistrationRequest:
        edit = self.edit()
        return RegistrationRequest(edit.name, edit.email, edit.ticket_type_id, edit.answers)


def edit_form(registration: Registration) -> AttendeeForm:
    """The edit form: the registration's values, and what the organizer posted over them."""
    data = {"name": registration.name, "email": registration.email or "", "ticket_type_id": registration.ticket_type_id}
    for question in registration.event.questions:
        value = (registration.answers or {}).get(str(question.id))
        if value is not None:
            data[f"q_{question.id}"] = _field_value(question.kind, value)
    return build_registration_form(registration.event, AttendeeForm, data=data)


def by_hand_form(event: Event) -> ByHandForm:
    return build_registration_form(event, ByHandForm)


def _field_value(kind: QuestionKind, stored: Any) -> Any:
    """A stored answer as its field holds it (dates and numbers are kept as text and numbers)."""
    if kind == QuestionKind.DATE:
        return date.fromisoformat(stored)
    if kind == QuestionKind.NUMBER:
        return Decimal(str(stored))
    return stored


class MessageForm(FlaskForm):
    """A message to attendees: its texts, the Chinese twins, and who gets it."""

    subject = StringField(
        _l("Subject"),
        validators=[DataRequired(message=_l("Write a subject.")), Length(max=200)],
        description=_l("{name} becomes each person's name."),
    )
    zh_subject = StringField(_l("Subject in Chinese"), validators=[Optional(), Length(max=200)])
    body = TextAreaField(
        _l("Message text"),
        validators=[DataRequired(message=_l("Write the message.")), Length(max=20_000)],
        description=_l(
            "Plain text. {name} and {ticket_url} are filled in for each person; "
            "the event's name and their ticket link are added at the end."
        ),
        render_kw={"rows": 8},
    )
    zh_body = TextAreaField(
        _l("Message text in Chinese"),
        validators=[Optional(), Length(max=20_000)],
        description=_l("People who registered in Chinese get this version."),
        render_kw={"rows": 8},
    )
    status = CheckboxList(_l("Registrations that are"), default=[RegistrationStatus.CONFIRMED.value])
    ticket_type = SelectField(_l("Ticket type"), default="")
    checked_in = RadioField(
        _l("Checked in"),
        choices=[
            SelectChoice("", _l("Either")),
            SelectChoice("yes", _l("Checked in")),
            SelectChoice("no", _l("Not checked in")),
        ],
        default="",
    )
    expected = HiddenField()


def message_form(event: Event, formdata: Any = None) -> MessageForm:
    form = MessageForm(formdata=formdata)
    form.status.choices = [SelectChoice(status.value, status_label(status)) for status in RegistrationStatus]
    form.ticket_type.choices = [SelectChoice("", _l("Any ticket type"))] + [
        SelectChoice(str(ticket_type.id), ticket_type.translated("name")) for ticket_type in event.ticket_types
    ]
    return form
