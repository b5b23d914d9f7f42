"""The forms of the club pages: a new club, and inviting someone onto its team."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import EmailField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from eventsys.clubs.roles import TEAM_ROLES, Role
from eventsys.clubs.services import SLUG_MAX, ClubDetails
from eventsys.text import ROLE_DESCRIPTIONS, role_label


class ClubForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        validators=[
            Optional(),
            Length(max=SLUG_MAX),
            Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and single hyphens.")),
        ],
        description=_l("The end of the club's address, /clubs/… Made from the name when left empty."),
    )
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Shown on the club's page. Paragraphs, lists, links and *emphasis* (Markdown)."),
    )

    def details(self) -> ClubDetails:
        return ClubDetails(
            name=self.name.data or "", slug=self.slug.data or "", description=self.description.data or ""
        )


def role_with_description(role: Role) -> Markup:
    """"<strong>manager</strong>: everything on the club's events …", in the page's language."""
    label = Markup("<strong>{}</strong>").format(role_label(role))
    return Markup(_("%(role)s: %(description)s")) % {"role": label, "description": ROLE_DESCRIPTIONS[role.value]}


def role_choices() -> list[SelectChoice]:
    """Each team role with what it may do (said when the form is made)."""
    return [SelectChoice(role.value, role_with_description(role)) for role in TEAM_ROLES]


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter the address to invite.")), Email(), Length(max=254)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        description=_l("They get a link by e-mail that works once, for 7 days."),
    )
    role = RadioField(_l("Role"), validators=[DataRequired(message=_l("Choose a role."))], default="steward")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
