from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import AnyOf, DataRequired, Length

DOOR_ROLE_CHOICES = [
    SelectChoice("supervisor", _l("Supervisor: scan, look people up by name, see the numbers")),
    SelectChoice("steward", _l("Steward: scan tickets only")),
]


class DoorLinkForm(FlaskForm):
    label = StringField(
        _l("Gate name"),
        validators=[DataRequired(message=_l("Name the gate, e.g. North door.")), Length(max=200)],
        description=_l("Shown on the door page and recorded with every scan made through this link."),
    )
    role = RadioField(_l("What the gate may do"), choices=DOOR_ROLE_CHOICES, default="supervisor", validate_choice=True)
    offline = BooleanField(
        _l("Keep admitting people when the network drops"),
        default=True,
        description=_l(
            "The gate judges scans on its own from an encrypted dataset and uploads them later. Untick it "
            "for an online-only gate, where a double admission is worse than a queue."
        ),
    )


class GateOfflineForm(FlaskForm):
    """The door access page's switch for one gate: "yes" lets it work offline, "no" makes it online-only."""

    offline = HiddenField(validators=[AnyOf(["yes", "no"])])


class DoorStaffForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(message=_l("Enter the address to invite.")), Length(max=254)],
        description=_l("They get a link to accept; they can check people in at this event and nothing else."),
    )
    role = RadioField(
        _l("What they may do"),
        choices=DOOR_ROLE_CHOICES,
        default="supervisor",
        validate_choice=True,
        id="staff-role",  # the door link form beside it has a role too
    )
