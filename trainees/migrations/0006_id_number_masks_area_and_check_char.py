"""Stored ID-number masks to the scheme of core.masking: area code and check character only.

The old masks (230102********1234) showed the last four characters; the new (230102***********4) is derived
from the old one without the full number: first 6, eleven stars, last character. Set-based, one UPDATE per
range of ids, each committed on its own (atomic = False), on PostgreSQL and SQLite alike; masks already in the
new form are left alone, so running it again changes nothing.

The teachers of institutions (institutions.Teacher, masked by the same function, full number never stored)
are rewritten here too, so no stored mask of the old scheme is left.
"""

from django.db import migrations

BATCH = 20_000
STARS = "*" * 11

REMASK = """
UPDATE {table} SET id_number_masked = SUBSTR(id_number_masked, 1, 6) || %s || SUBSTR(id_number_masked, 18, 1)
 WHERE id >= %s AND id < %s AND LENGTH(id_number_masked) = 18 AND SUBSTR(id_number_masked, 7, 11) <> %s
"""


def remask(apps, schema_editor):
    connection = schema_editor.connection
    for label in ("trainees.Trainee", "institutions.Teacher"):
        model = apps.get_model(label)
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")  # noqa: S608 - a table name from the model
            low, high = cursor.fetchone()
            if low is None:
                continue
            for start in range(low, high + 1, BATCH):
                cursor.execute(REMASK.format(table=table), [STARS, start, start + BATCH, STARS])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("institutions", "0002_institution_rating_grade_institution_rating_year"),
        ("trainees", "0005_record_county_counted_month"),
    ]

    # Backwards: the new masks are valid masks for the old code too (and the old ones cannot be rebuilt).
    operations = [migrations.RunPython(remask, migrations.RunPython.noop, elidable=True)]
