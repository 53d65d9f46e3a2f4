"""`manage.py backup DIR`: a PostgreSQL custom-format dump (pg_dump -Fc), a tar.gz of MEDIA_ROOT and a
manifest.json (time, database name, row counts of the key tables, checksums). `manage.py restore DIR` puts
them back.

The row counts are read in the very snapshot pg_dump dumps (a REPEATABLE READ transaction exports its
snapshot and pg_dump --snapshot uses it), so the manifest describes exactly what the dump holds; restore
compares them after restoring. SQLite (the embedded mode) is refused: copy the database file instead.
"""

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

DUMP_NAME = "database.dump"
MEDIA_NAME = "media.tar.gz"
MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1

# Models whose table row counts go into the manifest (and are checked after a restore).
KEY_MODELS = [
    "accounts.User",
    "accounts.AuditEvent",
    "institutions.Institution",
    "institutions.Program",
    "trainees.Trainee",
    "training.TrainingClass",
    "training.Enrollment",
    "training.Attendance",
    "subsidies.SubsidyClaim",
    "subsidies.ClaimLine",
    "subsidies.Payment",
]


def key_tables() -> list[str]:
    return [apps.get_model(label)._meta.db_table for label in KEY_MODELS]


POSTGRESQL = "django.db.backends.postgresql"


def require_postgresql(settings_dict: dict, zh: str, en: str) -> None:
    """Refuse anything but PostgreSQL, SQLite (the embedded mode) with advice."""
    engine = settings_dict.get("ENGINE", "")
    if engine == POSTGRESQL:
        return
    if "sqlite" in engine:
        raise CommandError(
            f"{zh}只支持 PostgreSQL，当前数据库是 SQLite（内嵌模式）。请停止服务后直接复制数据库文件"
            f"（{settings_dict.get('NAME')}）和 MEDIA_ROOT 目录。\n"
            f"{en} supports PostgreSQL only; this database is SQLite (embedded mode). Stop the app and copy the "
            f"database file ({settings_dict.get('NAME')}) and the MEDIA_ROOT folder instead."
        )
    raise CommandError(
        f"{zh}只支持 PostgreSQL（当前：{engine}）。\n{en} supports PostgreSQL only (this one: {engine})."
    )


def pg_connection_args(settings_dict: dict) -> tuple[list[str], dict[str, str]]:
    """Command-line arguments (host, port, user, database) and environment (PGPASSWORD, PGSSLMODE, …) for the
    PostgreSQL client programs, from a Django DATABASES entry."""
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    options = settings_dict.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
        ("passfile", "PGPASSFILE"),
        ("service", "PGSERVICE"),
    ):
        if options.get(option):
            env[variable] = str(options[option])
    return args, env


def psycopg_connect(settings_dict: dict, dbname: str | None = None, **kwargs):
    """A psycopg connection of its own (not Django's), to the given database or the entry's."""
    import psycopg

    params = {
        "dbname": dbname or settings_dict["NAME"],
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
    }
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey", "passfile", "service"):
        if options.get(option):
            params[option] = options[option]
    return psycopg.connect(**{k: v for k, v in params.items() if v is not None}, **kwargs)


def count_rows(cursor, tables: list[str]) -> dict[str, int | None]:
    """Row counts of the tables that exist (None for a table that does not)."""
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    existing = {name for (name,) in cursor.fetchall()}
    counts: dict[str, int | None] = {}
    for table in tables:
        if table in existing:
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - the models' own table names
            counts[table] = cursor.fetchone()[0]
        else:
            counts[table] = None
    return counts


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def find_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise CommandError(
            f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）。\n"
            f"{name} not found: install the PostgreSQL client programs (Debian: apt-get install postgresql-client)."
        )
    return path


class Command(BaseCommand):
    help = (
        "备份数据库（pg_dump 自定义格式）和上传文件（MEDIA_ROOT）到 DIR，并写 manifest.json。"
        " / Back up the database (pg_dump custom format) and the uploaded files (MEDIA_ROOT) into DIR, with a"
        " manifest.json."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "directory", help="备份目录（不存在则创建，须为空） / backup folder (created; must be empty)"
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="DATABASES 中的别名 / the DATABASES alias (default: default)"
        )
        parser.add_argument(
            "--media-root",
            help="要备份的上传文件目录（默认 MEDIA_ROOT） / media folder to archive (default MEDIA_ROOT)",
        )

    def handle(self, *args, **options):
        settings_dict = connections[options["database"]].settings_dict
        require_postgresql(settings_dict, "备份", "Backup")
        pg_dump = find_tool("pg_dump")
        directory = Path(options["directory"]).resolve()
        if directory.exists() and any(directory.iterdir()):
            raise CommandError(
                f"备份目录不是空的：{directory}。请换一个新目录。\n"
                f"The backup folder is not empty: {directory}. Use a new folder."
            )
        directory.mkdir(parents=True, exist_ok=True)
        media_root = Path(options["media_root"] or settings.MEDIA_ROOT)
        dump_path, media_path = directory / DUMP_NAME, directory / MEDIA_NAME
        created_at = datetime.now(UTC)

        try:
            counts, server_version, migrations = self.dump_database(settings_dict, pg_dump, dump_path)
            media_files = self.archive_media(media_root, media_path)
        except BaseException:
            # no half-written backup left behind (the folder was empty)
            for path in (dump_path, media_path):
                path.unlink(missing_ok=True)
            raise

        manifest = {
            "format": FORMAT_VERSION,
            "created_at": created_at.isoformat(),
            "database": {
                "name": settings_dict["NAME"],
                "host": settings_dict.get("HOST") or "",
                "port": str(settings_dict.get("PORT") or ""),
                "server_version": server_version,
            },
            "counts": counts,
            "migrations": migrations,
            "media": {"root": str(media_root), "files": media_files},
            "files": {
                DUMP_NAME: {"bytes": dump_path.stat().st_size, "sha256": sha256(dump_path)},
                MEDIA_NAME: {"bytes": media_path.stat().st_size, "sha256": sha256(media_path)},
            },
        }
        (directory / MANIFEST_NAME).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")

        for table, n in counts.items():
            self.stdout.write(f"  {table}: {'—' if n is None else n}")
        size = manifest["files"][DUMP_NAME]["bytes"]
        self.stdout.write(
            self.style.SUCCESS(
                f"备份完成：{directory}（数据库 {size} 字节，上传文件 {media_files} 个）\n"
                f"Backup written to {directory} (database {size} bytes, {media_files} media files)."
            )
        )

    def dump_database(self, settings_dict: dict, pg_dump: str, dump_path: Path) -> tuple[dict, str, dict]:
        """pg_dump -Fc of the database; the row counts and migrations are read in the same snapshot (the
        exporting REPEATABLE READ transaction stays open while pg_dump runs)."""
        import psycopg

        args, env = pg_connection_args(settings_dict)
        self.stdout.write(f"正在导出数据库 {settings_dict['NAME']} … / Dumping database {settings_dict['NAME']} …")
        try:
            conn = psycopg_connect(settings_dict)
        except psycopg.OperationalError as exc:
            raise CommandError(
                f"无法连接数据库 {settings_dict['NAME']}。 / Cannot connect to the database {settings_dict['NAME']}:"
                f"\n{exc}"
            ) from exc
        with conn:
            conn.isolation_level, conn.read_only = psycopg.IsolationLevel.REPEATABLE_READ, True
            with conn.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
                snapshot, server_version = cursor.fetchone()
                counts = count_rows(cursor, key_tables())
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
                migrations = {}
                for app, name in cursor.fetchall():
                    migrations[app] = name  # the last applied migration of each app
            command = [
                pg_dump,
                *args,
                "--format=custom",
                "--no-password",
                f"--snapshot={snapshot}",
                f"--file={dump_path}",
                f"--dbname={settings_dict['NAME']}",
            ]
            result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
            conn.rollback()
        if result.returncode != 0:
            raise CommandError(
                f"pg_dump 失败（退出码 {result.returncode}） / pg_dump failed (exit code {result.returncode}):\n"
                f"{result.stderr.strip()}"
            )
        return counts, server_version, migrations

    def archive_media(self, media_root: Path, media_path: Path) -> int:
        """Every regular file under media_root, by its path relative to it."""
        self.stdout.write(f"正在打包上传文件 {media_root} … / Archiving media {media_root} …")
        media_files = 0
        with tarfile.open(media_path, "w:gz") as tar:
            if media_root.is_dir():
                for path in sorted(media_root.rglob("*")):
                    if path.is_file() and not path.is_symlink():
                        tar.add(path, arcname=path.relative_to(media_root).as_posix(), recursive=False)
                        media_files += 1
            else:
                self.stdout.write(
                    self.style.WARNING(
                        f"MEDIA_ROOT 不存在，上传文件归档为空：{media_root} / MEDIA_ROOT does not exist; empty archive"
                    )
                )
        return media_files
