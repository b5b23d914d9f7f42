"""Benchmark: a rush of registrations (wrk, 16 connections) against gunicorn on SQLite.

Prints confirmed registrations per second and p50/p99 latency, then checks the database agrees
with what the clients were told. Run with `make bench-register` (or `python bench/registrations.py`).
"""

from __future__ import annotations

from harness import Bench, arguments, create_published_event


def main() -> None:
    args = arguments(__doc__)
    bench = Bench(workers=args.workers, threads=args.threads)
    try:
        bench.migrate()
        app = bench.app()
        with app.app_context():
            from sqlalchemy import func, select

            from eventsys.extensions import db
            from eventsys.registration.models import Registration, RegistrationStatus

            slug = create_published_event("Bench Conf", capacity=1_000_000).slug
        bench.serve()
        result = bench.wrk(f"/api/v1/events/{slug}/registrations", "register.lua", args.seconds, args.connections)
        with app.app_context():
            confirmed = db.session.scalar(
                select(func.count()).where(Registration.status == RegistrationStatus.CONFIRMED)
            )
        created = result["requests"] - result["non_2xx"]
        setup = f"{args.connections} connections, {args.workers} gunicorn workers, SQLite"
        print(f"registrations: {setup}, {result['seconds']:.1f} s")
        print(f"  answers: {result['requests']}, not 2xx: {result['non_2xx']}")
        print(f"  confirmed registrations/s: {created / result['seconds']:.0f}")
        print(f"  latency p50 {result['p50']:.1f} ms, p90 {result['p90']:.1f} ms, p99 {result['p99']:.1f} ms")
        print(f"  confirmed in the database: {confirmed} (clients were told {created}; wrk drops in-flight answers)")
        if not created <= confirmed <= created + args.connections:
            raise SystemExit("MISMATCH between the database and the responses")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
