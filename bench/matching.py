"""Matching engine figures at 10,000 organisations and 100,000 published opportunities.

    .venv/bin/python bench/matching.py                       # a SQLite file in /tmp
    DATABASE_URL=postgres://… .venv/bin/python bench/matching.py
    BENCH_ORGANISATIONS=2000 BENCH_OPPORTUNITIES=20000 .venv/bin/python bench/matching.py

Seeds synthetic organisations and opportunities (idempotent), then prints, in one run:
index build time and peak memory; reading the stored top 20 of one opportunity (p50/p95);
scoring one opportunity against all candidates with the sparse index next to a brute-force
pure-Python loop over the same candidates; an incremental update from commit to stored
matches; and the rebuild rate on a bounded sample, extrapolated to all opportunities (the
full rebuild is not run: it would not finish in a few minutes). One process, one core.
A script that prints figures, not a test.
"""

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
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spinportal.settings_test")
if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.gettempdir()}/spin-bench-matching.sqlite3"

import logging  # noqa: E402

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402

from matchmaking import engine, scoring  # noqa: E402
from matchmaking.models import Match, Opportunity  # noqa: E402
from matchmaking.scheduling import schedule_opportunity_matching  # noqa: E402
from spinportal.demo.seed import seed_synthetic  # noqa: E402
from spinportal.demo.seed_matchmaking import seed_synthetic_opportunities  # noqa: E402

ORGANISATIONS = int(os.environ.get("BENCH_ORGANISATIONS", "10000"))
OPPORTUNITIES = int(os.environ.get("BENCH_OPPORTUNITIES", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
REBUILD_SAMPLE = int(os.environ.get("BENCH_REBUILD_SAMPLE", "1024"))
BRUTE_FORCE_ROUNDS = int(os.environ.get("BENCH_BRUTE_FORCE_ROUNDS", "3"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def line(label: str, values_ms: list[float]) -> None:
    print(
        f"{label:<58} p50 {statistics.median(values_ms):8.1f} ms   "
        f"p95 {percentile(values_ms, 0.95):8.1f} ms   (n={len(values_ms)})"
    )


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


def main() -> None:
    logging.disable(logging.INFO)
    peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # noqa: E731
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed_synthetic(organisations=ORGANISATIONS)
    created = seed_synthetic_opportunities(OPPORTUNITIES)
    print(
        f"seeded {ORGANISATIONS} organisations, {OPPORTUNITIES} opportunities "
        f"({created} new) in {time.perf_counter() - started:.1f} s"
    )

    engine.reset_index()
    started = time.perf_counter()
    index = engine.get_index()
    print(
        f"index build: {time.perf_counter() - started:.1f} s for "
        f"{len(index.organisation_profiles)} organisations and "
        f"{len(index.opportunity_profiles)} opportunities; peak RSS {peak():.0f} MiB"
    )
    today = engine._today()
    rng = random.Random(1)
    keys = sorted(index.opportunity_profiles)
    sample = rng.sample(keys, min(REBUILD_SAMPLE, len(keys)))

    # Rebuild rate on a bounded sample: compute + store in chunks, like rebuild_all.
    started = time.perf_counter()
    for chunk_start in range(0, len(sample), 32):
        chunk = [index.opportunity_profiles[k] for k in sample[chunk_start : chunk_start + 32]]
        engine.store_matches([s.key for s in chunk], engine.compute_matches(index, chunk, today))
    elapsed = time.perf_counter() - started
    rate = len(sample) / elapsed
    print(
        f"rebuild sample: {len(sample)} opportunities in {elapsed:.1f} s = {rate:.0f}/s on one "
        f"core; all {len(keys)} extrapolated: {len(keys) / rate:.0f} s on one core, "
        f"~{len(keys) / rate / 2:.0f} s on two (not run); peak RSS {peak():.0f} MiB"
    )

    # Reading the stored top 20 (organisations) of one opportunity.
    timings = []
    for key in sample[:ROUNDS]:
        started = time.perf_counter()
        rows = list(
            Match.objects.filter(opportunity_id=key, target_opportunity__isnull=True)
            .select_related("target_organisation")
            .order_by("rank")[:20]
        )
        timings.append((time.perf_counter() - started) * 1000)
        assert len(rows) <= 20
    line("read stored top 20 of one opportunity", timings)

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
    print(f"peak RSS {peak():.0f} MiB")


if __name__ == "__main__":
    main()
