"""Benchmark: how fast the outbox drains into an SMTP server, against plain smtplib.

Queues ``--messages`` ticket e-mails (default 2,000; `make bench-mail MESSAGES=10000`) by
registering that many attendees on SQLite, then drains them with ``send_due`` (rendered at send
time, QR code and calendar file included, a claim and a result written per message) into a local
aiosmtpd sink on loopback that only counts. Baseline: plain smtplib sending the same number of
pre-built messages (copies of one our sender delivered, same size) over one connection to the same
sink. Prints both rates and their ratio, and the connections the sink saw: the sender must reuse
one SMTP connection for a round, so draining takes one connection per ``send_due`` call. Also the
CPU time per message of each (this process's, the sink's thread included in both): on a busy
machine the wall-clock rates drift with the load, the CPU times much less.
Run with `make bench-mail`.
"""

from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.smtp import free_port  # noqa: E402

TARGET_PER_SECOND = 10_000 / 3600  # the bar: 10,000 messages must not take an hour


class CountingSink:
    """An SMTP server's handler that keeps nothing but counts: messages, and connections (peers)."""

    def __init__(self) -> None:
        self.messages = 0
        self.peers: set[tuple[str, int]] = set()
        self.sample: bytes | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages += 1
        self.peers.add(session.peer)
        self.sample = self.sample or envelope.content
        return "250 Message accepted"

    def reset(self) -> None:
        self.messages, self.peers = 0, set()


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("messages", nargs="?", type=int, default=2_000, help="how many (default 2,000)")
    return parser.parse_args()


def make_app(database: Path, smtp_port: int):
    from eventsys import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "SECRET_KEY": "bench",
            "TICKET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_port,
            "MAIL_DEFAULT_SENDER": "TECOM <tickets@tecom.example.org>",
            "MAIL_SENDER_THREAD": False,
        }
    )


def queue_messages(count: int) -> float:
    """``count`` registrations, each queueing its ticket e-mail; returns the seconds it took."""
    from flask_migrate import upgrade
    from harness import create_published_event

    from eventsys.extensions import db
    from eventsys.registration.services import RegistrationRequest, register_attendee

    upgrade()
    event = create_published_event("TECOM Conf Hangzhou")
    event.reminder_hours_before = None  # it starts tomorrow: only the tickets, not their reminders too
    db.session.commit()
    started = time.perf_counter()
    for n in range(count):
        register_attendee(event, RegistrationRequest(f"Guest {n}", f"guest{n}@example.org"))
    return time.perf_counter() - started


def drain() -> tuple[float, float, int, int]:
    """send_due until the outbox is empty: seconds, CPU seconds, messages sent, send_due calls."""
    from eventsys.mail.sender import send_due

    started, cpu, sent, rounds = time.perf_counter(), time.process_time(), 0, 0
    while report := send_due():
        rounds += 1
        sent += report.sent
        if not report.handled:
            break
    return time.perf_counter() - started, time.process_time() - cpu, sent, rounds


def baseline(port: int, message: bytes, count: int) -> tuple[float, float]:
    """Plain smtplib: ``count`` copies of one message over one connection; seconds and CPU seconds."""
    recipients = [f"guest{n}@example.org" for n in range(count)]
    started, cpu = time.perf_counter(), time.process_time()
    with smtplib.SMTP("127.0.0.1", port, local_hostname="localhost") as smtp:
        for recipient in recipients:
            smtp.sendmail("tickets@tecom.example.org", [recipient], message)
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    args = parse_arguments()
    sink = CountingSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory(prefix="eventsys-bench-mail-") as folder:
            app = make_app(Path(folder) / "bench.db", port)
            with app.app_context():
                queued_s = queue_messages(args.messages)
                print(f"queued {args.messages} ticket e-mails in {queued_s:.1f} s (registering the attendees)")
                seconds, cpu_seconds, sent, rounds = drain()
        ours_rate = sent / seconds
        our_connections = len(sink.peers)
        assert sink.messages == sent == args.messages, (sink.messages, sent, args.messages)
        sample = sink.sample
        sink.reset()
        bare_seconds, bare_cpu_seconds = baseline(port, sample, args.messages)
        bare_rate = args.messages / bare_seconds
        assert sink.messages == args.messages and len(sink.peers) == 1
    finally:
        controller.stop()

    print(f"message size: {len(sample) / 1024:.1f} KiB (text, HTML, QR code, calendar file)")
    print(
        f"eventsys send_due: {sent} messages in {seconds:.1f} s = {ours_rate:.0f} messages/s, "
        f"{rounds} send_due rounds, {our_connections} SMTP connections"
    )
    print(f"baseline smtplib:  {args.messages} pre-built messages in {bare_seconds:.1f} s = {bare_rate:.0f} messages/s")
    print(f"ratio: eventsys at {ours_rate / bare_rate:.2f}x the bare connection's rate")
    ours_cpu, bare_cpu = cpu_seconds / sent * 1000, bare_cpu_seconds / args.messages * 1000
    print(f"CPU a message: eventsys {ours_cpu:.2f} ms, baseline {bare_cpu:.2f} ms ({bare_cpu / ours_cpu:.2f}x)")
    print(f"10,000 messages would take {10_000 / ours_rate / 60:.1f} minutes")
    verdict = "OK" if ours_rate >= TARGET_PER_SECOND else "TOO SLOW"
    print(f"target: 10,000 within the hour, at least {TARGET_PER_SECOND:.1f} messages/s: {verdict}")
    if our_connections > rounds:
        raise SystemExit(f"the sender opened {our_connections} connections for {rounds} rounds: not reused")


if __name__ == "__main__":
    main()
