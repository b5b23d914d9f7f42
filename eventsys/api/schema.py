"""Reading JSON bodies and query strings: 415, 400 and 422 as the contract says."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventsys.errors import DomainError, MalformedRequest, ValidationFailed
from eventsys.timeutil import is_timezone, parse_iso


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    message = _l("Send the body as JSON (Content-Type: application/json).")


def json_body(optional: bool = False) -> dict[str, Any]:
    """The request's JSON object; ``optional`` accepts an empty body as ``{}``."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if optional:
            return {}
        raise MalformedRequest(_("Send a JSON object as the request body."))
    if not request.is_json:
        raise UnsupportedMediaType()
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes: malformed, not a crash
        data = None
    if data is None:
        raise MalformedRequest(_("The body is not valid JSON."))
    if not isinstance(data, dict):
        raise MalformedRequest(_("The body must be a JSON object."))
    return data


@dataclass(frozen=True)
class Field:
    """One expected JSON field: its Python type and whether it may be null or missing."""

    kind: type | str
    required: bool = False
    nullable: bool = False


def _type_name(kind: type | str) -> str:
    return {
        str: _("a string"),
        int: _("an integer"),
        bool: _("true or false"),
        "datetime": _("an ISO 8601 timestamp string"),
        "strings": _("a list of strings"),
        dict: _("an object"),
        list: _("a list"),
    }[kind]


def _has_type(value: Any, kind: type | str) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "datetime":
        return isinstance(value, str)
    if kind == "strings":
        return isinstance(value, list) and all(isinstance(item, str) for item in value)
    return isinstance(value, kind)


def _storable(value: Any) -> bool:
    """No database stores a lone surrogate, and PostgreSQL text cannot hold NUL."""
    texts = value if isinstance(value, list) else [value]
    for text in texts:
        if not isinstance(text, str):
            continue
        if "\x00" in text:
            return False
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return False
    return True


def read_fields(data: dict[str, Any], spec: dict[str, Field], tz_name: str = "UTC") -> dict[str, Any]:
    """Return the fields of ``spec`` present in ``data``, typed.

    Wrong JSON types are a malformed request (400); missing required fields and values of the
    right type that mean nothing (an unparsable timestamp) fail validation (422).
    """
    wrong_types: dict[str, list[str]] = {}
    invalid: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for name, field in spec.items():
        if name not in data:
            if field.required:
                invalid[name] = [_("This field is required.")]
            continue
        value = data[name]
        if value is None:
            if field.nullable:
                values[name] = None
            elif field.required:
                invalid[name] = [_("This field is required.")]
            else:
                wrong_types[name] = [_("Must be %(type)s.", type=_type_name(field.kind))]
            continue
        if not _has_type(value, field.kind):
            wrong_types[name] = [
                _("Must be %(type)s or null.", type=_type_name(field.kind))
                if field.nullable
                else _("Must be %(type)s.", type=_type_name(field.kind))
            ]
            continue
        if not _storable(value):
            invalid[name] = [_("Contains characters that are not allowed (NUL or invalid Unicode).")]
            continue
        if field.kind == "datetime":
            try:
                value = parse_iso(value, tz_name)
            except (ValueError, OverflowError):
                invalid[name] = [_("Use an ISO 8601 timestamp such as 2021-06-18T09:00:00+08:00.")]
                continue
        values[name] = value
    if wrong_types:
        raise MalformedRequest(_("Some fields have the wrong type."), fields=wrong_types)
    if invalid:
        raise ValidationFailed(invalid)
    return values


def reading_timezone(data: dict[str, Any], fallback: str) -> str:
    """The zone in which to read timestamps without an offset: the one sent, else ``fallback``."""
    candidate = data.get("timezone")
    return candidate if isinstance(candidate, str) and is_timezone(candidate) else fallback
