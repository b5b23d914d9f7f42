"""Benchmark: 16 door scanners (wrk) against gunicorn on SQLite with 10,000 confirmed tickets.

Prints judged scans per second and p50/p99 latency, and checks that every ticket was admitted
exactly once. Run with `make bench-checkin` (or `python bench/checkins.py`).
"""

from __future__ import annotations

import os

from harness import Bench, arguments, create_published_event


def main() -> None:
    args = arguments(__doc__, tickets=10_000)
    bench = Bench(workers=args.workers, threads=args.threads)
    try:
        bench.migrate()
        app = bench.app()
        with app.app_context():
            from sqlalchemy import func, select

            from eventsys.auth.models import TokenKind
            from eventsys.auth.services import issue_token
            from eventsys.checkin.models import CheckinResult, Scan
            from eventsys.extensions import db
            from eventsys.registration.models import Registration
            from eventsys.registration.services import RegistrationRequest, register_attendee
            from eventsys.registration.tickets import qr_payload_of

            event = create_published_event("Door Bench")
            payloads = [
                qr_payload_of(register_attendee(event, RegistrationRequest(f"Guest {n}", f"g{n}@example.org")))
                for n in range(args.tickets)
            ]
            _, token = issue_token(event.owner, TokenKind.DOOR, "Bench gate", event_id=event.id)
            slug = event.slug
        payload_file = bench.dir / "payloads.txt"
        payload_file.write_text("\n".join(payloads) + "\n")
        os.environ.update(PAYLOADS=str(payload_file), TOKEN=token)
        bench.serve()
        result = bench.wrk(f"/api/v1/events/{slug}/checkins", "scan.lua", args.seconds, args.connections)
        bench.stop()  # the last scans are still being judged when wrk returns
        with app.app_context():
            admitted = db.session.scalar(select(func.count()).where(Registration.checked_in_at.isnot(None)))
            verdicts = dict(db.session.execute(select(Scan.result, func.count()).group_by(Scan.result)).all())
            ok_scans = verdicts.get(CheckinResult.OK, 0)
        judged = result["requests"] - result["non_2xx"]
        setup = f"{args.connections} connections, {args.workers} gunicorn workers, SQLite, {args.tickets} tickets"
        print(f"check-in: {setup}")
        print(f"  answers: {result['requests']}, not 200: {result['non_2xx']}")
        print(f"  verdicts logged: { {str(k): v for k, v in verdicts.items()} }")
        print(f"  judged scans/s: {judged / result['seconds']:.0f}")
        print(f"  latency p50 {result['p50']:.1f} ms, p90 {result['p90']:.1f} ms, p99 {result['p99']:.1f} ms")
        print(f"  admitted in the database: {admitted}; ok scans logged: {ok_scans}")
        print(f"  scans judged after wrk stopped counting: {sum(verdicts.values()) - result['requests']}")
        if admitted != ok_scans:
            raise SystemExit("MISMATCH: a ticket was admitted more than once, or an admission was not logged")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
