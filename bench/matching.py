"""Matching engine figures, each next to its baseline, in one run.

    .venv/bin/python bench/matching.py                       # --scale small, SQLite in /tmp
    .venv/bin/python bench/matching.py --scale full          # 10,000 / 100,000 (the issue's)
    DATABASE_URL=postgres://… .venv/bin/python bench/matching.py --scale full

Scales: small = 2,000 organisations and 20,000 published opportunities (about two minutes
with seeding on a fresh database), full = 10,000 and 100,000 (seeding takes minutes the first
time; the rebuild itself is run in full, with two worker processes). BENCH_ORGANISATIONS and
BENCH_OPPORTUNITIES override the scale. Each scale gets its own SQLite file.

Printed: index build time and memory; the full rebuild (time, rows, peak memory of the parent
and of the largest worker) next to the per-pair path it replaced (compute_matches and
store_matches on a sample, extrapolated); reading the stored top 20 of one opportunity
(p50/p95, with the query plan); scoring one opportunity against all candidates with the sparse
index next to a brute-force pure-Python loop; an incremental update from commit to stored
matches. A script that prints figures, not a test.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCALES = {"small": (2000, 20000), "full": (10000, 100000)}

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--scale", choices=sorted(SCALES), default="small")
parser.add_argument("--workers", type=int, default=2, help="processes for the full rebuild")
arguments = parser.parse_args()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spinportal.settings_test")
if not os.environ.get("DATABASE_URL"):
    suffix = "" if arguments.scale == "full" else f"-{arguments.scale}"
    os.environ["DATABASE_URL"] = (
        f"sqlite:///{tempfile.gettempdir()}/spin-bench-matching{suffix}.sqlite3"
    )

import logging  # noqa: E402

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from matchmaking import engine, scoring  # noqa: E402
from matchmaking.models import Match, Opportunity  # noqa: E402
from matchmaking.scheduling import schedule_opportunity_matching  # noqa: E402
from spinportal.demo.seed import seed_synthetic  # noqa: E402
from spinportal.demo.seed_matchmaking import seed_synthetic_opportunities  # noqa: E402

ORGANISATIONS = int(os.environ.get("BENCH_ORGANISATIONS", SCALES[arguments.scale][0]))
OPPORTUNITIES = int(os.environ.get("BENCH_OPPORTUNITIES", SCALES[arguments.scale][1]))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
BASELINE_SAMPLE = int(os.environ.get("BENCH_BASELINE_SAMPLE", "128"))
BRUTE_FORCE_ROUNDS = int(os.environ.get("BENCH_BRUTE_FORCE_ROUNDS", "3"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def line(label: str, values_ms: list[float]) -> None:
    print(
        f"{label:<58} p50 {statistics.median(values_ms):8.1f} ms   "
        f"p95 {percentile(values_ms, 0.95):8.1f} ms   (n={len(values_ms)})"
    )


def peak_mib(who=resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def brute_force(index: engine.MatchingIndex, source: engine.Profile, today: int) -> list:
    """The same score, pair by pair, with the pure functions: the baseline."""
    taxonomy = index.taxonomy
    expanded_source = index.expand(source.concepts)
    source_text = index.tfidf(source.tokens)
    flags = source.traits.flags()
    results = []
    for target in [*index.organisation_profiles.values(), *index.opportunity_profiles.values()]:
        if target.organisation_id == source.organisation_id:
            continue
        if target.kind and (target.kind == source.kind or target.valid_until < today):
            continue
        expanded = scoring.expand_concepts(target.concepts, taxonomy.parent_map, taxonomy.children)
        raw = scoring.raw_score(
            scoring.forward_coverage(source.concepts, expanded),
            scoring.backward_coverage(source.concepts, target.concepts, expanded_source),
            scoring.cosine(source_text, index.tfidf(target.tokens)),
            scoring.complementarity(flags, target.traits.flags()),
            scoring.partner_kind_factor(source.sought, target.organisation_kind),
        )
        results.append((raw, target.key))
    results.sort(reverse=True)
    return results[:40]


def top_20_query(opportunity_id: int):
    """The stored organisations of one opportunity, best first: only the shown columns (the
    explanation included), in the order of the (opportunity, rank) index."""
    return (
        Match.objects.filter(opportunity_id=opportunity_id, target_opportunity__isnull=True)
        .order_by("rank")
        .values_list(
            "rank", "score", "target_organisation_id", "target_organisation__name", "explanation"
        )[:20]
    )


def main() -> None:
    logging.disable(logging.INFO)
    print(f"database: {connection.vendor}; scale {arguments.scale}")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_synthetic(organisations=ORGANISATIONS)
    created = seed_synthetic_opportunities(OPPORTUNITIES)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would after a bulk load
    print(
        f"seeded up to {ORGANISATIONS} organisations, {OPPORTUNITIES} opportunities "
        f"({created} new) in {time.perf_counter() - started:.1f} s"
    )

    engine.reset_index()
    started = time.perf_counter()
    index = engine.get_index()
    print(
        f"index build: {time.perf_counter() - started:.1f} s for "
        f"{len(index.organisation_profiles)} organisations and "
        f"{len(index.opportunity_profiles)} opportunities; peak RSS {peak_mib():.0f} MiB"
    )
    today = engine._today()
    rng = random.Random(1)
    keys = sorted(index.opportunity_profiles)
    sample = rng.sample(keys, min(max(ROUNDS, BASELINE_SAMPLE), len(keys)))

    # Baseline for the rebuild: the per-pair path (compute_matches + store_matches).
    baseline = sample[:BASELINE_SAMPLE]
    started = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        for chunk_start in range(0, len(baseline), 32):
            chunk = [
                index.opportunity_profiles[k] for k in baseline[chunk_start : chunk_start + 32]
            ]
            engine.store_matches(
                [s.key for s in chunk], engine.compute_matches(index, chunk, today)
            )
    rate = len(baseline) / (time.perf_counter() - started)
    print(
        f"rebuild, per-pair path (baseline): {rate:.0f} opportunities/s on one core; all "
        f"{len(keys)} extrapolated: {len(keys) / rate / 2:.0f} s on two cores (not run)"
    )
    started = time.perf_counter()
    count = engine.rebuild_all(workers=arguments.workers)
    elapsed = time.perf_counter() - started
    print(
        f"rebuild, all {count} opportunities with {arguments.workers} workers: {elapsed:.1f} s "
        f"({count / elapsed:.0f}/s), {Match.objects.count()} rows; peak RSS parent "
        f"{peak_mib():.0f} MiB, largest worker {peak_mib(resource.RUSAGE_CHILDREN):.0f} MiB"
    )
    index = engine.get_index()  # rebuild_all starts from a fresh index
    check = [k for k in sample[:20] if index.opportunity_profiles[k].valid_until >= today]
    fields = ("opportunity_id", "target_opportunity_id", "target_organisation_id", "score", "rank")
    per_pair = sorted(
        tuple(getattr(m, f) or 0 for f in fields)
        for m in engine.compute_matches(
            index, [index.opportunity_profiles[k] for k in check], today
        )
    )
    rebuilt = sorted(
        tuple(v or 0 for v in row)
        for row in Match.objects.filter(opportunity_id__in=check).values_list(*fields)
    )
    print(
        f"rebuilt rows of {len(check)} sampled opportunities equal the per-pair path's: "
        f"{rebuilt == per_pair} ({len(rebuilt)} rows)"
    )

    # Reading the stored top 20 (organisations) of one opportunity.
    with connection.cursor() as cursor:
        sql, params = top_20_query(sample[0]).query.sql_with_params()
        explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
        cursor.execute(explain + sql, params)
        plan = " | ".join(
            str(row[-1] if connection.vendor == "sqlite" else row[0]) for row in cursor
        )
    print(f"top-20 query plan: {plan}")
    timings = []
    for key in sample[:ROUNDS]:
        started = time.perf_counter()
        rows = list(top_20_query(key))
        timings.append((time.perf_counter() - started) * 1000)
        assert len(rows) <= 20
    line("read stored top 20 of one opportunity", timings)
    timings = []
    for key in sample[:ROUNDS]:
        started = time.perf_counter()
        rows = list(
            Match.objects.filter(opportunity_id=key, target_opportunity__isnull=True)
            .select_related("target_organisation")
            .order_by("rank")[:20]
        )
        timings.append((time.perf_counter() - started) * 1000)
    line("read stored top 20, whole rows and organisations (before)", timings)

    # Scoring one opportunity against all candidates.
    timings = []
    for key in sample[:ROUNDS]:
        source = index.opportunity_profiles[key]
        started = time.perf_counter()
        for block in (index.organisations, index.opportunities):
            scores = engine.score_block(index, [source], block, today=today)
            engine.top_rows(scores.raw, block.keys, 20)
        timings.append((time.perf_counter() - started) * 1000)
    line("score one opportunity against all (sparse index)", timings)
    timings = []
    for key in sample[:BRUTE_FORCE_ROUNDS]:
        started = time.perf_counter()
        brute_force(index, index.opportunity_profiles[key], today)
        timings.append((time.perf_counter() - started) * 1000)
    line("score one opportunity against all (brute force, baseline)", timings)

    # Incremental update: edit, commit, the (eager) task stores the matches.
    timings = []
    for key in sample[: min(ROUNDS, 10)]:
        opportunity = Opportunity.objects.get(pk=key)
        opportunity.description += " Wasserstoff"
        started = time.perf_counter()
        with transaction.atomic():
            opportunity.save()
            schedule_opportunity_matching(opportunity.pk)
        timings.append((time.perf_counter() - started) * 1000)
    line("incremental update, commit to stored matches", timings)
    print(f"peak RSS {peak_mib():.0f} MiB")


if __name__ == "__main__":
    main()
