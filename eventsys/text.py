"""Rules for the texts people type: one place that says what a single-line text may hold."""

from __future__ import annotations

import re

# Control characters (Unicode category Cc: line breaks, tabs, NUL, escape …) and the line and
# paragraph separators (Zl, Zp). A single-line text ends up in e-mail subjects, file names and
# scanner screens, where a line break either breaks the message or smuggles in a header.
LINE_BREAKING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def has_control_characters(value: str) -> bool:
    return LINE_BREAKING.search(value) is not None


def as_single_line(value: str) -> str:
    """``value`` with each run of control characters (a line break, a tab) turned into one space."""
    return LINE_BREAKING.sub(" ", value)


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
