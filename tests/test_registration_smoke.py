import pytest

from eventsys.errors import AlreadyRegistered, SoldOut
from eventsys.registration.models import RegistrationStatus
from eventsys.registration.services import RegistrationRequest, cancel_registration, register_attendee
from tests.conftest import make_event

pytestmark = pytest.mark.both_databases


def test_capacity_waitlist_and_promotion(app):
    event = make_event(capacity=1)
    first = register_attendee(event, RegistrationRequest("Li Wei", "LI@example.org"))
    assert first.status == RegistrationStatus.CONFIRMED and first.email == "li@example.org"
    second = register_attendee(event, RegistrationRequest("Ana", "ana@example.org"))
    assert second.status == RegistrationStatus.WAITLISTED
    with pytest.raises(AlreadyRegistered):
        register_attendee(event, RegistrationRequest("Li again", "li@EXAMPLE.org"))
    cancel_registration(first)
    from eventsys.extensions import db

    db.session.refresh(second)
    assert second.status == RegistrationStatus.CONFIRMED


def test_sold_out_without_waitlist(app):
    event = make_event(capacity=1, waitlist=False)
    register_attendee(event, RegistrationRequest("Li Wei", "li@example.org"))
    with pytest.raises(SoldOut):
        register_attendee(event, RegistrationRequest("Ana", "ana@example.org"))
