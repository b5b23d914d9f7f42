"""Checking answers to an event's own questions: one set of rules for the form and the API."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from types import MappingProxyType
from typing import Any

import pycountry
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pypinyin import lazy_pinyin

from eventsys.errors import ValidationFailed
from eventsys.events.models import Question, QuestionKind
from eventsys.i18n import LOCALES, current_language
from eventsys.registration.snapshot import QuestionSnapshot

PHONE = re.compile(r"^\+?[0-9 ().\-/]{5,30}$")
TEXT_LIMITS = {QuestionKind.TEXT: 500, QuestionKind.TEXTAREA: 5000}
REQUIRED_MESSAGE = _l("This question needs an answer.")


class InvalidAnswer(ValueError):
    """The answer given cannot stand; its message is shown beside the question."""


def countries() -> tuple[tuple[str, str], ...]:
    """(ISO 3166 alpha-2 code, name) for every country, named and sorted in the language being written."""
    return _countries(current_language())


def country_name(code: str) -> str:
    """A stored country code as the reader names it (the code itself when it is none we know)."""
    return _country_names(current_language()).get(code, code)


def shown_answer(question: Question | QuestionSnapshot, value: Any) -> Any:
    """An answer as a person reads it: a country by its name in the language being written, others as stored."""
    if question.kind == QuestionKind.COUNTRY and isinstance(value, str):
        return country_name(value)
    return value


@lru_cache(maxsize=len(LOCALES))
def _countries(language: str) -> tuple[tuple[str, str], ...]:
    names = Locale.parse(LOCALES[language]).territories  # CLDR's, as Babel ships them
    pairs = ((country.alpha_2, names.get(country.alpha_2, country.name)) for country in pycountry.countries)
    order = _pinyin_order if language == "zh-CN" else _latin_order
    return tuple(sorted(pairs, key=lambda pair: order(pair[1])))


@lru_cache(maxsize=len(LOCALES))
def _country_names(language: str) -> Mapping[str, str]:
    return MappingProxyType(dict(_countries(language)))  # looked up once a row in exports of 100,000


def _latin_order(name: str) -> tuple[str, str]:
    """Åland Islands between Afghanistan and Albania, as an English reader looks for it."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    return bare.casefold(), name


def _pinyin_order(name: str) -> tuple[str, str]:
    """Chinese names by their reading (阿尔巴尼亚 a, 中国 zhong), as a Chinese reader looks for them."""
    return " ".join(lazy_pinyin(name)).casefold(), name


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


def _is_empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str | list | tuple) and not value)


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        raise InvalidAnswer(_("Enter text."))
    value = value.strip()
    if len(value) > limit:
        raise InvalidAnswer(_("Use at most %(limit)s characters.", limit=limit))
    return value


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | str):
        raise InvalidAnswer(_("Enter a number."))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidAnswer(_("Enter a number.")) from None
    if not number.is_finite() or abs(number) > Decimal("1e15"):
        raise InvalidAnswer(_("Enter a number."))
    return int(number) if number == number.to_integral_value() else float(number)


def _date(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise InvalidAnswer(_("Enter a date as YYYY-MM-DD."))


def _choice(value: Any, options: list[str]) -> str:
    if not isinstance(value, str) or value not in options:
        raise InvalidAnswer(_("Choose one of the options."))
    return value


def _choices(value: Any, options: list[str]) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or any(item not in options for item in value):
        raise InvalidAnswer(_("Choose from the options."))
    return [option for option in options if option in value]  # in the organizer's order, once each


def _email(value: Any) -> str:
    text = _text(value, 254)
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidAnswer(str(exc)) from None


def _phone(value: Any) -> str:
    text = _text(value, 30)
    if not PHONE.match(text) or sum(ch.isdigit() for ch in text) < 5:
        raise InvalidAnswer(_("Enter a phone number, e.g. +86 571 8888 8888."))
    return text


def _country(value: Any) -> str:
    code = value.strip().upper() if isinstance(value, str) else None
    if code not in _country_codes():
        raise InvalidAnswer(_("Choose a country from the list."))
    return code


def clean_answer(question: Question | QuestionSnapshot, value: Any) -> Any:
    kind = question.kind
    if kind in TEXT_LIMITS:
        return _text(value, TEXT_LIMITS[kind])
    if kind == QuestionKind.NUMBER:
        return _number(value)
    if kind == QuestionKind.DATE:
        return _date(value)
    if kind == QuestionKind.SELECT:
        return _choice(value, question.options)
    if kind == QuestionKind.MULTISELECT:
        return _choices(value, question.options)
    if kind == QuestionKind.CHECKBOX:
        if not isinstance(value, bool):
            raise InvalidAnswer(_("Answer true or false."))
        return value
    if kind == QuestionKind.EMAIL:
        return _email(value)
    if kind == QuestionKind.PHONE:
        return _phone(value)
    return _country(value)


def clean_answers(questions: Iterable[Question | QuestionSnapshot], raw: dict[str, Any]) -> dict[str, Any]:
    """Return the answers keyed by question id (as a string); raise with every problem at once.

    Field names in the error are ``answers.<question id>``.
    """
    questions = list(questions)
    known = {str(q.id) for q in questions}
    errors: dict[str, list[str]] = {
        f"answers.{key}": [_("No such question for this event.")] for key in raw if str(key) not in known
    }
    clean: dict[str, Any] = {}
    for question in questions:
        key = str(question.id)
        value = raw.get(key)
        if isinstance(value, str):
            value = value.strip()
        if _is_empty(value) or (isinstance(value, float) and math.isnan(value)):
            if question.required:
                message = _("Tick this box to go on.") if question.kind == QuestionKind.CHECKBOX else REQUIRED_MESSAGE
                errors[f"answers.{key}"] = [str(message)]
            continue
        try:
            clean[key] = clean_answer(question, value)
        except InvalidAnswer as exc:
            errors[f"answers.{key}"] = [str(exc)]
    if errors:
        raise ValidationFailed(errors)
    return clean


def readable_answer(question: Question, value: Any) -> str:
    """An answer as one line in the reader's language: chosen options as the event translated them,
    a country by its name, a checkbox as yes or no; "" for no answer."""
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if question.kind in (QuestionKind.SELECT, QuestionKind.MULTISELECT):
        shown = question.translated("options")
        names = dict(zip(question.options, shown, strict=True)) if len(shown) == len(question.options) else {}
        chosen = value if isinstance(value, list) else [value]
        return "; ".join(names.get(option, str(option)) for option in chosen)
    return str(shown_answer(question, value))
