"""The organizer's invitations page: paste or upload a list of people, each gets a personal link.

The whole list is invited or nothing is: a line without an address, a name missing or an
address that is not one shows the text again with the problem of each line beside it, so that
the organizer corrects it and sends it again (a CSV file comes back as lines in the text too).
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from wtforms import TextAreaField

from eventsys.backoffice.invitation_lists import ListedPerson, csv_as_lines, read_lines
from eventsys.errors import DomainError, ValidationFailed
from eventsys.events.models import Event
from eventsys.events.services import find_managed_event
from eventsys.extensions import db
from eventsys.i18n import page_language
from eventsys.registration.invitations import MAX_PEOPLE, InviteResult, invite_people
from eventsys.registration.models import Invitation

invitations_bp = Blueprint("invitations", __name__, url_prefix="/manage/events")


class InvitationForm(FlaskForm):
    people = TextAreaField(
        _l("People to invite"),
        description=_l("One person a line: a name and an e-mail address, e.g. “Wang Fang, fang@example.com”."),
        render_kw={"rows": 10, "spellcheck": "false"},
    )
    csv_file = FileField(
        _l("Or upload a CSV file"),
        description=_l("Two columns, name and e-mail, with or without a header row (UTF-8)."),
        render_kw={"accept": ".csv,text/csv"},
    )


@invitations_bp.before_request
@login_required
def require_login() -> None:
    """Every page here needs a logged-in organizer."""


@invitations_bp.route("/<slug>/invitations", methods=["GET", "POST"])
def invite(slug: str):
    event = find_managed_event(slug, current_user)
    form = InvitationForm()
    line_errors: dict[int, list[str]] = {}
    result = None
    status = 200
    if form.validate_on_submit():
        text = _submitted_text(form)
        if text is not None:
            result, line_errors = _invite(event, form, text)
            if result is not None:
                form = InvitationForm(formdata=None)
    if request.method == "POST" and result is None:
        status = 422
    return (
        render_template(
            "backoffice/invitations.html",
            event=event,
            form=form,
            line_errors=sorted(line_errors.items()),
            result=result,
            counts=_counts(event),
            max_people=MAX_PEOPLE,
        ),
        status,
    )


def _submitted_text(form: InvitationForm) -> str | None:
    """The pasted lines, and an uploaded file's after them; None (and a field error) when there are none."""
    text = (form.people.data or "").strip("\n")
    upload = form.csv_file.data
    if upload and upload.filename:
        try:
            uploaded = csv_as_lines(upload.read())
        except (UnicodeDecodeError, ValueError):
            form.csv_file.errors = [_("Upload a CSV file saved as UTF-8 text.")]
            return None
        text = "\n".join(part for part in (text, uploaded) if part)
        form.people.data = text  # shown again as lines, which the organizer can correct
    if not text.strip():
        form.people.errors = [_("Paste at least one line, or choose a CSV file.")]
        return None
    return text


def _invite(event: Event, form: InvitationForm, text: str) -> tuple[InviteResult | None, dict[int, list[str]]]:
    people, unreadable = read_lines(text)
    errors = {number: [_("No e-mail address on this line.")] for number in unreadable}
    if errors:
        return None, errors
    try:
        return invite_people(event, [_as_row(p) for p in people], page_language()), {}
    except ValidationFailed as exc:
        return None, _by_line(exc, people, form)
    except DomainError as exc:
        form.form_errors.append(exc.message)
        return None, {}


def _as_row(person: ListedPerson) -> dict[str, str]:
    return {"name": person.name, "email": person.email}


def _by_line(error: ValidationFailed, people: list[ListedPerson], form: InvitationForm) -> dict[int, list[str]]:
    """The service's ``people.<index>.<field>`` problems as the text's line numbers."""
    lines: dict[int, list[str]] = {}
    for name, messages in (error.fields or {}).items():
        parts = name.split(".")
        if len(parts) == 3 and parts[1].isdecimal() and int(parts[1]) < len(people):
            lines.setdefault(people[int(parts[1])].line, []).extend(messages)
        else:
            form.people.errors = list(messages)  # the list as a whole: none, or too many
    return lines


def _counts(event: Event) -> dict[str, int]:
    """How many were invited so far, and how many of them registered."""
    invited, registered = db.session.execute(
        select(func.count(), func.count(Invitation.registration_id)).where(Invitation.event_id == event.id)
    ).one()
    return {"invited": invited, "registered": registered}
