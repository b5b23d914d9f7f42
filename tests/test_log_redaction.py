"""Which parts of a log line are secret: what follows /door/, /t/, /door-invite/, /join/ and /password/reset/."""

import pytest

from eventsys.log_redaction import redact


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        ('"GET /door/esd_a-B_9 HTTP/1.1" 302', '"GET /door/<redacted> HTTP/1.1" 302'),
        ("/t/2WNOY7ONF67NKVH5/qr.png", "/t/<redacted>/qr.png"),
        ("GET /t/2WNOY7ONF67NKVH5/event.ics?download=1", "GET /t/<redacted>/event.ics?download=1"),
        ('"http://127.0.0.1:5000/t/2WNOY7ONF67NKVH5"', '"http://127.0.0.1:5000/t/<redacted>"'),  # a Referer
        ("GET /login?next=%2Fdoor-invite%2Fa1b2c3&x=1", "GET /login?next=%2Fdoor-invite%2F<redacted>&x=1"),
        ("GET /login?next=/door-invite/a1b2c3", "GET /login?next=/door-invite/<redacted>"),
        ("next=https%3A%2F%2Fhost%2Ft%2FSECRET", "next=https%3A%2F%2Fhost%2Ft%2F<redacted>"),
        ("GET /door%2fesd_abc HTTP/1.1", "GET /door%2f<redacted> HTTP/1.1"),  # the router reads %2F as /
        ("Unhandled error on GET /t/SECRET", "Unhandled error on GET /t/<redacted>"),
        ("POST /password/reset/Zk3-x_9 HTTP/1.1", "POST /password/reset/<redacted> HTTP/1.1"),
        ("GET /login?next=%2Fpassword%2Freset%2FZk3", "GET /login?next=%2Fpassword%2Freset%2F<redacted>"),
        ("POST /join/EA4UF4PE3SP6R3V3 HTTP/1.1", "POST /join/<redacted> HTTP/1.1"),  # a club team invitation
        ("GET /signup?next=%2Fjoin%2FEA4UF4PE", "GET /signup?next=%2Fjoin%2F<redacted>"),
        ("POST /api/v1/join/EA4UF4PE3SP6R3V3 HTTP/1.1", "POST /api/v1/join/<redacted> HTTP/1.1"),
    ],
)
def test_secrets_in_paths_queries_and_referers_are_redacted(line, logged):
    assert redact(line) == logged


@pytest.mark.parametrize(
    "line",
    [
        "GET /events/t/door/state HTTP/1.1",  # an event whose slug is "t": the door page's own requests
        "POST /events/door/door/scan HTTP/1.1",
        "GET /manage/events/x/door-access HTTP/1.1",
        "GET /t/ HTTP/1.1",
        "POST /password/forgot HTTP/1.1",
        "GET /account/password HTTP/1.1",
        "POST /api/v1/events/x/checkins HTTP/1.1",
        "GET /events/join/register HTTP/1.1",  # an event whose slug is "join"
        "GET /clubs/join/events.ics HTTP/1.1",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",
    ],
)
def test_paths_without_a_secret_are_logged_as_they_are(line):
    assert redact(line) == line
