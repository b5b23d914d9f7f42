"""The organizer's messages to attendees: the sent list, and writing one (preview, then send).

Writing is one form posted twice: "Preview" shows how many get it and the mail the first of them
reads, in their language; "Send to N people" sends it. The form travels with the preview, so the
organizer can change a word and preview again.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from eventsys.backoffice.forms import MessageForm, message_form
from eventsys.errors import ValidationFailed
from eventsys.events.models import Event
from eventsys.forms import add_field_errors
from eventsys.i18n import LANGUAGES
from eventsys.mail import broadcast
from eventsys.mail.broadcast import CHINESE, Draft
from eventsys.text import status_label

messages_bp = Blueprint("messages", __name__, url_prefix="/manage/events")


@messages_bp.before_request
@login_required
def require_login() -> None:
    """Every page here needs a logged-in organizer."""


@messages_bp.get("/<slug>/messages")
def sent_list(slug: str):
    event = broadcast.managed_event(slug, current_user)
    rows = broadcast.sent_messages(event)
    to = {row.message.id: _recipients_in_words(event, row.message.recipients_filter or {}) for row in rows}
    return render_template("backoffice/messages.html", event=event, rows=rows, to=to)


def _recipients_in_words(event: Event, chosen: dict) -> str:
    """``{"status": ["confirmed"], "ticket_type": 3, "checked_in": true}`` → "confirmed · Investor · checked in"."""
    words = [status_label(status) for status in chosen.get("status") or []]
    names = {ticket_type.id: ticket_type.translated("name") for ticket_type in event.ticket_types}
    if chosen.get("ticket_type") in names:
        words.append(names[chosen["ticket_type"]])
    if chosen.get("checked_in") is not None:
        words.append(_("checked in") if chosen["checked_in"] else _("not checked in"))
    return " · ".join(words)


@messages_bp.route("/<slug>/messages/new", methods=["GET", "POST"])
def compose(slug: str):
    event = broadcast.managed_event(slug, current_user)
    form = message_form(event, request.form if request.method == "POST" else None)
    preview = None
    if request.method == "POST" and form.validate():
        try:
            draft = _draft(event, form)
            if request.form.get("send") and _still_expected(event, draft, form):
                message = broadcast.send_message(event, draft, current_user)
                flash(ngettext("Sent to %(num)d person.", "Sent to %(num)d people.", message.recipients), "success")
                return redirect(url_for("messages.sent_list", slug=event.slug))
            preview = broadcast.preview_message(event, draft)
            form.expected.data = str(preview.recipients)
        except ValidationFailed as exc:
            add_field_errors(form, _on_form(exc))
    status = 400 if request.method == "POST" and preview is None else 200
    return render_template(
        "backoffice/message_compose.html", event=event, form=form, preview=preview, languages=LANGUAGES
    ), status


def _draft(event: Event, form: MessageForm) -> Draft:
    ticket_type = form.ticket_type.data or ""
    recipients = broadcast.read_recipients(
        event,
        list(form.status.data or []),
        int(ticket_type) if ticket_type.isdecimal() and len(ticket_type) <= 9 else None,
        {"yes": True, "no": False}.get(form.checked_in.data or ""),
    )
    chinese = {"subject": form.zh_subject.data or "", "body": form.zh_body.data or ""}
    return Draft(
        subject=form.subject.data or "", body=form.body.data or "", translations={CHINESE: chinese}, to=recipients
    )


def _still_expected(event: Event, draft: Draft, form: MessageForm) -> bool:
    """Did the number of recipients change since the preview (someone registered)? Then preview again."""
    count = broadcast.recipient_count(event, draft.to)
    if form.expected.data == str(count):
        return True
    flash(_("The number of recipients changed since the preview: check it and send again."), "error")
    return False


def _on_form(error: ValidationFailed) -> ValidationFailed:
    """The service names the recipients' fields ``to.status``; the form calls them ``status``."""
    fields = {name.removeprefix("to."): problems for name, problems in (error.fields or {}).items()}
    return ValidationFailed(fields, error.message)

