"""Match.explanation becomes `text` on PostgreSQL (StoredJSONField: compact JSON written by
the application, not validated by the database). Other databases keep Django's JSONField."""

from django.db import migrations


def column_type(schema_editor) -> str | None:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'matchmaking_match' "
            "AND column_name = 'explanation'"
        )
        row = cursor.fetchone()
    return row[0] if row else None


def to_text(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and column_type(schema_editor) != "text":
        schema_editor.execute(
            "ALTER TABLE matchmaking_match ALTER COLUMN explanation TYPE text "
            "USING explanation::text"
        )


def to_json(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql" and column_type(schema_editor) == "text":
        schema_editor.execute(
            "ALTER TABLE matchmaking_match ALTER COLUMN explanation TYPE json "
            "USING explanation::json"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("matchmaking", "0005_match_target_opportunity_partial_index"),
    ]

    operations = [migrations.RunPython(to_text, to_json, elidable=False)]
