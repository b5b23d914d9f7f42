"""Invitations to an invite-only event: the organizer sends a list of people their personal links."""

from __future__ import annotations

from flask_babel import gettext as _

from eventsys.api import api_bp
from eventsys.api.auth import caller
from eventsys.api.schema import Field, json_body, read_fields
from eventsys.errors import ValidationFailed
from eventsys.events.services import find_managed_event
from eventsys.i18n import page_language
from eventsys.registration.invitations import MAX_PEOPLE, invite_people

INVITATION_FIELDS = {"people": Field(list, required=True)}


@api_bp.post("/events/<slug>/invitations")
def create_invitations(slug: str):
    event = find_managed_event(slug, caller().require_organizer())
    people = read_fields(json_body(), INVITATION_FIELDS)["people"]
    if len(people) > MAX_PEOPLE:
        raise ValidationFailed({"people": [_("Invite at most %(num)s people at a time.", num=f"{MAX_PEOPLE:,}")]})
    not_objects = {
        f"people.{index}": [_("Must be an object with a name and an email.")]
        for index, person in enumerate(people)
        if not isinstance(person, dict)
    }
    if not_objects:
        raise ValidationFailed(not_objects)
    result = invite_people(event, people, page_language())
    return {"invited": result.invited, "skipped": result.skipped}, 201
