"""The database itself refuses UPDATE and DELETE on the audit table (PostgreSQL and SQLite)."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'accounts_auditevent is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_auditevent_append_only
    BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();
"""
ALLOW = """
DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS accounts_auditevent_append_only();
"""
SQLITE_FORBID = [
    f"""CREATE TRIGGER accounts_auditevent_no_{op.lower()} BEFORE {op} ON accounts_auditevent
    BEGIN SELECT RAISE(ABORT, 'accounts_auditevent is append-only'); END;"""
    for op in ("UPDATE", "DELETE")
]
SQLITE_ALLOW = [f"DROP TRIGGER IF EXISTS accounts_auditevent_no_{op};" for op in ("update", "delete")]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": [FORBID], "sqlite": SQLITE_FORBID}.get(vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": [ALLOW], "sqlite": SQLITE_ALLOW}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
