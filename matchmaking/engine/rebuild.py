"""Rebuilding every stored match: the vectorised scorer of batch.py, rows written without
the ORM (COPY on PostgreSQL, executemany on SQLite), and worker processes forked after the
index is built so that they share it."""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable

from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from threadpoolctl import threadpool_limits

from matchmaking.engine import swap
from matchmaking.engine.batch import COPY_COLUMNS, Candidates, Rows, compute_columns
from matchmaking.engine.index import build_index
from matchmaking.engine.store import _today
from matchmaking.models import ContactRequest, Match, MatchFeedback, Opportunity
from partners.models import Organisation

DEFAULT_CHUNK_SIZE = 512  # opportunities per transaction
BLOCK_SIZE = 64  # sources scored together: fewer, larger array operations; tiles stay in cache

_COLUMNS = (*COPY_COLUMNS, "computed_at")
_candidates: Candidates | None = None  # set in the parent before forking
_excluded: dict[int, set[int]] = {}
_staging: str | None = None  # the table the rows go to when the rebuild swaps (swap.py)


def rebuild_all(
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuilds the index and all stored matches; returns the number of opportunities with
    matches. `workers` processes (default: 2, or 1 inside a transaction or on an in-memory
    database, where forked processes would not see the data).

    On PostgreSQL (outside a transaction) the rows go to a staging table that replaces the
    live one at the end (swap.py). Elsewhere each chunk of opportunities is replaced in its
    own transaction. Either way readers always see complete lists."""
    global _candidates, _excluded, _staging
    started_at = timezone.now()
    if workers is None:
        workers = int(os.environ.get("MATCHING_WORKERS", "2"))
    if connection.in_atomic_block or _is_in_memory():
        workers = 1  # forked processes would not see the data
    index = build_index(processes=workers)
    today = _today()
    # by kind, so that a chunk's sources share their candidates (batch.prefilter)
    keys = [
        k
        for _kind, k in sorted(
            (p.kind, k) for k, p in index.opportunity_profiles.items() if p.valid_until >= today
        )
    ]
    holder = swap.lock() if keys and swap.can_swap() else None
    if holder is None:
        Match.objects.filter(
            ~Q(opportunity__status=Opportunity.Status.PUBLISHED)
            | Q(opportunity__valid_until__lt=timezone.localdate())
            | ~Q(opportunity__organisation__status=Organisation.Status.ACTIVE)
        ).delete()
    if not keys:
        return 0
    _candidates = Candidates(index, today)
    # Loaded here, once: on SQLite a worker reading while the parent commits would fail.
    _excluded = _all_excluded_organisations(keys)
    chunks = [keys[i : i + chunk_size] for i in range(0, len(keys), chunk_size)]
    if len(chunks) < 2:
        workers = 1
    try:
        if holder is not None:
            _staging = swap.create_staging()
        _run(chunks, workers, len(keys), progress)
        if holder is not None:
            swap.finish(started_at)
    except BaseException:
        if holder is not None:
            swap.drop_staging()
        raise
    finally:
        _candidates, _excluded, _staging = None, {}, None
        if holder is not None:
            swap.unlock(holder)
    if holder is None and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Many rows just arrived by COPY: without fresh statistics the planner reads one
        # opportunity's matches with a sequential scan of the organisations.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(Match._meta.db_table)}")
    return len(keys)


def _run(chunks: list[list[int]], workers: int, total: int, progress) -> None:
    done = 0
    if workers <= 1:
        with threadpool_limits(limits=1, user_api="blas"):
            for chunk in chunks:
                done += _rebuild_chunk(chunk)
                if progress:
                    progress(done, total)
        return
    connections.close_all()  # each process opens its own connection
    # The index (millions of objects) is shared with the workers by fork. Frozen, the
    # workers' garbage collector no longer walks it on every full collection, which also
    # copied its pages into each worker.
    gc.collect()
    gc.freeze()
    try:
        context = multiprocessing.get_context("fork")
        # SQLite has one writer at a time: there the workers hand their rows to this process,
        # which writes while they compute the next chunks.
        writes_here = connection.vendor != "postgresql"
        task = _compute_chunk if writes_here else _rebuild_chunk
        with context.Pool(workers, initializer=_worker_start) as pool:
            # At most two chunks per worker in flight: results waiting for the writer would
            # otherwise pile up in this process's memory.
            pending: list = []
            for chunk in [*chunks, None]:
                if chunk is not None:
                    pending.append(pool.apply_async(task, (chunk,)))
                while pending and (chunk is None or len(pending) >= 2 * workers):
                    result = pending.pop(0).get()
                    if writes_here:
                        written, rows = result
                        write_rows(written, rows)
                        result = len(written)
                    done += result
                    if progress:
                        progress(done, total)
    finally:
        gc.unfreeze()


def _all_excluded_organisations(keys: list[int]) -> dict[int, set[int]]:
    """As compute._excluded_organisations for all `keys`, without a list of ids in the SQL."""
    excluded: dict[int, set[int]] = {pk: set() for pk in keys}
    for pk, sender, receiver in ContactRequest.objects.filter(
        opportunity__isnull=False
    ).values_list("opportunity_id", "sender_organisation_id", "receiver_organisation_id"):
        if pk in excluded:
            excluded[pk] |= {sender, receiver}
    for pk, organisation_id in MatchFeedback.objects.filter(is_dismissed=True).values_list(
        "opportunity_id", "organisation_id"
    ):
        if pk in excluded:
            excluded[pk].add(organisation_id)
    return excluded


def _worker_start() -> None:
    connections.close_all()  # never reuse the parent's socket
    # One BLAS thread per process: the products are small, and threads of two workers
    # spinning on two cores cost more than they bring.
    threadpool_limits(limits=1, user_api="blas")


def _rebuild_chunk(keys: list[int]) -> int:
    keys, rows = _compute_chunk(keys)
    if _staging is not None:
        _copy_to_staging(rows)
    else:
        write_rows(keys, rows)
    return len(keys)


def _copy_to_staging(rows: Rows) -> None:
    """Appends rows to the staging table (no indexes yet, nothing to delete); computed_at is
    the staging table's default, now() (swap.create_staging)."""
    with transaction.atomic(), connection.cursor() as cursor:
        _commit_without_waiting_for_the_disk()
        _copy(cursor, connection.ops.quote_name(_staging), COPY_COLUMNS, rows.copy_text())


def _copy(cursor, table: str, columns: tuple[str, ...], text: str) -> None:
    """COPY ... FROM STDIN of rows already in COPY's text format (Rows.copy_text)."""
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(text)


def _commit_without_waiting_for_the_disk() -> None:
    """For the current transaction on PostgreSQL: synchronous_commit off (see write_rows)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _compute_chunk(keys: list[int]) -> tuple[list[int], Rows]:
    candidates = _candidates
    if candidates is None:
        raise RuntimeError("_rebuild_chunk runs only inside rebuild_all")
    profiles = candidates.index.opportunity_profiles
    sources = [profiles[k] for k in keys]
    excluded = _excluded
    blocks = []
    for start in range(0, len(sources), BLOCK_SIZE):
        block = sources[start : start + BLOCK_SIZE]
        blocks.append(compute_columns(candidates, block, [excluded[s.key] for s in block]))
    return keys, Rows.joined(blocks)


def write_rows(opportunity_ids: list[int], rows: Rows) -> None:
    """Replaces the stored matches of these opportunities by `rows` (one transaction).

    On PostgreSQL the commit does not wait for the WAL flush (synchronous_commit off, for
    this transaction only): matches are derived data, and a crash of the database server
    within a fraction of a second after the commit would at worst keep a chunk's previous
    matches, whole, until the next update. Waiting for the disk on every chunk would make
    the disk, not the scoring, the pace of a rebuild."""
    now = timezone.now()
    table = connection.ops.quote_name(Match._meta.db_table)
    with transaction.atomic():
        _commit_without_waiting_for_the_disk()
        Match.objects.filter(opportunity_id__in=opportunity_ids).delete()
        if not len(rows):
            return
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                _copy(cursor, table, _COLUMNS, rows.copy_text(end=f"\t{now.isoformat()}"))
                return
            timestamp = connection.ops.adapt_datetimefield_value(now)
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(_COLUMNS)}) "  # noqa: S608 (fixed names)
                f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
                [(*row, timestamp) for row in rows.as_rows()],
            )


def _is_in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()
