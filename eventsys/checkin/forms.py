from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import DataRequired, Length


class DoorLinkForm(FlaskForm):
    label = StringField(
        "Gate name",
        validators=[DataRequired(message="Name the gate, e.g. North door."), Length(max=200)],
        description="Shown on the door page and recorded with every scan made through this link.",
    )


class DoorStaffForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        validators=[DataRequired(message="Enter the address to invite."), Length(max=254)],
        description="They get a link to accept; they can check people in at this event and nothing else.",
    )
