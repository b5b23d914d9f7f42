"""Benchmark: a rush of registrations (wrk, 16 connections) against gunicorn on SQLite, beside
the bare sketch of the same transaction (bench/baseline.py) in the same run.

This machine's speed drifts, so the two are measured back to back, alternated for ``--rounds``
rounds, each on a fresh copy of one migrated database; what counts is their ratio. After each
run the database must agree with what the clients were told. Run with `make bench-register`.
"""

from __future__ import annotations

import sqlite3
import statistics
from contextlib import closing
from dataclasses import dataclass

from harness import ROOT, Bench, arguments, create_published_event

VARIANTS = {  # name: (WSGI app, its folder on the Python path)
    "eventsys": ("app:app", None),
    "baseline": ("baseline:app", str(ROOT / "bench")),
}
# Unmeasured load first: gunicorn answers once one worker is up, and importing eventsys takes the
# others a second or two longer than importing the baseline; no variant is timed while booting.
WARM_UP_SECONDS = 2
TARGET_THROUGHPUT_RATIO = 1.5  # the baseline may be at most this much faster ...
TARGET_P99_RATIO = 2.0  # ... and its p99 at most this much shorter


@dataclass
class Run:
    registrations_per_s: float
    p50: float
    p99: float
    non_2xx: int
    cpu_ms: float  # the server's CPU time per answer


def count_confirmed(database_url: str) -> tuple[int, int, int]:
    """Confirmed registrations, their queued ticket mails, and the seats the event counts as taken."""
    with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"))) as connection:
        return connection.execute(
            "SELECT (SELECT count(*) FROM registrations WHERE status = 'confirmed'),"
            " (SELECT count(*) FROM outbox_messages WHERE kind = 'confirmed'),"
            " (SELECT sum(seats_taken) FROM events)"
        ).fetchone()


def run_once(bench: Bench, variant: str, name: str, slug: str, seconds: int, connections: int) -> Run:
    database_url = bench.copy_database(name)
    wsgi, pythonpath = VARIANTS[variant]
    bench.serve(wsgi, pythonpath, database_url)
    path = f"/api/v1/events/{slug}/registrations"
    try:
        warm_up = bench.wrk(path, "register.lua", WARM_UP_SECONDS, connections, 2, "warm-up")
        cpu_before = bench.cpu_seconds()
        result = bench.wrk(path, "register.lua", seconds, connections, 2, "measured")
        cpu = bench.cpu_seconds() - cpu_before
    finally:
        bench.stop()
    created = result["requests"] - result["non_2xx"]
    told = created + warm_up["requests"] - warm_up["non_2xx"]
    confirmed, mails, seats = count_confirmed(database_url)
    if not told <= confirmed <= told + 2 * connections or not confirmed == mails == seats:
        raise SystemExit(
            f"MISMATCH ({name}): clients were told {told}, the database has {confirmed} confirmed,"
            f" {mails} ticket mails, {seats} seats taken"
        )
    cpu_ms = cpu / result["requests"] * 1000
    return Run(created / result["seconds"], result["p50"], result["p99"], result["non_2xx"], cpu_ms)


def summary(runs: list[Run]) -> Run:
    """The rounds' means (their throughputs, percentiles) and every non-2xx answer."""
    return Run(
        statistics.fmean(r.registrations_per_s for r in runs),
        statistics.fmean(r.p50 for r in runs),
        statistics.fmean(r.p99 for r in runs),
        sum(r.non_2xx for r in runs),
        statistics.fmean(r.cpu_ms for r in runs),
    )


def ratio(ours: Run, baseline: Run) -> tuple[float, float]:
    """How much faster the baseline went, and how much longer our p99 took."""
    return baseline.registrations_per_s / ours.registrations_per_s, ours.p99 / baseline.p99


def ratios(ours: Run, baseline: Run) -> str:
    throughput, p99 = ratio(ours, baseline)
    return (
        f"baseline/eventsys {throughput:.2f}x (target <= {TARGET_THROUGHPUT_RATIO}x),"
        f" p99 eventsys/baseline {p99:.2f}x (target <= {TARGET_P99_RATIO}x),"
        f" CPU/answer eventsys/baseline {ours.cpu_ms / baseline.cpu_ms:.2f}x"
    )


def line(label: str, run: Run) -> str:
    return (
        f"  {label:<18} {run.registrations_per_s:6.0f} registrations/s   p50 {run.p50:6.1f} ms"
        f"   p99 {run.p99:6.1f} ms   not 2xx {run.non_2xx}   server CPU {run.cpu_ms:.2f} ms/answer"
    )


def main() -> None:
    args = arguments(__doc__, rounds=3)
    bench = Bench(workers=args.workers, threads=args.threads)
    try:
        bench.migrate()
        app = bench.app()
        with app.app_context():
            slug = create_published_event("Bench Conf", capacity=1_000_000).slug
        print(
            f"registrations: {args.connections} connections, {args.workers} gunicorn workers, SQLite,"
            f" {args.rounds} rounds of {args.seconds} s, eventsys and baseline alternated"
        )
        runs: dict[str, list[Run]] = {variant: [] for variant in VARIANTS}
        for number in range(1, args.rounds + 1):
            for variant in VARIANTS:
                run = run_once(bench, variant, f"{variant}-{number}", slug, args.seconds, args.connections)
                runs[variant].append(run)
                print(line(f"{variant} round {number}", run), flush=True)
            print(f"  {'':<18} {ratios(runs['eventsys'][-1], runs['baseline'][-1])}", flush=True)
        ours, baseline = summary(runs["eventsys"]), summary(runs["baseline"])
        print(line("eventsys (mean)", ours))
        print(line("baseline (mean)", baseline))
        print(f"  of the means:      {ratios(ours, baseline)}")
        per_round = [ratio(o, b) for o, b in zip(runs["eventsys"], runs["baseline"], strict=True)]
        throughput, p99 = (statistics.median(r[i] for r in per_round) for i in (0, 1))
        print(f"  median of rounds:  baseline/eventsys {throughput:.2f}x, p99 eventsys/baseline {p99:.2f}x")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
