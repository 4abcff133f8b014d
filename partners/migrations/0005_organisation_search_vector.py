"""A stored full-text document per organisation, kept up to date by a trigger on PostgreSQL
(German configuration; name and short name weigh most, then keywords, then descriptions),
with a GIN index. On SQLite the column exists but stays empty: search falls back to LIKE."""

import django.contrib.postgres.search
from django.db import migrations

DOCUMENT = """
    setweight(to_tsvector('german', coalesce(NEW.name, '')), 'A')
    || setweight(to_tsvector('german', coalesce(NEW.short_name, '')), 'A')
    || setweight(to_tsvector('german', coalesce(NEW.keywords, '')), 'B')
    || setweight(to_tsvector('german', coalesce(NEW.description_de, '')), 'C')
    || setweight(to_tsvector('german', coalesce(NEW.description_en, '')), 'C')
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION partners_organisation_search_vector() RETURNS trigger AS $$ "
        f"BEGIN NEW.search_vector := {DOCUMENT}; RETURN NEW; END $$ LANGUAGE plpgsql"
    )
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS partners_organisation_search_vector ON partners_organisation"
    )
    schema_editor.execute(
        "CREATE TRIGGER partners_organisation_search_vector BEFORE INSERT OR UPDATE "
        "ON partners_organisation FOR EACH ROW "
        "EXECUTE FUNCTION partners_organisation_search_vector()"
    )
    schema_editor.execute("UPDATE partners_organisation SET search_vector = NULL")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS partners_org_search_vector ON partners_organisation "
        "USING gin (search_vector)"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS partners_organisation_search_vector ON partners_organisation"
    )
    schema_editor.execute("DROP FUNCTION IF EXISTS partners_organisation_search_vector()")
    schema_editor.execute("DROP INDEX IF EXISTS partners_org_search_vector")


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0004_organisation_search'),
    ]

    operations = [
        migrations.AddField(
            model_name='organisation',
            name='search_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
