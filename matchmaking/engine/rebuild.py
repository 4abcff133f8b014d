"""Rebuilding every stored match: the vectorised scorer of batch.py, rows written without
the ORM (COPY on PostgreSQL, executemany on SQLite), and worker processes forked after the
index is built so that they share it."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from matchmaking.engine.batch import Candidates, Row, compute_rows
from matchmaking.engine.compute import _excluded_organisations
from matchmaking.engine.index import get_index, reset_index
from matchmaking.engine.store import _today
from matchmaking.models import Match, Opportunity
from partners.models import Organisation

DEFAULT_CHUNK_SIZE = 512  # opportunities per transaction
BLOCK_SIZE = 16  # sources scored together: (16 × candidates) float32 arrays stay in cache

_COLUMNS = (
    "opportunity_id",
    "target_opportunity_id",
    "target_organisation_id",
    "score",
    "rank",
    "explanation",
    "computed_at",
)
_candidates: Candidates | None = None  # set in the parent before forking


def rebuild_all(
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuilds the index and all stored matches. Each chunk of opportunities is replaced in
    its own transaction, so readers always see complete lists. `workers` processes (default:
    2, or 1 inside a transaction or on an in-memory database, where forked processes would
    not see the data). Returns the number of opportunities with matches."""
    global _candidates
    reset_index()
    index = get_index()
    today = _today()
    keys = sorted(k for k, p in index.opportunity_profiles.items() if p.valid_until >= today)
    Match.objects.filter(
        ~Q(opportunity__status=Opportunity.Status.PUBLISHED)
        | Q(opportunity__valid_until__lt=timezone.localdate())
        | ~Q(opportunity__organisation__status=Organisation.Status.ACTIVE)
    ).delete()
    if not keys:
        return 0
    _candidates = Candidates(index, today)
    chunks = [keys[i : i + chunk_size] for i in range(0, len(keys), chunk_size)]
    if workers is None:
        workers = int(os.environ.get("MATCHING_WORKERS", "2"))
    if connection.in_atomic_block or connection.is_in_memory_db() or len(chunks) < 2:
        workers = 1
    done = 0
    try:
        if workers <= 1:
            for chunk in chunks:
                done += _rebuild_chunk(chunk)
                if progress:
                    progress(done, len(keys))
        else:
            connections.close_all()  # each process opens its own connection
            context = multiprocessing.get_context("fork")
            with context.Pool(workers, initializer=_worker_start) as pool:
                for count in pool.imap_unordered(_rebuild_chunk, chunks):
                    done += count
                    if progress:
                        progress(done, len(keys))
    finally:
        _candidates = None
    return len(keys)


def _worker_start() -> None:
    connections.close_all()  # never reuse the parent's socket


def _rebuild_chunk(keys: list[int]) -> int:
    candidates = _candidates
    if candidates is None:
        raise RuntimeError("_rebuild_chunk runs only inside rebuild_all")
    profiles = candidates.index.opportunity_profiles
    sources = [profiles[k] for k in keys]
    excluded = _excluded_organisations(keys)
    rows: list[Row] = []
    for start in range(0, len(sources), BLOCK_SIZE):
        block = sources[start : start + BLOCK_SIZE]
        rows.extend(compute_rows(candidates, block, [excluded[s.key] for s in block]))
    write_rows(keys, rows)
    return len(keys)


def write_rows(opportunity_ids: list[int], rows: list[Row]) -> None:
    """Replaces the stored matches of these opportunities by `rows` (one transaction)."""
    now = timezone.now()
    table = connection.ops.quote_name(Match._meta.db_table)
    with transaction.atomic():
        Match.objects.filter(opportunity_id__in=opportunity_ids).delete()
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _copy_rows(cursor, table, rows, now)
            else:
                timestamp = connection.ops.adapt_datetimefield_value(now)
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(_COLUMNS)}) "  # noqa: S608 (fixed names)
                    f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
                    [
                        (
                            r.opportunity_id,
                            r.target_opportunity_id,
                            r.target_organisation_id,
                            r.score,
                            r.rank,
                            r.explanation,
                            timestamp,
                        )
                        for r in rows
                    ],
                )


def _copy_rows(cursor, table: str, rows: list[Row], now) -> None:
    """COPY in text format: tab-separated, \\N for NULL, backslashes doubled (JSON text never
    holds a raw tab or newline)."""
    timestamp = now.isoformat()
    lines = [
        f"{r.opportunity_id}\t{r.target_opportunity_id or '\\N'}\t{r.target_organisation_id}\t"
        f"{r.score}\t{r.rank}\t{r.explanation.replace('\\', '\\\\')}\t{timestamp}\n"
        for r in rows
    ]
    with cursor.cursor.copy(f"COPY {table} ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        copy.write("".join(lines))
