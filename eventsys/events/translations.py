"""The organizer's own texts in the other language (the contract's ``translations``):
``{"zh-CN": {"name": …, "description": …}}`` on an event, a ticket type or a question.

Visitors read their language and fall back, field by field, to the original (``Translated``).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from eventsys.i18n import LANGUAGES
from eventsys.text import single_line_problems

# Which texts each kind of thing translates, and how long each may be (as the originals).
EVENT_TEXTS = {"name": 200, "tagline": 300, "description": 20_000, "venue": 200, "address": 500}
TICKET_TYPE_TEXTS = {"name": 120, "description": 5_000}
QUESTION_TEXTS = {"label": 300, "help_text": 500, "options": 200}
MANY_LINES = {"description"}  # the others are one line each

Translations = dict[str, dict[str, Any]]


def checked_translations(
    raw: Any, texts: dict[str, int], options: list[str] | None = None
) -> tuple[Translations, dict[str, list[str]]]:
    """``raw`` checked and tidied, and its problems (named ``translations.<language>.<field>``):
    known languages and texts only, stripped, empty ones dropped (they fall back to the original),
    options as many as the original's."""
    if raw is None:
        return {}, {}
    if not isinstance(raw, dict):
        return {}, {"translations": [_('Must be an object of languages, such as {"zh-CN": {…}}.')]}
    errors: dict[str, list[str]] = {}
    clean: dict[str, dict[str, Any]] = {}
    for language, values in raw.items():
        where = f"translations.{language}"
        if language not in LANGUAGES:
            errors[where] = [_("Use one of: %(languages)s.", languages=", ".join(LANGUAGES))]
            continue
        if not isinstance(values, dict):
            errors[where] = [_("Must be an object of texts.")]
            continue
        texts_of_language = _clean_language(values, texts, options, where, errors)
        if texts_of_language:
            clean[language] = texts_of_language
    return clean, errors


def _clean_language(
    values: dict[str, Any],
    texts: dict[str, int],
    options: list[str] | None,
    where: str,
    errors: dict[str, list[str]],
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    for name, value in values.items():
        field = f"{where}.{name}"
        if name not in texts:
            errors[field] = [_("Not a text that translates here.")]
        elif name == "options":
            if (found := _clean_options(value, options or [], texts[name], field, errors)) is not None:
                clean[name] = found
        elif value is None or value == "":
            continue
        elif not isinstance(value, str):
            errors[field] = [_("Must be text.")]
        elif name in MANY_LINES:
            if len(value) > texts[name]:
                errors[field] = [_("Use at most %(limit)s characters.", limit=f"{texts[name]:,}")]
            elif value.strip():
                clean[name] = value.strip()
        elif problems := single_line_problems(value, texts[name]):
            errors[field] = problems
        elif value.strip():
            clean[name] = value.strip()
    return clean


def _clean_options(
    value: Any, original: list[str], limit: int, field: str, errors: dict[str, list[str]]
) -> list[str] | None:
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(isinstance(option, str) for option in value):
        errors[field] = [_("Must be a list of texts.")]
        return None
    if len(value) != len(original):
        errors[field] = [_("Give %(count)s options, in the same order as the original's.", count=len(original))]
        return None
    if any(single_line_problems(option, limit) for option in value):
        errors[field] = [_("Each option is one line of at most %(limit)s characters.", limit=limit)]
        return None
    return [option.strip() or original[number] for number, option in enumerate(value)]


def merged_translations(current: Translations | None, change: Any) -> Any:
    """A change (an API PATCH) over the current translations, text by text: a text given as null or
    "" goes (the original shows), a language given as null goes whole. What is not an object is
    returned as it is, for the check to refuse."""
    if not isinstance(change, dict):
        return change
    merged: dict[str, Any] = {language: dict(texts) for language, texts in (current or {}).items()}
    for language, texts in change.items():
        if texts is None:
            merged.pop(language, None)
        elif isinstance(texts, dict) and isinstance(merged.get(language), dict):
            merged[language].update(texts)
        else:
            merged[language] = texts
    return merged
