"""The trail as people read it: each entry a sentence in the page's language, "Li Wei invited
a@example.org as manager".

An entry's ``details`` are what ``record_in_trail`` was given. Entries about an event name it by
``event`` (its name then); the page passes the event's current name as a fallback. A settings
change lists ``fields`` (EventDetails' names; a ticket type's or a question's change, the names
of what it compares, see events/services.py); a bulk action gives ``bulk_action`` (approve,
reject, cancel, resend) and ``count``. Ticket types are named by ``name``, questions by ``label``,
both as they were then. Unknown actions still read as a sentence, with the
action's machine name.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from eventsys.clubs.models import AuditEntry
from eventsys.text import role_label

# The event settings a change names, with the labels of the event form.
SETTING_LABELS = {
    "name": _l("Name"),
    "slug": _l("Web address"),
    "tagline": _l("Tagline"),
    "description": _l("Description"),
    "venue": _l("Venue"),
    "address": _l("Address"),
    "timezone": _l("Time zone"),
    "starts_at": _l("Starts"),
    "ends_at": _l("Ends"),
    "capacity": _l("Capacity (seats)"),
    "registration_opens_at": _l("Registration opens"),
    "registration_closes_at": _l("Registration closes"),
    "requires_approval": _l("Registrations need my approval"),
    "waitlist": _l("Keep a waiting list when full"),
    "reminder_hours_before": _l("Reminder (hours before the start)"),
    "translations": _l("Chinese texts"),
}
# A ticket type's and a question's fields, with the labels of their forms.
TICKET_TYPE_LABELS = {
    "name": _l("Name"),
    "capacity": _l("Seats of this type"),
    "description": _l("Description"),
    "translations": _l("Chinese texts"),
}
QUESTION_LABELS = {
    "label": _l("Question"),
    "kind": _l("Kind of answer"),
    "options": _l("Options"),
    "required": _l("An answer is required"),
    "help_text": _l("Help text"),
    "on_badge": _l("Print the answer on the name badge"),
    "translations": _l("Chinese texts"),
}
BULK_ACTION_WORDS = {
    "approve": _l("approved"),
    "reject": _l("rejected"),
    "cancel": _l("cancelled"),
    "resend": _l("e-mail sent again"),
}


def actor_name(entry: AuditEntry) -> str:
    return entry.actor.name if entry.actor is not None else _("Someone whose account is deleted")


def _role(details: dict[str, Any], key: str = "role") -> str:
    return role_label(str(details.get(key, "")))


def _settings(fields: Any, labels: dict[str, Any] = SETTING_LABELS) -> str:
    if not isinstance(fields, list):
        return ""
    separator = _(", ")  # a list's separator: 、 in Chinese
    return separator.join(str(labels.get(str(name), name)) for name in fields)


def _team_sentence(action: str, actor: str, details: dict[str, Any]) -> str | None:
    email = str(details.get("email", ""))
    match action:
        case "club.created":
            return _("%(actor)s created the club %(name)s", actor=actor, name=details.get("name", ""))
        case "member.invited":
            return _("%(actor)s invited %(email)s as %(role)s", actor=actor, email=email, role=_role(details))
        case "member.joined":
            return _("%(actor)s joined the team as %(role)s", actor=actor, role=_role(details))
        case "member.role_changed":
            return _(
                "%(actor)s changed the role of %(email)s from %(before)s to %(after)s",
                actor=actor,
                email=email,
                before=_role(details, "before"),
                after=_role(details, "after"),
            )
        case "member.removed":
            return _(
                "%(actor)s removed %(email)s (%(role)s) from the team", actor=actor, email=email, role=_role(details)
            )
    return None


def _event_sentence(action: str, actor: str, details: dict[str, Any], event: str) -> str | None:
    match action:
        case "event.created":
            return _("%(actor)s created the event %(event)s", actor=actor, event=event)
        case "event.published":
            return _("%(actor)s published the event %(event)s", actor=actor, event=event)
        case "event.unpublished":
            return _("%(actor)s made the event %(event)s a draft again", actor=actor, event=event)
        case "event.cancelled":
            return _("%(actor)s cancelled the event %(event)s", actor=actor, event=event)
        case "event.updated":
            if settings := _settings(details.get("fields")):
                return _(
                    "%(actor)s changed the settings of %(event)s: %(settings)s",
                    actor=actor,
                    event=event,
                    settings=settings,
                )
            return _("%(actor)s changed the settings of %(event)s", actor=actor, event=event)
        case "registrations.bulk":
            count = details.get("count")
            done = str(details.get("bulk_action") or details.get("kind") or "")
            what = BULK_ACTION_WORDS.get(done, done)
            return ngettext(
                "%(actor)s, bulk action on %(event)s: %(what)s, %(num)d registration",
                "%(actor)s, bulk action on %(event)s: %(what)s, %(num)d registrations",
                count if isinstance(count, int) else 0,
                actor=actor,
                event=event,
                what=what,
            )
    return None


def _form_sentence(action: str, actor: str, details: dict[str, Any], event: str) -> str | None:
    """A change of an event's ticket types or registration questions."""
    name, label = str(details.get("name", "")), str(details.get("label", ""))
    match action:
        case "ticket_type.added":
            return _("%(actor)s added the ticket type %(name)s to %(event)s", actor=actor, name=name, event=event)
        case "ticket_type.updated":
            return _(
                "%(actor)s changed the ticket type %(name)s of %(event)s: %(fields)s",
                actor=actor,
                name=name,
                event=event,
                fields=_settings(details.get("fields"), TICKET_TYPE_LABELS),
            )
        case "ticket_type.deleted":
            return _("%(actor)s deleted the ticket type %(name)s of %(event)s", actor=actor, name=name, event=event)
        case "question.added":
            return _("%(actor)s added the question “%(label)s” to %(event)s", actor=actor, label=label, event=event)
        case "question.updated":
            return _(
                "%(actor)s changed the question “%(label)s” of %(event)s: %(fields)s",
                actor=actor,
                label=label,
                event=event,
                fields=_settings(details.get("fields"), QUESTION_LABELS),
            )
        case "question.moved":
            return _(
                "%(actor)s moved the question “%(label)s” in the form of %(event)s",
                actor=actor,
                label=label,
                event=event,
            )
        case "question.deleted":
            return _("%(actor)s deleted the question “%(label)s” of %(event)s", actor=actor, label=label, event=event)
    return None


def sentence(entry: AuditEntry, event_name: str | None = None) -> str:
    """What ``entry`` says happened; ``event_name``: the name of the event it is about, as it is now."""
    details = entry.details if isinstance(entry.details, dict) else {}
    actor = actor_name(entry)
    event = str(details.get("event") or event_name or _("an event since deleted"))
    return (
        _team_sentence(entry.action, actor, details)
        or _event_sentence(entry.action, actor, details, event)
        or _form_sentence(entry.action, actor, details, event)
        or _("%(actor)s: %(action)s", actor=actor, action=entry.action)
    )
