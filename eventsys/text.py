"""Rules for the texts people type: one place that says what a single-line text may hold."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

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
        return [_("Use at most %(limit)s characters.", limit=f"{limit:,}")]
    if has_control_characters(value):
        return [_("Use a single line without control characters (no line breaks or tabs).")]
    return []


# A registration's status as people read it, in the request's language (the API's `status` values stay).
STATUS_LABELS = {
    "confirmed": _l("confirmed"),
    "waitlisted": _l("waitlisted"),
    "pending_approval": _l("pending approval"),
    "rejected": _l("rejected"),
    "cancelled": _l("cancelled"),
}


EVENT_STATUS_LABELS = {"draft": _l("draft"), "published": _l("published"), "cancelled": _l("cancelled")}


def event_status_label(status: str) -> str:
    """An event's status (draft, published, cancelled) as people read it."""
    label = EVENT_STATUS_LABELS.get(str(status))
    return str(label) if label is not None else str(status)


def status_label(status: str) -> str:
    """``pending_approval`` → "pending approval" (待审核 in Chinese)."""
    value = str(status)
    label = STATUS_LABELS.get(value)
    return str(label) if label is not None else value.replace("_", " ")


ROLE_LABELS = {
    "owner": _l("owner"),
    "manager": _l("manager"),
    "supervisor": _l("supervisor"),
    "steward": _l("steward"),
    "door": _l("door staff"),
}
ROLE_DESCRIPTIONS = {
    "owner": _l("everything, including the team and cancelling events"),
    "manager": _l("everything on the club's events but the team and cancelling events"),
    "supervisor": _l(
        "the door: scan, look people up, check in by hand, undo; the attendee list without e-mail addresses"
    ),
    "steward": _l("scan tickets only"),
}


def role_label(role: str) -> str:
    """A team role as people read it (经理, 引导员 in Chinese)."""
    label = ROLE_LABELS.get(str(role))
    return str(label) if label is not None else str(role)
