"""Model fields of the matchmaking app."""

from django.db import models


class StoredJSONField(models.JSONField):
    """JSON that is written in bulk and read whole, never queried inside: `json` (text,
    validated on input) on PostgreSQL instead of `jsonb`. Parsing millions of explanations
    into jsonb doubled the cost of writing a full rebuild's rows (COPY: 106 ms instead of
    47 ms per 20,000 rows). Elsewhere it is Django's JSONField."""

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if connection.vendor == "postgresql":
            return value  # psycopg has already parsed `json` (Django only hands jsonb over raw)
        return super().from_db_value(value, expression, connection)
