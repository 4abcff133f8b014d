"""A full rebuild on PostgreSQL writes into a new table and swaps it in.

Replacing 4 million rows chunk by chunk in the live table costs a delete and six index
insertions per row, at random places of large indexes, and leaves the table twice its size
until it is vacuumed. Instead the rebuild copies the rows into a staging table without
indexes, builds the live table's indexes on it in one sort each, and swaps the tables in a
transaction that holds the lock for milliseconds. Readers see the old matches, complete,
until the swap, and the new ones, complete, after it.

The staging table gets exactly the live table's indexes and constraints (read from the
catalogue, so migrations stay the source of truth), under their names after the swap.
Matches an incremental update wrote to the old table during the rebuild are recomputed
after the swap (`catch_up`).
"""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor

from django.db import IntegrityError, connection, transaction

from matchmaking.models import Match, Opportunity
from partners.models import Organisation

STAGING_SUFFIX = "_rebuild"
LOCK_KEY = 0x5350494E  # pg advisory lock: one full rebuild at a time ("SPIN")


# pg_indexes.indexdef: CREATE [UNIQUE] INDEX name ON schema.table USING method (...) [WHERE ...]
INDEX_DEFINITION = re.compile(
    r"^(?P<create>CREATE (?:UNIQUE )?INDEX )(?P<name>\S+) ON (?P<table>\S+)(?P<rest> USING .*)$",
    re.DOTALL,
)


class RebuildRunning(RuntimeError):
    pass


def _table() -> str:
    return Match._meta.db_table


def _computed_at() -> str:
    return _quoted(Match._meta.get_field("computed_at").column)


def staging_table() -> str:
    return f"{_table()}{STAGING_SUFFIX}"


def _temporary(name: str) -> str:
    return f"{name[:55]}_rb"  # PostgreSQL names are at most 63 bytes


def can_swap() -> bool:
    """Only on PostgreSQL, outside a transaction (tests wrap theirs in one), and only while
    no other table points at the matches (a foreign key would follow the old table)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = %s::regclass",
            [_table()],
        )
        return cursor.fetchone()[0] == 0


def lock():
    """Takes the advisory lock of the full rebuild on a connection of its own (the rebuild
    closes Django's connections before forking its workers) and returns that connection;
    raises RebuildRunning if another rebuild holds it."""
    holder = connection.get_new_connection(connection.get_connection_params())
    holder.autocommit = True
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            holder.close()
            raise RebuildRunning("Another full rebuild of the matches is running.")
    return holder


def unlock(holder) -> None:
    holder.close()  # the session's advisory lock goes with it


def create_staging() -> str:
    """An empty copy of the live table: columns, defaults, identity, check constraints; and
    now() as computed_at's default while rows are copied in (one timestamp less to send and
    parse per row; dropped again before the swap)."""
    live, staging = _quoted(_table()), _quoted(staging_table())
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TABLE {staging} (LIKE {live} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING CONSTRAINTS)"
        )
        cursor.execute(f"ALTER TABLE {staging} ALTER COLUMN {_computed_at()} SET DEFAULT now()")
    return staging_table()


def drop_staging() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_quoted(staging_table())}")


def finish(started_at: dt.datetime) -> None:
    """Indexes and constraints on the staging table, the swap, validation, statistics, and
    the matches of what changed meanwhile."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {_quoted(staging_table())} ALTER COLUMN {_computed_at()} DROP DEFAULT"
        )
    renames = _build_indexes_and_constraints()
    _swap(renames)
    foreign_keys = [name for name, kind in renames if kind == "f"]
    try:
        _validate(foreign_keys)
    except IntegrityError:
        # Something was deleted while the rebuild ran: its rows, computed before, point
        # nowhere. Drop them (new rows were checked all along), then validate again.
        remove_orphans()
        _validate(foreign_keys)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {_quoted(_table())}")
    catch_up(started_at)


def _validate(names: list[str]) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"ALTER TABLE {_quoted(_table())} VALIDATE CONSTRAINT {_quoted(name)}")


def remove_orphans() -> int:
    """Deletes matches whose opportunity, target opportunity or organisation is gone."""
    conditions = []
    for field in Match._meta.concrete_fields:
        if field.remote_field is None:
            continue
        target = field.remote_field.model._meta
        column = f"m.{_quoted(field.column)}"
        missing = (
            f"NOT EXISTS (SELECT 1 FROM {_quoted(target.db_table)} t "  # noqa: S608
            f"WHERE t.{_quoted(target.pk.column)} = {column})"
        )
        conditions.append(f"({column} IS NOT NULL AND {missing})" if field.null else missing)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_quoted(_table())} m WHERE {' OR '.join(conditions)}")  # noqa: S608
        return cursor.rowcount


def definitions(indexes: list[tuple[str, str]] | None = None) -> list[tuple[str, str, str]]:
    """(name, kind, definition) of the live table's indexes ("i"), primary key ("p"), unique
    ("u") and foreign keys ("f"), in a stable order: what the swap must reproduce.
    `indexes`: the table's (name, CREATE INDEX statement), if already read."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'f', 'u') ORDER BY conname",
            [_table()],
        )
        constraints = cursor.fetchall()
        owned = {name for name, _kind, _definition in constraints}
    indexes = _index_definitions() if indexes is None else indexes
    return [*constraints, *((n, "i", d) for n, d in indexes if n not in owned)]


def _index_definitions() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE schemaname = current_schema() AND tablename = %s ORDER BY indexname",
            [_table()],
        )
        return cursor.fetchall()


def _build_indexes_and_constraints() -> list[tuple[str, str]]:
    """Creates the live table's indexes and constraints on the staging table under temporary
    names; returns (final name, kind) of each.

    Every index, those of the primary key and unique constraints included, is built by
    CREATE INDEX, two at a time from two sessions (each sorts on its own core); the
    constraints then take over their indexes (ADD CONSTRAINT ... USING INDEX). Foreign keys
    are added NOT VALID and validated after the swap, without blocking writers of the
    referenced tables."""
    live, staging = _table(), staging_table()
    indexes = _index_definitions()
    wanted = definitions(indexes)
    by_index = dict(indexes)
    indexes = [
        _index_statement(name, by_index[name], live, staging)
        for name, kind, _definition in wanted
        if kind in ("i", "p", "u")
    ]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(_run_in_own_session, [indexes[0::2], indexes[1::2]]))
    renames = []
    with connection.cursor() as cursor:
        for name, kind, definition in wanted:
            temporary = _quoted(_temporary(name))
            if kind in ("p", "u"):
                constraint = "PRIMARY KEY" if kind == "p" else "UNIQUE"
                cursor.execute(
                    f"ALTER TABLE {_quoted(staging)} ADD CONSTRAINT {temporary} "
                    f"{constraint} USING INDEX {temporary}"
                )
            elif kind == "f":
                cursor.execute(
                    f"ALTER TABLE {_quoted(staging)} ADD CONSTRAINT {temporary} "
                    f"{definition} NOT VALID"
                )
            renames.append((name, kind))
    return renames


def _run_in_own_session(statements: list[str]) -> None:
    """In a thread: Django gives it its own connection, closed at the end."""
    try:
        with connection.cursor() as cursor:
            # sorting millions of keys in memory instead of in temporary files
            cursor.execute("SET maintenance_work_mem TO '256MB'")
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def _index_statement(name: str, definition: str, live: str, staging: str) -> str:
    """The index's CREATE INDEX statement for the staging table, under a temporary name."""
    match = INDEX_DEFINITION.match(definition)
    if match is None or match["table"].rsplit(".", 1)[-1] != live:
        raise RuntimeError(f"Unexpected index definition: {definition}")
    schema = match["table"].rsplit(".", 1)[0] + "." if "." in match["table"] else ""
    temporary = _quoted(_temporary(name))
    return f"{match['create']}{temporary} ON {schema}{_quoted(staging)}{match['rest']}"


def _swap(renames: list[tuple[str, str]]) -> None:
    live, staging = _quoted(_table()), _quoted(staging_table())
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_table()])
        (old_sequence,) = cursor.fetchone()
        cursor.execute(f"LOCK TABLE {live} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"DROP TABLE {live}")
        cursor.execute(f"ALTER TABLE {staging} RENAME TO {live}")
        for name, kind in renames:
            temporary = _quoted(_temporary(name))
            if kind == "i":
                cursor.execute(f"ALTER INDEX {temporary} RENAME TO {_quoted(name)}")
            else:
                cursor.execute(
                    f"ALTER TABLE {live} RENAME CONSTRAINT {temporary} TO {_quoted(name)}"
                )
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_table()])
        (new_sequence,) = cursor.fetchone()
        if old_sequence and new_sequence and new_sequence != old_sequence:
            short = old_sequence.rsplit(".", 1)[-1]
            cursor.execute(f"ALTER SEQUENCE {new_sequence} RENAME TO {short}")


def catch_up(started_at: dt.datetime) -> int:
    """Recomputes the matches of opportunities and organisations changed since the rebuild
    started: their incremental updates went to the old table."""
    from matchmaking.engine.index import get_index
    from matchmaking.engine.store import update_opportunity, update_organisation

    since = started_at - dt.timedelta(seconds=5)
    opportunities = list(
        Opportunity.objects.filter(updated_at__gte=since).values_list("id", "organisation_id")
    )
    organisation_ids = list(
        Organisation.objects.filter(updated_at__gte=since).values_list("id", flat=True)
    )
    if not opportunities and not organisation_ids:
        return 0
    # One refresh of the index for all of them, not one per row.
    index = get_index(
        opportunity_ids=[pk for pk, _organisation in opportunities],
        organisation_ids=organisation_ids,
    )
    for pk in organisation_ids:
        update_organisation(pk, index=index)  # its own opportunities included
    changed = set(organisation_ids)
    for pk, organisation_id in opportunities:
        if organisation_id not in changed:
            update_opportunity(pk, index=index)
    return len(opportunities) + len(organisation_ids)


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)
