"""On PostgreSQL the database itself refuses two standards with the same key and overlapping periods."""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE subsidies_subsidystandard ADD CONSTRAINT standard_periods_do_not_overlap EXCLUDE USING gist (
    claim_kind WITH =, region_id WITH =, training_type_id WITH =, (COALESCE(occupation_id, 0)) WITH =, urgent_only WITH =,
    (COALESCE(skill_level_id, 0)) WITH =, mode WITH =,
    daterange(valid_from, valid_to, '[]') WITH &&
);
"""
BACKWARD = "ALTER TABLE subsidies_subsidystandard DROP CONSTRAINT IF EXISTS standard_periods_do_not_overlap;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
