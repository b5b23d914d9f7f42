"""Helpers shared by the WTForms of every package."""

from __future__ import annotations

from flask_wtf import FlaskForm

from eventsys.errors import DomainError


def add_field_errors(form: FlaskForm, error: DomainError, fallback_field: str | None = None) -> None:
    """Show a domain error's field messages beside the form's fields (or at the top)."""
    fields = error.fields or {}
    for name, messages in fields.items():
        field = getattr(form, name, None) or (getattr(form, fallback_field, None) if fallback_field else None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), *messages]
        else:
            form.form_errors.extend(messages)
    if not fields:
        form.form_errors.append(error.message)
