from django.db import migrations


def load(apps, schema_editor):
    from catalog.reference_data import load_all

    load_all(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
