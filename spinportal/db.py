"""Statements sent through the database driver directly, past Django's cursor (for the few
places where its overhead or its text-only protocol matter), still seen by Django's query
log and by the query counts of the tests."""

import time
from contextlib import contextmanager


@contextmanager
def logged_statement(connection, sql: str):
    """Around one statement run on `connection`'s driver connection: logs it as Django's
    cursor would (when queries are logged: DEBUG, or a test counting queries), with its
    time, also when it fails."""
    started = time.monotonic()
    try:
        yield
    finally:
        if connection.queries_logged:
            connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})
