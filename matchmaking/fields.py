"""Model fields of the matchmaking app."""

import json

from django.db import models


class StoredJSONField(models.JSONField):
    """JSON that is written in bulk and read whole, never queried inside: `text` on
    PostgreSQL instead of `jsonb` (or `json`), written as compact JSON by the application.
    A full rebuild copies millions of explanations; parsing them into jsonb doubled the cost
    of that COPY, and even `json`'s validation on input cost half as much again as storing the
    text (0.64 s per million rows). Elsewhere it is Django's JSONField; reading parses the
    text with JSONField's own from_db_value on every database."""

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "text"
        return super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor == "postgresql":
            if value is None:
                return None
            return json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":"))
        return super().get_db_prep_value(value, connection, prepared)
