"""Rules for the texts people type: one place that says what a single-line text may hold."""

from __future__ import annotations

import unicodedata

# Control characters (line breaks, tabs, NUL, escape …) and the Unicode line and paragraph
# separators. A single-line text ends up in e-mail subjects, file names and scanner screens,
# where a line break either breaks the message or smuggles in a header.
_LINE_BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})


def has_control_characters(value: str) -> bool:
    return any(unicodedata.category(char) in _LINE_BREAKING_CATEGORIES for char in value)


def single_line_problems(value: str, limit: int, empty_message: str | None = None) -> list[str]:
    """What is wrong with ``value`` as a one-line text of at most ``limit`` characters (stripped)."""
    value = value.strip()
    if not value:
        return [empty_message] if empty_message else []
    if len(value) > limit:
        return [f"Use at most {limit:,} characters."]
    if has_control_characters(value):
        return ["Use a single line without control characters (no line breaks or tabs)."]
    return []
