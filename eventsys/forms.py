"""Helpers shared by the WTForms of every package."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import Field

from eventsys.errors import DomainError
from eventsys.text import as_single_line

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
