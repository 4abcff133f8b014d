from django.db import migrations


def load(apps, schema_editor):
    from partners.taxonomy import load_taxonomy

    load_taxonomy(apps.get_model("partners", "Competence"), apps.get_model("partners", "Sector"))


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
