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
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload

from eventsys.backoffice.forms import by_hand_form, edit_form
from eventsys.backoffice.history import history_of
from eventsys.checkin.services import EventAtDoor, Scanner, ScanRequest, check_in
from eventsys.errors import DomainError, ValidationFailed
from eventsys.events.models import Event
from eventsys.events.services import find_managed_event
from eventsys.extensions import db
from eventsys.forms import add_field_errors
from eventsys.pagination import page_of
from eventsys.registration import listing, services
from eventsys.registration.forms import add_service_findings, answer_errors_to_fields
from eventsys.registration.listing import TABS, AttendeeFilter
from eventsys.registration.models import Registration
from eventsys.registration.serializers import answers_json
from eventsys.registration.services import BULK_ACTIONS, MAX_BULK, ByHand
from eventsys.text import as_single_line

backoffice_bp = Blueprint("backoffice", __name__, url_prefix="/manage/events")

PER_PAGE = 50
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FILTER_ARGS = ("q", "tab", "status", "checked_in", "ticket_type", "registered_after", "registered_before", "sort")
SORT_LABELS = {"created_at": "Oldest first", "-created_at": "Newest first", "name": "Name A–Z", "-name": "Name Z–A"}
ACTION_LABELS = {"approve": "Approve", "reject": "Reject", "cancel": "Cancel", "resend": "Resend the e-mail to"}
# One registration's actions: (service, what the flash says). Check-in is the door's service.
ACTIONS: dict[str, tuple[Callable[..., Any], str]] = {
    "approve": (services.approve_registration, "Approved."),
    "reject": (services.reject_registration, "Rejected; they get an e-mail saying so."),
    "cancel": (services.cancel_registration, "Cancelled; the seat goes to the waiting list."),
    "resend": (services.resend_ticket, "The e-mail is queued again."),
}
# What an action does, said once for one registration and for many.
ACTION_TEXTS = {
    "approve": "Each gets their ticket by e-mail, or a place on the waiting list when the event is full.",
    "reject": "Each gets an e-mail saying the registration was not accepted. This cannot be undone.",
    "cancel": "Each ticket stops working and its seat goes to the next person waiting. This cannot be undone.",
    "resend": "Each gets their ticket, or where they stand, by e-mail again.",
}
BULK_DONE = {"approve": "Approved", "reject": "Rejected", "cancel": "Cancelled", "resend": "E-mail queued again"}
HISTORY_LABELS = {
    "registered": "Registered",
    "confirmed": "Confirmed",
    "waitlisted": "On the waiting list",
    "pending_approval": "Waiting for approval",
    "approved": "Approved",
    "rejected": "Rejected",
    "cancelled": "Cancelled",
    "promoted": "Promoted from the waiting list",
    "edited": "Edited",
    "ticket_type_changed": "Ticket type changed",
    "mail_sent": "E-mail sent",
    "mail_failed": "E-mail failed",
    "checked_in": "Checked in",
    "checked_out": "Checked out",
    "checkin_undone": "Check-in undone",
}


@backoffice_bp.context_processor
def labels() -> dict[str, Any]:
    return {
        "action_labels": ACTION_LABELS,
        "action_texts": ACTION_TEXTS,
        "bulk_done": BULK_DONE,
        "history_labels": HISTORY_LABELS,
    }


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
    try:
        return listing.filter_from_args(args, event), {}
    except ValidationFailed as exc:
        errors = exc.fields or {}
        kept = {name: value for name, value in args.items() if name not in errors}
        return listing.filter_from_args(kept, event), errors


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
    event = _managed(slug)
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
        flash("Choose what to do with the selected registrations.", "error")
        return redirect(back)
    if not codes:
        flash("Select at least one registration first.", "error")
        return redirect(back)
    if len(codes) > MAX_BULK:
        flash(f"Select at most {MAX_BULK} registrations at once.", "error")
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
    event = _managed(slug)
    found = services.find_registration(event, code)
    return render_template(
        "backoffice/registration.html",
        event=event,
        registration=found,
        answers=answers_json(found),
        history=history_of(found),
    )


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
        flash(f"{found.name} ({found.code}): {message}", "success")
    return redirect(url_for("backoffice.registration", slug=slug, code=found.code))


@backoffice_bp.post("/<slug>/registrations/<code:code>/check-in")
def check_in_by_hand(slug: str, code: str):
    """The organizer lets someone in from the office: the door's rule and log, the organizer as gate."""
    event = _managed(slug)
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
                flash("Changes saved.", "success")
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
                flash(f"{added.name} is added: {added.status.value.replace('_', ' ')}.", "success")
                return redirect(url_for("backoffice.registration", slug=slug, code=added.code))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("backoffice/edit.html", event=event, registration=None, form=form), status
