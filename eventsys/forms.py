"""Helpers shared by the WTForms of every package."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import Field, StringField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from eventsys.errors import DomainError
from eventsys.text import as_single_line
from eventsys.timeutil import canonical_timezone, timezones_for_picking, utc_offset

# The form fields that hold an organizer's texts in another language: ``zh_name`` is the name in
# Chinese, the service's ``translations.zh-CN.name``.
TRANSLATION_FIELD_PREFIXES = {"zh-CN": "zh_"}


def translation_field(language: str, text: str) -> str:
    """The form field for ``text`` in ``language`` (``zh-CN``, ``name`` → ``zh_name``)."""
    return TRANSLATION_FIELD_PREFIXES[language] + text


def _form_field_name(error_field: str) -> str:
    """The form field a service's error names: ``translations.zh-CN.name`` is ``zh_name``."""
    match error_field.split("."):
        case ["translations", language, text] if language in TRANSLATION_FIELD_PREFIXES:
            return translation_field(language, text)
    return error_field


def add_field_errors(form: FlaskForm, error: DomainError, fallback_field: str | None = None) -> None:
    """Show a domain error's field messages beside the form's fields (or at the top)."""
    fields = error.fields or {}
    for name, messages in fields.items():
        field = getattr(form, _form_field_name(name), None) or (
            getattr(form, fallback_field, None) if fallback_field else None
        )
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), *messages]
        else:
            form.form_errors.extend(messages)
    if not fields:
        form.form_errors.append(error.message)


PARSED_INPUTS = {"number", "date", "datetime-local"}
SINGLE_LINE_INPUTS = {"text", "email", "search", "tel", "url"}


def has_errors(form: FlaskForm | None) -> bool:
    """Did this form come back with problems (its own or a field's)? Then its error summary takes the focus."""
    return bool(form and (form.form_errors or any(field.errors for field in form)))


def shown_again(field: Field) -> str | None:
    """The value a form shown again puts in a field's ``<input>``; None: the field's own.

    It must be a value that input can hold, or the page is not valid HTML and the browser clears or
    changes it anyway: a number or date field that got something else ("ten") is empty; line breaks
    and other control characters in a single-line field become a space.
    """
    input_type = getattr(field.widget, "input_type", None)
    if input_type in PARSED_INPUTS and field.data is None:
        return ""
    if input_type in SINGLE_LINE_INPUTS:
        return as_single_line(field._value())
    return None


class TimezoneInput(TextInput):
    """A text box the browser completes from every zone (``<datalist>``): typing "shang" or "+08"
    offers Asia/Shanghai, on a phone too, where a select of 500 names is a long scroll."""

    def __call__(self, field: Field, **kwargs) -> Markup:
        list_id = f"{field.id}-zones"
        kwargs.update({"list": list_id, "autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"})
        options = Markup("").join(
            Markup('<option value="{}" label="{}"></option>').format(name, zone_label(name))
            for name in timezones_for_picking()
        )
        return super().__call__(field, **kwargs) + Markup('<datalist id="{}">{}</datalist>').format(list_id, options)


def zone_label(name: str) -> str:
    """How the picker shows a zone: readable words and its offset now, "America/New York (UTC-05:00)"."""
    return f"{name.replace('_', ' ')} ({utc_offset(name)})"


class TimezoneField(StringField):
    """An IANA time zone, typed or picked from the browser's suggestions, read leniently (any case,
    spaces for underscores); anything else stays in the box, as typed, with an error beside it."""

    widget = TimezoneInput()

    def process_formdata(self, valuelist: list) -> None:
        super().process_formdata(valuelist)
        typed = (self.data or "").strip()
        self.data = canonical_timezone(typed) or typed

    def pre_validate(self, form: FlaskForm) -> None:
        if canonical_timezone(self.data or "") is None:
            raise ValidationError(_("Choose a time zone such as Asia/Shanghai."))
