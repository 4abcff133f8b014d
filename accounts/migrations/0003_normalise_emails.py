"""Stored e-mail addresses in the form accounts.emails.normalise_email gives (issue 13).

An address whose normal form another row already holds stays as it is, so that no account is
lost: the migration names it, and the cluster office merges or renames the accounts.
"""

from collections import defaultdict

from django.db import migrations

from accounts.emails import normalise_email


def _normalise(model, keys):
    """Sets each row's email to its normal form unless one of `keys(row, normal)` is taken."""
    rows = list(model.objects.all())
    holders = defaultdict(set)
    for row in rows:
        for key in keys(row, normalise_email(row.email)):
            holders[key].add(row.pk)
    for row in rows:
        normal = normalise_email(row.email)
        if normal == row.email:
            continue
        if any(holders[key] != {row.pk} for key in keys(row, normal)):
            print(f"  {model.__name__} {row.pk}: {row.email!r} kept, {normal!r} is taken")  # noqa: T201
            continue
        model.objects.filter(pk=row.pk).update(email=normal)


def forwards(apps, schema_editor):
    _normalise(apps.get_model("accounts", "User"), lambda row, email: [email])
    # allauth: an address once per user, and a verified address once across users
    _normalise(
        apps.get_model("account", "EmailAddress"),
        lambda row, email: [(row.user_id, email)] + ([("verified", email)] if row.verified else []),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_deleted_at"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
