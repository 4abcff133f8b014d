"""The stored search document in German and English: every text is indexed with the German
configuration, and the English description, the name and the keywords also with the English one
(so "assessments" finds "assessment", and English stop words do not become German lexemes).
Weights: name and short name A, keywords B, descriptions C. Same trigger and GIN index as 0005;
the documents are recomputed."""

from django.db import migrations

DOCUMENT = """
    setweight(to_tsvector('german', coalesce(NEW.name, '')), 'A')
    || setweight(to_tsvector('english', coalesce(NEW.name, '')), 'A')
    || setweight(to_tsvector('german', coalesce(NEW.short_name, '')), 'A')
    || setweight(to_tsvector('german', coalesce(NEW.keywords, '')), 'B')
    || setweight(to_tsvector('english', coalesce(NEW.keywords, '')), 'B')
    || setweight(to_tsvector('german', coalesce(NEW.description_de, '')), 'C')
    || setweight(to_tsvector('english', coalesce(NEW.description_en, '')), 'C')
"""

GERMAN_ONLY = """
    setweight(to_tsvector('german', coalesce(NEW.name, '')), 'A')
    || setweight(to_tsvector('german', coalesce(NEW.short_name, '')), 'A')
    || setweight(to_tsvector('german', coalesce(NEW.keywords, '')), 'B')
    || setweight(to_tsvector('german', coalesce(NEW.description_de, '')), 'C')
    || setweight(to_tsvector('german', coalesce(NEW.description_en, '')), 'C')
"""


def _replace(document):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(
            "CREATE OR REPLACE FUNCTION partners_organisation_search_vector() RETURNS trigger "
            f"AS $$ BEGIN NEW.search_vector := {document}; RETURN NEW; END $$ LANGUAGE plpgsql"
        )
        schema_editor.execute("UPDATE partners_organisation SET search_vector = NULL")

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0007_invitation_declined"),
    ]

    operations = [
        migrations.RunPython(_replace(DOCUMENT), _replace(GERMAN_ONLY), elidable=False),
    ]
