"""The admin's moderation queue (a proxy model) and, on PostgreSQL only, the search indexes:
pg_trgm with GIN trigram indexes on the name and the keywords (typo-tolerant search)."""

from django.db import migrations

TRIGRAM_INDEXES = [
    ("partners_org_name_trgm", "name"),
    ("partners_org_keywords_trgm", "keywords"),
]


def create_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON partners_organisation "
            f"USING gin ({column} gin_trgm_ops)"
        )


def drop_search_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0003_invitations_join_requests"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingOrganisation",
            fields=[],
            options={
                "verbose_name": "organisation awaiting approval",
                "verbose_name_plural": "organisations awaiting approval",
                "proxy": True,
                "indexes": [],
                "constraints": [],
            },
            bases=("partners.organisation",),
        ),
        migrations.RunPython(create_search_indexes, drop_search_indexes, elidable=False),
    ]
