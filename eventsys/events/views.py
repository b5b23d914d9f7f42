"""Public pages (home, event page) and the organizer's event pages."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from eventsys.checkin.numbers import checkin_stats
from eventsys.checkin.services import EventAtDoor
from eventsys.clubs.roles import Role
from eventsys.clubs.services import clubs_of
from eventsys.errors import DomainError, Forbidden, ValidationFailed
from eventsys.events import editions, services
from eventsys.events.forms import (
    QUESTION_KIND_LABELS,
    CopyEventForm,
    EventForm,
    NewEventForm,
    QuestionForm,
    TicketTypeForm,
)
from eventsys.events.models import Event, EventStatus, QuestionKind
from eventsys.extensions import db
from eventsys.forms import add_field_errors
from eventsys.registration.views import render_event_page
from eventsys.text import event_status_label
from eventsys.urls import public_url

public_bp = Blueprint("public", __name__)
manage_bp = Blueprint("manage", __name__, url_prefix="/manage")


manage_bp.add_app_template_global(event_status_label)


@manage_bp.app_template_global()
def question_kind_label(kind: QuestionKind) -> str:
    """A kind of answer as the organizer chose it on the form ("One choice from a list")."""
    return str(QUESTION_KIND_LABELS[kind])


def _viewer():
    return current_user if current_user.is_authenticated else None


@public_bp.get("/")
def home():
    events = db.session.scalars(services.upcoming_public_events().options(selectinload(Event.ticket_types))).all()
    return render_template("events/home.html", events=events, clubs=services.clubs_with_events())


@public_bp.get("/events/<slug>")
def event_page(slug: str):
    """The public event page, with its registration form (kept in the registration package)."""
    return render_event_page(services.find_visible_event(slug, _viewer()))


# --- organizer pages ----------------------------------------------------------------------


def _managed(slug: str) -> Event:
    return services.find_managed_event(slug, current_user)


@manage_bp.before_request
@login_required
def require_login() -> None:
    """Every organizer page needs a logged-in organizer."""


# Where each role works on an event: the dashboard, the check-in numbers, or the door.
WORK_PAGES = {Role.SUPERVISOR: "door.checkin_dashboard", Role.STEWARD: "door.door_page"}


@manage_bp.get("/events")
def my_events():
    """The events the organizer works on, their own and their clubs', each linked to the page of
    their role there."""
    events = db.session.scalars(services.events_owned_by(current_user)).all()
    clubs = clubs_of(current_user)
    in_club = {club.id: role for club, role in clubs}  # one query for every club's events, not one each
    roles = {event.id: in_club.get(event.club_id) if event.club_id else Role.OWNER for event in events}
    pages = {event.id: WORK_PAGES.get(roles[event.id], "manage.event_dashboard") for event in events}
    links = {event.id: url_for(pages[event.id], slug=event.slug) for event in events}
    return render_template("events/my_events.html", events=events, roles=roles, links=links, clubs=clubs)


def _status(form) -> int:
    return 422 if form.errors else 200


def _event_form_page(form: EventForm, event: Event | None):
    """The new or edit event page; the slug field's help names the address the event will have."""
    slug = form.slug.data if form.slug.data and not form.slug.errors else None
    if slug or event:
        address = public_url("public.event_page", slug=slug or event.slug)
        form.slug.description = _("The event's address: %(address)s", address=address)
    elif (form.name.data or "").strip():
        address = public_url("public.event_page", slug=services.unique_slug_from(form.name.data))
        form.slug.description = _("Left empty, the address is made from the name: %(address)s", address=address)
    return render_template("events/event_form.html", form=form, event=event), _status(form)


def _new_event_form() -> NewEventForm:
    """The new-event form, with a choice of club when the organizer may create events in one."""
    form = NewEventForm()
    clubs = services.clubs_for_new_event(current_user)
    if clubs:
        form.club.choices = [SelectChoice("", _("Just me")), *(SelectChoice(club.slug, club.name) for club in clubs)]
        if not form.is_submitted():
            form.club.data = request.args.get("club", "")
    else:
        del form.club
    return form


@manage_bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = _new_event_form()
    if form.validate_on_submit():
        try:
            chosen = form.club.data if "club" in form else None
            club = services.club_for_new_event(current_user, chosen) if chosen else None
            event = services.create_event(current_user, form.details(), club=club)
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        except Forbidden as exc:
            add_field_errors(form, ValidationFailed({"club": [exc.message]}))
        else:
            message = _(
                "“%(name)s” is created as a draft. Add ticket types and questions, then publish it.", name=event.name
            )
            flash(message, "success")
            return redirect(url_for("manage.event_dashboard", slug=event.slug))
    if not form.is_submitted():  # a new event's zone: the organizer's browser's (static/js/forms.js)
        form.timezone.render_kw = {"data-browser-default": True}
    return _event_form_page(form, None)


@manage_bp.get("/events/<slug>")
def event_dashboard(slug: str):
    return _dashboard(_managed(slug))


def _dashboard(event: Event, ticket_type_form=None, question_form=None, status: int = 200):
    """The organizer's page for one event; the add forms come back with their errors when they failed."""
    page = render_template(
        "events/dashboard.html",
        event=event,
        ticket_type_form=ticket_type_form or TicketTypeForm(formdata=None),
        question_form=question_form or QuestionForm(formdata=None),
        stats=checkin_stats(EventAtDoor(event.id, event.timezone)),
        stats_url=url_for("door.checkin_stats_json", slug=event.slug),
    )
    return page, status


@manage_bp.route("/events/<slug>/edit", methods=["GET", "POST"])
def edit_event(slug: str):
    event = _managed(slug)
    form = EventForm()
    if request.method == "GET":
        form.fill_from(event)
    elif form.validate_on_submit():
        try:
            services.update_event(event, form.details(), by=current_user)
        except DomainError as exc:
            db.session.rollback()
            add_field_errors(form, exc, fallback_field="capacity")
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("manage.event_dashboard", slug=event.slug))
    return _event_form_page(form, event)


@manage_bp.route("/events/<slug>/copy", methods=["GET", "POST"])
def copy_event(slug: str):
    """Next year's edition: a draft with the original's settings, its dates moved with the start."""
    event = _managed(slug)
    form = CopyEventForm()
    if request.method == "GET":
        form.fill_from(event)
    elif form.validate_on_submit():
        try:
            edition = editions.copy_event(
                event, current_user, form.name.data, form.starts_at_utc(event), form.slug.data or None
            )
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            message = _(
                "“%(name)s” is created as a draft, a copy of “%(original)s”. Check it, then publish it.",
                name=edition.name,
                original=event.name,
            )
            flash(message, "success")
            return redirect(url_for("manage.event_dashboard", slug=edition.slug))
    form.starts_at.description = _("In the event's time zone, %(zone)s.", zone=event.timezone)
    return render_template("events/copy_event.html", event=event, form=form), _status(form)


STATUS_ACTIONS = {
    "publish": (EventStatus.PUBLISHED, _l("Published: the event page is live and listed on the home page.")),
    "unpublish": (EventStatus.DRAFT, _l("Unpublished: the event is a draft again, visible only to you.")),
    "cancel": (EventStatus.CANCELLED, _l("The event is cancelled. Its page says so.")),
}


@manage_bp.route("/events/<slug>/<any(publish, unpublish, cancel):action>", methods=["GET", "POST"])
def change_status(slug: str, action: str):
    event = _managed(slug)
    target, message = STATUS_ACTIONS[action]
    if request.method == "GET":
        return render_template("events/confirm_status.html", event=event, action=action)
    try:
        services.change_status(event, target, by=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(str(message), "success")  # the lazy text, said now: the session keeps strings
    return redirect(url_for("manage.event_dashboard", slug=event.slug))


# --- ticket types ---------------------------------------------------------------------------


@manage_bp.post("/events/<slug>/ticket-types")
def add_ticket_type(slug: str):
    event = _managed(slug)
    form = TicketTypeForm()
    if form.validate_on_submit():
        try:
            services.add_ticket_type(
                event,
                form.name.data,
                form.capacity.data,
                form.description.data or "",
                form.translations(),
                by=current_user,
            )
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            flash(_("Ticket type “%(name)s” added.", name=form.name.data.strip()), "success")
            return redirect(url_for("manage.event_dashboard", slug=slug, _anchor="ticket-types"))
    return _dashboard(event, ticket_type_form=form, status=422)


@manage_bp.route("/events/<slug>/ticket-types/<int:ticket_type_id>", methods=["GET", "POST"])
def edit_ticket_type(slug: str, ticket_type_id: int):
    event = _managed(slug)
    ticket_type = services.find_ticket_type(event, ticket_type_id)
    form = TicketTypeForm(obj=ticket_type if request.method == "GET" else None)
    if request.method == "GET":
        form.fill_translations(ticket_type)
    elif form.validate_on_submit():
        try:
            services.update_ticket_type(
                ticket_type,
                form.name.data,
                form.capacity.data,
                form.description.data or "",
                form.translations(),
                by=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            add_field_errors(form, exc, fallback_field="capacity")
        else:
            flash(_("Ticket type saved."), "success")
            return redirect(url_for("manage.event_dashboard", slug=slug, _anchor="ticket-types"))
    return render_template("events/ticket_type_form.html", event=event, ticket_type=ticket_type, form=form), _status(
        form
    )


@manage_bp.route("/events/<slug>/ticket-types/<int:ticket_type_id>/delete", methods=["GET", "POST"])
def delete_ticket_type(slug: str, ticket_type_id: int):
    """GET asks; POST deletes."""
    event = _managed(slug)
    ticket_type = services.find_ticket_type(event, ticket_type_id)
    if request.method == "GET":
        return render_template("events/confirm_delete_ticket_type.html", event=event, ticket_type=ticket_type)
    try:
        services.delete_ticket_type(ticket_type, by=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Ticket type deleted."), "success")
    return redirect(url_for("manage.event_dashboard", slug=slug, _anchor="ticket-types"))


# --- questions --------------------------------------------------------------------------------


@manage_bp.post("/events/<slug>/questions")
def add_question(slug: str):
    event = _managed(slug)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            services.add_question(event, form.details(), by=current_user)
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            flash(_("Question added."), "success")
            return redirect(url_for("manage.event_dashboard", slug=slug, _anchor="questions"))
    return _dashboard(event, question_form=form, status=422)


@manage_bp.route("/events/<slug>/questions/<int:question_id>", methods=["GET", "POST"])
def edit_question(slug: str, question_id: int):
    event = _managed(slug)
    question = services.find_question(event, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        try:
            services.update_question(question, form.details(), by=current_user)
        except ValidationFailed as exc:
            add_field_errors(form, exc)
        else:
            flash(_("Question saved."), "success")
            return redirect(url_for("manage.event_dashboard", slug=slug, _anchor="questions"))
    return render_template("events/question_form.html", event=event, question=question, form=form), _status(form)


@manage_bp.post("/events/<slug>/questions/<int:question_id>/<any(delete, up, down):action>")
def question_action(slug: str, question_id: int, action: str):
    event = _managed(slug)
    question = services.find_question(event, question_id)
    if action == "delete":
        services.delete_question(question, by=current_user)
        flash(_("Question deleted."), "success")
    else:
        services.move_question(question, -1 if action == "up" else 1, by=current_user)
    return redirect(
        url_for(
            "manage.event_dashboard",
            slug=slug,
            _anchor=f"question-{question_id}" if action != "delete" else "questions",
        )
    )
