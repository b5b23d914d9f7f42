"""The organizer's back office pages: the attendee list (tabs, search, filters, chosen answer
columns, bulk actions), one registration with its timeline and actions, adding someone by hand.

Every change goes through the registration and check-in services, as the API's do; these views
only read the form, ask for confirmation where a change is hard to take back, and show the result.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from eventsys.backoffice.forms import by_hand_form, edit_form
from eventsys.backoffice.history import history_of
from eventsys.checkin.services import EventAtDoor, Scanner, ScanRequest, check_in
from eventsys.clubs.roles import Permission, allowed
from eventsys.errors import DomainError, ValidationFailed
from eventsys.events.models import Event
from eventsys.events.services import find_event_for, find_managed_event
from eventsys.extensions import db
from eventsys.forms import add_field_errors
from eventsys.pagination import page_of
from eventsys.registration import listing, services
from eventsys.registration.answers import shown_answer
from eventsys.registration.forms import add_service_findings, answer_errors_to_fields
from eventsys.registration.listing import TABS, AttendeeFilter
from eventsys.registration.models import Registration
from eventsys.registration.serializers import answers_json
from eventsys.registration.services import BULK_ACTIONS, MAX_BULK, ByHand
from eventsys.registration.views import MAIL_KIND_LABELS
from eventsys.text import as_single_line, status_label

backoffice_bp = Blueprint("backoffice", __name__, url_prefix="/manage/events")

PER_PAGE = 50
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FILTER_ARGS = ("q", "tab", "status", "checked_in", "ticket_type", "registered_after", "registered_before", "sort")
SORT_LABELS = {
    "created_at": _l("Oldest first"),
    "-created_at": _l("Newest first"),
    "name": _l("Name A–Z"),
    "-name": _l("Name Z–A"),
}
ACTION_LABELS = {
    "approve": _l("Approve"),
    "reject": _l("Reject"),
    "cancel": _l("Cancel"),
    "resend": _l("Resend the e-mail to"),
}
# One registration's actions: the page's title, its question and its button.
ACTION_TITLES = {"approve": _l("Approve"), "reject": _l("Reject"), "cancel": _l("Cancel"), "resend": _l("Resend")}
ACTION_QUESTIONS = {
    "approve": _l("Approve %(name)s?"),
    "reject": _l("Reject %(name)s?"),
    "cancel": _l("Cancel %(name)s?"),
    "resend": _l("Resend the e-mail to %(name)s?"),
}
ACTION_CONFIRMS = {
    "approve": _l("Yes, approve %(name)s"),
    "reject": _l("Yes, reject %(name)s"),
    "cancel": _l("Yes, cancel %(name)s"),
    "resend": _l("Yes, resend the e-mail to %(name)s"),
}
# One registration's actions: (service, what the flash says). Check-in is the door's service.
ACTIONS: dict[str, tuple[Callable[..., Any], Any]] = {
    "approve": (services.approve_registration, _l("Approved.")),
    "reject": (services.reject_registration, _l("Rejected; they get an e-mail saying so.")),
    "cancel": (services.cancel_registration, _l("Cancelled; the seat goes to the waiting list.")),
    "resend": (services.resend_ticket, _l("The e-mail is queued again.")),
}
# What an action does, said once for one registration and for many.
ACTION_TEXTS = {
    "approve": _l("Each gets their ticket by e-mail, or a place on the waiting list when the event is full."),
    "reject": _l("Each gets an e-mail saying the registration was not accepted. This cannot be undone."),
    "cancel": _l("Each ticket stops working and its seat goes to the next person waiting. This cannot be undone."),
    "resend": _l("Each gets their ticket, or where they stand, by e-mail again."),
}
BULK_DONE = {
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    "cancel": _l("Cancelled"),
    "resend": _l("E-mail queued again"),
}
HISTORY_LABELS = {
    "registered": _l("Registered"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("On the waiting list"),
    "pending_approval": _l("Waiting for approval"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "cancelled": _l("Cancelled"),
    "promoted": _l("Promoted from the waiting list"),
    "edited": _l("Edited"),
    "ticket_type_changed": _l("Ticket type changed"),
    "mail_sent": _l("E-mail sent"),
    "mail_failed": _l("E-mail failed"),
    "checked_in": _l("Checked in"),
    "checked_out": _l("Checked out"),
    "checkin_undone": _l("Check-in undone"),
}
# The names of the list's filter fields, for their problems shown above the list.
FILTER_FIELD_LABELS = {"q": _l("Search"), "status": _l("Status"), "checked_in": _l("Checked in"), "sort": _l("Order")}


@backoffice_bp.context_processor
def labels() -> dict[str, Any]:
    return {
        "action_labels": ACTION_LABELS,
        "action_titles": ACTION_TITLES,
        "action_questions": ACTION_QUESTIONS,
        "action_confirms": ACTION_CONFIRMS,
        "action_texts": ACTION_TEXTS,
        "bulk_done": BULK_DONE,
        "history_labels": HISTORY_LABELS,
        "status_label": status_label,
        "shown_answer": shown_answer,
        "filter_field_labels": FILTER_FIELD_LABELS,
        "mail_kind_labels": MAIL_KIND_LABELS,

    }


def _bulk_question(action: str, count: int) -> str:
    """The bulk confirmation's heading: "Approve 3 people?"."""
    questions = {
        "approve": ngettext("Approve %(num)d person?", "Approve %(num)d people?", count),
        "reject": ngettext("Reject %(num)d person?", "Reject %(num)d people?", count),
        "cancel": ngettext("Cancel %(num)d person?", "Cancel %(num)d people?", count),
        "resend": ngettext("Resend the e-mail to %(num)d person?", "Resend the e-mail to %(num)d people?", count),
    }
    return questions[action]


def _bulk_button(action: str, count: int) -> str:
    """The bulk confirmation's button: "Yes, approve 3 people"."""
    buttons = {
        "approve": ngettext("Yes, approve %(num)d person", "Yes, approve %(num)d people", count),
        "reject": ngettext("Yes, reject %(num)d person", "Yes, reject %(num)d people", count),
        "cancel": ngettext("Yes, cancel %(num)d person", "Yes, cancel %(num)d people", count),
        "resend": ngettext(
            "Yes, resend the e-mail to %(num)d person", "Yes, resend the e-mail to %(num)d people", count
        ),
    }
    return buttons[action]


@backoffice_bp.before_request
@login_required
def require_login() -> None:
    """Every back office page needs a logged-in organizer."""


def _managed(slug: str) -> Event:
    return find_managed_event(slug, current_user)


# --- the list ---------------------------------------------------------------------------------


def _filter_args(args: Mapping[str, str]) -> dict[str, str]:
    return {name: args[name] for name in FILTER_ARGS if args.get(name)}


def _read_filter(args: Mapping[str, str], event: Event) -> tuple[AttendeeFilter, dict[str, list[str]]]:
    """The list's filter, and the problems of its fields: a bad field is dropped, the rest apply."""
    by_email = allowed(Permission.READ_CONTACTS)
    try:
        return listing.filter_from_args(args, event, by_email), {}
    except ValidationFailed as exc:
        errors = exc.fields or {}
        kept = {name: value for name, value in args.items() if name not in errors}
        return listing.filter_from_args(kept, event, by_email), errors


def _shown_in_form(args: Mapping[str, str]) -> dict[str, str]:
    """What the filter form's inputs hold: a date input holds a date or nothing."""
    shown = {"q": as_single_line(args.get("q", "")[: listing.MAX_QUERY])}
    for name in ("registered_after", "registered_before"):
        raw = args.get(name, "")[:10]
        shown[name] = raw if DATE.fullmatch(raw) else ""
    return shown


def _chosen_questions(event: Event, args) -> list:
    chosen = set(args.getlist("col"))
    return [question for question in event.questions if str(question.id) in chosen]


@backoffice_bp.get("/<slug>/registrations")
def registrations(slug: str):
    """The list; a supervisor reads it without e-mail addresses (nor searches by them)."""
    event = find_event_for(slug, current_user, Permission.READ_ATTENDEES)
    values, errors = _read_filter(request.args, event)
    counts = listing.tab_counts(event.id, values)
    query = listing.attendees(event.id, values).options(selectinload(Registration.ticket_type))
    page = page_of(
        query,
        request.args.get("page", 1, type=int) or 1,
        PER_PAGE,
        total=counts[values.tab] if values.tab else listing.attendee_count(event.id, values),
        clamp=True,
    )
    filter_args = _filter_args(request.args)
    columns = _chosen_questions(event, request.args)
    list_args = {**filter_args, "col": [str(q.id) for q in columns]}
    page_html = render_template(
        "backoffice/registrations.html",
        event=event,
        values=values,
        errors=errors,
        tabs=TABS,
        counts=counts,
        page=page,
        columns=columns,
        filter_args=filter_args,
        list_args=list_args,
        tab_args={name: value for name, value in list_args.items() if name not in ("tab", "status", "checked_in")},
        shown=_shown_in_form(request.args),
        sort_labels=SORT_LABELS,
        max_bulk=MAX_BULK,
    )
    return page_html, 400 if errors else 200


def _back_to_list(event: Event, form: Mapping[str, str]):
    """The list as the organizer left it (its filter travels with the bulk form)."""
    return url_for("backoffice.registrations", slug=event.slug, **_filter_args(form))


@backoffice_bp.post("/<slug>/registrations/bulk")
def bulk(slug: str):
    """Selected rows and an action: first a page that names everyone it touches, then the result."""
    event = _managed(slug)
    action = request.form.get("action", "")
    codes = list(dict.fromkeys(code.strip().upper() for code in request.form.getlist("codes") if code.strip()))
    back = _back_to_list(event, request.form)
    if action not in BULK_ACTIONS:
        flash(_("Choose what to do with the selected registrations."), "error")
        return redirect(back)
    if not codes:
        flash(_("Select at least one registration first."), "error")
        return redirect(back)
    if len(codes) > MAX_BULK:
        flash(_("Select at most %(num)d registrations at once.", num=MAX_BULK), "error")
        return redirect(back)
    if request.form.get("confirmed") != "yes":
        people = db.session.scalars(
            listing.attendees(event.id, AttendeeFilter(sort="name")).where(Registration.code.in_(codes))
        ).all()
        return render_template(
            "backoffice/bulk_confirm.html",
            event=event,
            action=action,
            label=ACTION_LABELS[action],
            question=_bulk_question(action, len(codes)),
            button=_bulk_button(action, len(codes)),
            people=people,
            codes=codes,
            filter_args=_filter_args(request.form),
            back=back,
        )
    result = services.act_on_many(event, action, codes, current_user)
    names = _names_of(event, codes)
    return render_template(
        "backoffice/bulk_result.html",
        event=event,
        action=action,
        label=ACTION_LABELS[action],
        done=[(code, names.get(code)) for code in result.done],
        failed=[(code, names.get(code), error) for code, error in result.failed],
        back=back,
    )


def _names_of(event: Event, codes: list[str]) -> dict[str, str]:
    rows = db.session.execute(
        listing.attendees(event.id, AttendeeFilter())
        .with_only_columns(Registration.code, Registration.name)
        .where(Registration.code.in_(codes))
    )
    return {code: name for code, name in rows}


# --- one registration -------------------------------------------------------------------------


@backoffice_bp.get("/<slug>/registrations/<code:code>")
def registration(slug: str, code: str):
    event = find_event_for(slug, current_user, Permission.READ_ATTENDEES)
    found = services.find_registration(event, code)
    return render_template(
        "backoffice/registration.html",
        event=event,
        registration=found,
        answers=_shown_answers(found),
        history=history_of(found),
    )


def _shown_answers(registration: Registration) -> list[dict[str, Any]]:
    """Each question with the answer as the organizer reads it (a country by its name in the page's language)."""
    questions = {question.id: question for question in registration.event.questions}
    return [
        {**answer, "value": shown_answer(questions[answer["question_id"]], answer["value"])}
        for answer in answers_json(registration)
    ]


@backoffice_bp.route(
    "/<slug>/registrations/<code:code>/<any(approve, reject, cancel, resend):action>", methods=["GET", "POST"]
)
def registration_action(slug: str, code: str, action: str):
    """GET asks (the page says what will happen); POST does it."""
    event = _managed(slug)
    found = services.find_registration(event, code)
    if request.method == "GET":
        return render_template("backoffice/confirm_action.html", event=event, registration=found, action=action)
    change, message = ACTIONS[action]
    try:
        change(found, current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(name)s (%(code)s): %(message)s", name=found.name, code=found.code, message=message), "success")
    return redirect(url_for("backoffice.registration", slug=slug, code=found.code))


@backoffice_bp.post("/<slug>/registrations/<code:code>/check-in")
def check_in_by_hand(slug: str, code: str):
    """The organizer lets someone in from the office: the door's rule and log, the organizer as gate."""
    event = find_event_for(slug, current_user, Permission.CHECK_IN_BY_HAND)
    found = services.find_registration(event, code)
    scanner = Scanner(gate=current_user.name, user_id=current_user.id)
    try:
        answer = check_in(EventAtDoor(event.id, event.timezone), ScanRequest(code=found.code), scanner)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(answer["message"] + ".", "success" if answer["result"] == "ok" else "error")
    return redirect(url_for("backoffice.registration", slug=slug, code=found.code))


@backoffice_bp.route("/<slug>/registrations/<code:code>/edit", methods=["GET", "POST"])
def edit_registration(slug: str, code: str):
    event = _managed(slug)
    found = services.find_registration(event, code)
    form = edit_form(found)
    if request.method == "POST":
        edit = form.edit()
        if not form.validate_on_submit():
            add_service_findings(form, lambda: services.check_registration_edit(found, edit))
        else:
            try:
                services.edit_registration(found, edit, current_user)
            except ValidationFailed as exc:
                add_field_errors(form, answer_errors_to_fields(exc))
            except DomainError as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
            else:
                flash(_("Changes saved."), "success")
                return redirect(url_for("backoffice.registration", slug=slug, code=found.code))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("backoffice/edit.html", event=event, registration=found, form=form), status


@backoffice_bp.route("/<slug>/registrations/new", methods=["GET", "POST"])
def add_by_hand(slug: str):
    """Walk-ins, speakers, sponsors: no approval, the e-mail optional, past the capacity if asked."""
    event = _managed(slug)
    form = by_hand_form(event)
    if request.method == "POST":
        wanted = form.request()
        if not form.validate_on_submit():
            add_service_findings(form, lambda: services.check_registration_request(event, wanted, email_required=False))
        else:
            by_hand = ByHand(current_user, notify=form.notify.data, over_capacity=form.over_capacity.data)
            try:
                added = services.register_attendee(event, wanted, by_hand)
            except ValidationFailed as exc:
                add_field_errors(form, answer_errors_to_fields(exc))
            except DomainError as exc:
                db.session.rollback()
                form.form_errors.append(exc.message)
            else:
                status = status_label(added.status)
                flash(_("%(name)s is added: %(status)s.", name=added.name, status=status), "success")

                return redirect(url_for("backoffice.registration", slug=slug, code=added.code))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("backoffice/edit.html", event=event, registration=None, form=form), status
