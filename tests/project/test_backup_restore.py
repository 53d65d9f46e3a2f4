"""`manage.py backup` and `manage.py restore` on the real PostgreSQL server: the demo data is backed up, restored
into a new database, and every claim, payment and audit event row (all columns) is compared with the source.
A second restore into the same, now populated database goes through pg_restore --clean (dropping the tables,
the audit table's append-only trigger included) and must give the same rows again, trigger and all."""

import json
import shutil
import uuid
from io import StringIO
from pathlib import Path

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from core.management.commands.backup import DUMP_NAME, MANIFEST_NAME, MEDIA_NAME

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data"),
]

COMPARED = ["subsidies_subsidyclaim", "subsidies_payment", "accounts_auditevent"]


def conninfo(dbname: str) -> dict:
    s = connection.settings_dict
    params = {"dbname": dbname, "host": s["HOST"], "port": s["PORT"], "user": s["USER"], "password": s["PASSWORD"]}
    return {k: v for k, v in params.items() if v}


def database_url(dbname: str) -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{dbname}"


def rows(dbname: str, table: str) -> tuple[list[str], list[tuple]]:
    with psycopg.connect(**conninfo(dbname)) as conn, conn.cursor() as cursor:
        cursor.execute(sql.SQL("SELECT * FROM {} ORDER BY id").format(sql.Identifier(table)))
        return [c.name for c in cursor.description], cursor.fetchall()


@pytest.fixture
def new_database():
    """An empty database on the same server, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**conninfo("postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(**conninfo("postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_backup_and_restore_into_a_new_database(tmp_path, media, new_database):
    call_command("seed_demo", stdout=StringIO())
    default_storage.save("claims/申报表.pdf", ContentFile(b"%PDF-1.4 demo"))
    default_storage.save("reports/2026-10/report.xlsx", ContentFile(b"PK\x03\x04 xlsx"))
    source = connection.settings_dict["NAME"]
    for table in COMPARED:
        assert rows(source, table)[1], f"the demo data has no {table} rows"

    out = StringIO()
    call_command("backup", str(tmp_path / "backup"), stdout=out)
    backup = tmp_path / "backup"
    assert {p.name for p in backup.iterdir()} == {DUMP_NAME, MEDIA_NAME, MANIFEST_NAME}
    manifest = json.loads((backup / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["database"]["name"] == source
    assert manifest["counts"]["subsidies_subsidyclaim"] == len(rows(source, "subsidies_subsidyclaim")[1])
    assert manifest["counts"]["accounts_auditevent"] == len(rows(source, "accounts_auditevent")[1])
    assert manifest["media"]["files"] == len(tree(media)) >= 2
    assert "备份完成" in out.getvalue() and "Backup written" in out.getvalue()

    restored_media = tmp_path / "restored-media"
    out = StringIO()
    call_command(
        "restore", str(backup), database_url=database_url(new_database), media_root=str(restored_media), stdout=out
    )
    assert "恢复完成" in out.getvalue(), out.getvalue()
    for table in COMPARED:
        assert rows(new_database, table) == rows(source, table), table
    assert tree(restored_media) == tree(media)

    # The append-only trigger came back with the table.
    with psycopg.connect(**conninfo(new_database)) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("UPDATE accounts_auditevent SET action = 'x'")
        conn.rollback()
        # Something that is not in the backup: the next restore must drop it.
        conn.execute(
            "INSERT INTO accounts_auditevent (created_at, actor_repr, action, target_id, target_repr, details)"
            " VALUES (now(), 'intruder', 'after.backup', '', '', '{}')"
        )
        conn.commit()
    assert len(rows(new_database, "accounts_auditevent")[1]) == manifest["counts"]["accounts_auditevent"] + 1

    # Again into the populated database: --clean drops and recreates every table (audit trigger included).
    call_command("restore", str(backup), database_url=database_url(new_database), skip_media=True, stdout=StringIO())
    for table in COMPARED:
        assert rows(new_database, table) == rows(source, table), table
    with psycopg.connect(**conninfo(new_database)) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            conn.execute("DELETE FROM accounts_auditevent")
        conn.rollback()
        (triggers,) = conn.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname = 'accounts_auditevent_append_only'"
        ).fetchone()
        assert triggers == 1


def test_refusals(tmp_path, media, monkeypatch):
    backup = tmp_path / "backup"
    call_command("backup", str(backup), stdout=StringIO())

    with pytest.raises(CommandError, match=r"不是空的.*\n.*not empty"):
        call_command("backup", str(backup), stdout=StringIO())
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", str(backup), stdout=StringIO())
    with pytest.raises(CommandError, match="--force"):  # the configured database, named by URL
        call_command("restore", str(backup), database_url=database_url(connection.settings_dict["NAME"]))
    with pytest.raises(CommandError, match=r"不存在.*\n.*does not exist"):
        call_command("restore", str(backup), database_url=database_url(f"missing_{uuid.uuid4().hex[:8]}"))
    with pytest.raises(CommandError, match=r"manifest\.json"):
        call_command("restore", str(tmp_path), database_url=database_url("whatever"))

    damaged = tmp_path / "damaged"
    shutil.copytree(backup, damaged)
    with open(damaged / DUMP_NAME, "ab") as f:
        f.write(b"garbage")
    with pytest.raises(CommandError, match=r"校验和.*\n.*checksum"):
        call_command("restore", str(damaged), database_url=database_url("whatever"))

    with pytest.raises(CommandError, match=r"SQLite.*\n.*SQLite"):
        call_command("restore", str(backup), database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    missing = tmp_path / "unreachable"
    with monkeypatch.context() as m:
        m.setitem(connection.settings_dict, "NAME", f"missing_{uuid.uuid4().hex[:8]}")
        with pytest.raises(CommandError, match=r"无法连接.*\n?.*Cannot connect"):
            call_command("backup", str(missing), stdout=StringIO())
    assert list(missing.iterdir()) == []  # nothing half-written

    monkeypatch.setitem(connection.settings_dict, "ENGINE", "django.db.backends.sqlite3")
    with pytest.raises(CommandError, match=r"只支持 PostgreSQL.*SQLite.*\n.*PostgreSQL only"):
        call_command("backup", str(tmp_path / "sqlite-backup"), stdout=StringIO())
    assert not (tmp_path / "sqlite-backup").exists()
