"""`notify()` on PostgreSQL in one statement: preferences, notifications and e-mail
deliveries together.

On the request path every round trip and every ORM query compilation counts: reading the
preferences, inserting the notifications and inserting the deliveries were three statements
(plus the transaction's BEGIN) and about a millisecond of Python. Here one statement with
data-modifying CTEs does all three, and its text is built once per process from the models:

    r  the recipients with their language and frequency (stored preference, else the
       event's default; mandatory events are always immediate),
    i  INSERT the notifications ... ON CONFLICT DO NOTHING RETURNING the new ones,
    d  INSERT an e-mail delivery for each new one whose frequency is "immediate".

Every column not computed in the statement takes the value a new model instance would have
(defaults, auto_now_add), so a field added to either model with a default needs no change
here. The other databases use the ORM path in services.py; both behave the same (the
notification tests run on SQLite and, in CI, on PostgreSQL).
"""

from __future__ import annotations

import re
from functools import lru_cache

import psycopg  # the PostgreSQL driver (requirements.txt); this module runs only there
from django.db import connection

from notifications.events import Frequency
from notifications.models import Delivery, Notification, Preference
from spinportal.db import logged_statement

# Up to this many recipients (a request's event) the statement runs prepared; a larger fan-out
# is planned for its own size.
PREPARED_UP_TO = 20

# Per-row expressions (field name → SQL over the CTE rows); every other column is a parameter.
_NOTIFICATION_ROW = {
    "recipient": "r.user_id",
    "digest": f"CASE WHEN r.frequency IN ('{Frequency.DAILY}', '{Frequency.WEEKLY}') "
    "THEN r.frequency ELSE '' END",
}
_DELIVERY_ROW = {
    "key": "CAST(%s AS text) || i.recipient_id",  # the parameter is 'email:<event key>:'
    "recipient": "i.recipient_id",
    "notification": "i.id",
    "language": "r.language",
}


def _columns(model, per_row: dict[str, str]) -> tuple[str, list[tuple[str, object]]]:
    """(column list, [(SQL expression, field)]) of an INSERT ... SELECT; the field is None
    where the expression is one of `per_row`."""
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        names.append(connection.ops.quote_name(field.column))
        if field.name in per_row:
            values.append((per_row[field.name], None))
        else:
            # Typed, since a bound parameter in a SELECT list would be text; without the
            # length, which a cast would cut to instead of refusing an over-long value.
            kind = re.sub(r"\(.*\)", "", field.cast_db_type(connection))
            values.append((f"CAST(%s AS {kind})", field))
    return ", ".join(names), values


@lru_cache(maxsize=1)
def _statement() -> tuple[str, list, list]:
    q = connection.ops.quote_name
    notification_columns, notification_values = _columns(Notification, _NOTIFICATION_ROW)
    delivery_columns, delivery_values = _columns(Delivery, _DELIVERY_ROW)
    preference = Preference._meta
    sql = (
        "WITH r (user_id, language, frequency) AS ("  # noqa: S608 (model names; values bound)
        " SELECT u.user_id, u.language,"
        f" CASE WHEN %s::boolean THEN '{Frequency.IMMEDIATE}'"
        f" ELSE COALESCE(p.{q('frequency')}, %s::text) END"
        " FROM unnest(%s::bigint[], %s::text[]) AS u (user_id, language)"
        f" LEFT JOIN {q(preference.db_table)} p"
        f" ON p.{q(preference.get_field('user').column)} = u.user_id"
        f" AND p.{q(preference.get_field('event_type').column)} = %s::text"
        "), i AS ("
        f" INSERT INTO {q(Notification._meta.db_table)} ({notification_columns})"
        f" SELECT {', '.join(e for e, _f in notification_values)} FROM r ORDER BY r.user_id"
        " ON CONFLICT DO NOTHING"
        f" RETURNING {q('id')} AS id,"
        f" {q(Notification._meta.get_field('recipient').column)} AS recipient_id,"
        f" {q(Notification._meta.get_field('digest').column)} AS digest"
        "), d AS ("
        f" INSERT INTO {q(Delivery._meta.db_table)} ({delivery_columns})"
        f" SELECT {', '.join(e for e, _f in delivery_values)}"
        " FROM i JOIN r ON r.user_id = i.recipient_id"
        f" WHERE r.frequency = '{Frequency.IMMEDIATE}'"
        " ON CONFLICT DO NOTHING"
        f" RETURNING {q(Delivery._meta.get_field('notification').column)} AS notification_id,"
        f" {q(Delivery._meta.get_field('key').column)} AS key"
        ")"
        " SELECT i.id, i.recipient_id, i.digest, d.key"
        " FROM i LEFT JOIN d ON d.notification_id = i.id"
        " ORDER BY i.recipient_id"
    )
    return sql, notification_values, delivery_values


def _fetch_prepared(sql: str, parameters: list) -> list[tuple]:
    """Runs the statement as a server-side prepared statement and returns its rows.

    Django's psycopg cursor binds parameters on the client and sends the statement as text,
    which PostgreSQL parses and plans on every call: 0.13 ms of planning against 0.12 ms of
    execution for one recipient. Prepared once per connection, each later call sends only the
    parameters.

    Django leaves psycopg's prepared statements off (`prepare_threshold` None, unless set in
    the database OPTIONS); they are switched on for this one call, so Django's own queries
    stay as they are. psycopg keeps the statement by its text and forgets it on a rollback
    (it then deallocates all and prepares again on the next call). In the caller's
    transaction, as Django's cursor would be; errors become Django's database errors; the
    statement shows in Django's query log and counts as usual."""
    connection.validate_no_broken_transaction()
    connection.ensure_connection()
    raw = connection.connection
    threshold = raw.prepare_threshold
    try:
        if threshold is None:
            raw.prepare_threshold = 0
        with (
            logged_statement(connection, sql),
            connection.wrap_database_errors,
            psycopg.Cursor(raw) as cursor,
        ):
            cursor.execute(sql, parameters, prepare=True)
            return cursor.fetchall()
    finally:
        raw.prepare_threshold = threshold


def _parameters(values: list, template, row_parameter=None) -> list:
    """The parameters of the column expressions in order: the template instance's value of
    each field, `row_parameter` for a per-row expression that has a placeholder."""
    parameters = []
    for expression, field in values:
        if field is not None:
            parameters.append(
                field.get_db_prep_save(field.pre_save(template, add=True), connection)
            )
        elif "%s" in expression:
            parameters.append(row_parameter)
    return parameters


def record(
    *,
    template: Notification,
    recipients: dict[int, str],  # user id → language
    mandatory: bool,
    default_frequency: str,
) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Writes the event of `template` (a Notification without recipient) for `recipients`:
    returns [(id, recipient id, digest)] of the new notifications and the keys of the new
    e-mail deliveries. The template's created_at is set to the notifications' creation
    time."""
    sql, notification_values, delivery_values = _statement()
    delivery = Delivery(
        kind=Delivery.Kind.EMAIL,
        event_type=template.event_type,
        context=template.context,
        url=template.url,
    )
    user_ids = sorted(recipients)
    parameters = [
        mandatory,
        default_frequency,
        user_ids,
        [recipients[pk] for pk in user_ids],
        template.event_type,
        *_parameters(notification_values, template),
        *_parameters(delivery_values, delivery, f"email:{template.event_key}:"),
    ]
    if len(user_ids) <= PREPARED_UP_TO:
        rows = _fetch_prepared(sql, parameters)
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            rows = cursor.fetchall()
    created = [(pk, recipient, digest) for pk, recipient, digest, _key in rows]
    return created, [row[3] for row in rows if row[3]]
