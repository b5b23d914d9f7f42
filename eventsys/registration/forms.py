"""The registration form, built from the event's own questions.

The fields only turn what the browser sent into Python values; the rules for answers live in
registration/answers.py, shared with the API, and their messages come back beside the fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    Field,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from eventsys.errors import ValidationFailed
from eventsys.events.models import Event, Question, QuestionKind, TicketType
from eventsys.forms import add_field_errors
from eventsys.registration.answers import countries


class MarkedRequired:
    """Marks a field required for rendering (label star, `required` attribute); checking is the service's."""

    field_flags: ClassVar[dict[str, bool]] = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RegistrationForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        validators=[DataRequired(message=_l("Enter your name.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter your e-mail address.")), Length(max=254)],
        description=_l("Your ticket is sent here."),
        render_kw={"autocomplete": "email"},
    )

    def answers(self) -> dict[str, Any]:
        return {name.removeprefix("q_"): field.data for name, field in self._fields.items() if name.startswith("q_")}

    def ticket_type_id_value(self) -> int | None:
        field = self._fields.get("ticket_type_id")
        return field.data if field is not None else None


class InvitedRegistrationForm(RegistrationForm):
    """The form an invitee's personal link opens: the link's secret travels with it."""

    invitation = HiddenField()


def _ticket_label(ticket_type: TicketType, waitlist: bool) -> str:
    remaining = ticket_type.remaining
    if remaining is None:
        return ticket_type.translated("name")
    if remaining == 0:
        if waitlist:
            return _("%(name)s (full, waiting list)", name=ticket_type.translated("name"))
        return _("%(name)s (full)", name=ticket_type.translated("name"))
    return _("%(name)s (%(num)d left)", name=ticket_type.translated("name"), num=remaining)


def _option_choices(question: Question) -> list[SelectChoice]:
    """The options as the visitor reads them; the value sent and stored stays the original's."""
    shown = question.translated("options")
    if len(shown) != len(question.options):
        shown = question.options
    return [SelectChoice(original, label) for original, label in zip(question.options, shown, strict=True)]


def _question_field(question: Question) -> Field:
    validators: list = [MarkedRequired()] if question.required else [Optional()]
    options = {"label": question.translated("label"), "description": question.translated("help_text")}
    kind = question.kind
    if kind == QuestionKind.TEXTAREA:
        return TextAreaField(validators=[*validators, Length(max=5000)], **options)
    if kind == QuestionKind.EMAIL:
        return EmailField(validators=validators, **options)
    if kind == QuestionKind.PHONE:
        return TelField(validators=validators, render_kw={"autocomplete": "tel"}, **options)
    if kind == QuestionKind.NUMBER:
        return DecimalField(validators=[Optional()], places=None, **options)
    if kind == QuestionKind.DATE:
        return DateField(validators=[Optional()], **options)
    if kind == QuestionKind.SELECT:
        choices = [SelectChoice("", _("Choose…")), *_option_choices(question)]
        return SelectField(choices=choices, validate_choice=False, validators=validators, **options)
    if kind == QuestionKind.MULTISELECT:
        return CheckboxList(choices=_option_choices(question), validate_choice=False, **options)
    if kind == QuestionKind.CHECKBOX:
        return BooleanField(validators=validators, **options)
    if kind == QuestionKind.COUNTRY:
        choices = [SelectChoice("", _("Choose a country…")), *(SelectChoice(code, name) for code, name in countries())]
        return SelectField(choices=choices, validate_choice=False, validators=validators, **options)
    return StringField(validators=[*validators, Length(max=500)], **options)


def build_registration_form(
    event: Event, base: type[RegistrationForm] = RegistrationForm, **kwargs
) -> RegistrationForm:
    """A form class (``base`` and its fields) for this event's ticket types and questions, instantiated."""

    class EventRegistrationForm(base):
        pass

    if len(event.ticket_types) > 1:
        choices = [SelectChoice(t.id, _ticket_label(t, event.waitlist)) for t in event.ticket_types]
        EventRegistrationForm.ticket_type_id = RadioField(
            _("Ticket type"), choices=choices, coerce=int, validators=[DataRequired(message=_("Choose a ticket type."))]

        )
    for question in event.questions:
        setattr(EventRegistrationForm, f"q_{question.id}", _question_field(question))
    return EventRegistrationForm(**kwargs)


def answer_errors_to_fields(error: ValidationFailed) -> ValidationFailed:
    """The service's ``answers.<id>`` fields as the form's ``q_<id>`` fields."""
    fields = {name.replace("answers.", "q_"): messages for name, messages in (error.fields or {}).items()}
    return ValidationFailed(fields, error.message)


def add_service_findings(form: RegistrationForm, check: Callable[[], object]) -> None:
    """Show what the service's ``check`` finds beside the fields the form itself found nothing
    wrong with, so that every problem shows on the first submit."""
    try:
        check()
    except ValidationFailed as exc:
        fields = answer_errors_to_fields(exc).fields or {}
        fresh = {
            name: messages
            for name, messages in fields.items()
            if not getattr(form, name, None) or not form[name].errors
        }
        if fresh:
            add_field_errors(form, ValidationFailed(fresh))
