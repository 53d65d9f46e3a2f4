"""`manage.py restore DIR --database-url postgres://…/newdb` (or `--force` for the configured database): puts
back a backup written by `manage.py backup DIR`.

pg_restore --clean --if-exists --no-owner runs in one transaction (--single-transaction --exit-on-error): a
failed restore leaves the target as it was. Existing tables are dropped and created again (so the audit table's
append-only trigger does not stand in the way: it refuses UPDATE and DELETE, not DROP, and is created again
after the data). The key tables' row counts are then compared with the manifest, and the media archive is
unpacked into MEDIA_ROOT (or --media-root).
"""

import json
import subprocess
import tarfile
from pathlib import Path

import environ
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from .backup import (
    DUMP_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    MEDIA_NAME,
    count_rows,
    find_tool,
    pg_connection_args,
    psycopg_connect,
    require_postgresql,
    sha256,
)


def same_database(a: dict, b: dict) -> bool:
    def key(d):
        return (d.get("HOST") or "localhost", str(d.get("PORT") or "5432"), d.get("NAME"))

    hosts = {"localhost", "127.0.0.1", "::1", ""}
    ka, kb = key(a), key(b)
    return ka[1:] == kb[1:] and (ka[0] == kb[0] or (ka[0] in hosts and kb[0] in hosts))


class Command(BaseCommand):
    help = (
        "从 backup 命令写的目录恢复数据库和上传文件。 / Restore the database and the uploaded files from a folder"
        " written by the backup command."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录 / the backup folder")
        parser.add_argument(
            "--database-url",
            help="恢复到这个数据库（postgres://用户@主机:端口/库名） / restore into this database instead of the "
            "configured one",
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="DATABASES 中的别名 / the DATABASES alias (default: default)"
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="确认覆盖当前配置的数据库 / confirm replacing the configured database",
        )
        parser.add_argument(
            "--create", action="store_true", help="目标数据库不存在时先创建 / create the target database if missing"
        )
        parser.add_argument(
            "--media-root", help="上传文件解压到这里（默认 MEDIA_ROOT） / unpack the media here (default MEDIA_ROOT)"
        )
        parser.add_argument("--skip-media", action="store_true", help="不恢复上传文件 / do not restore the media files")

    def handle(self, *args, **options):
        directory = Path(options["directory"]).resolve()
        manifest = self.read_manifest(directory)
        configured = connections[options["database"]].settings_dict

        if options["database_url"]:
            target = environ.Env.db_url_config(options["database_url"])
            require_postgresql(target, "恢复", "Restore")
            into_configured = same_database(target, configured)
        else:
            require_postgresql(configured, "恢复", "Restore")
            target, into_configured = configured, True
        if into_configured and not options["force"]:
            raise CommandError(
                f"这会删除并替换当前配置的数据库 {target['NAME']} 中的全部数据。确认无误请加 --force，"
                f"或用 --database-url 恢复到另一个数据库。\n"
                f"This drops and replaces everything in the configured database {target['NAME']}. Pass --force to "
                f"confirm, or restore into another database with --database-url."
            )

        self.ensure_database(target, create=options["create"])
        if into_configured:
            connections.close_all()  # our own sessions must not hold locks on the tables being dropped

        self.stdout.write(
            f"正在恢复数据库 {target['NAME']}（备份时间 {manifest['created_at']}）… / "
            f"Restoring database {target['NAME']} (backup of {manifest['created_at']}) …"
        )
        args, env = pg_connection_args(target)
        command = [
            find_tool("pg_restore"),
            *args,
            "--no-password",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={target['NAME']}",
            str(directory / DUMP_NAME),
        ]
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(
                f"pg_restore 失败（退出码 {result.returncode}），目标数据库未改变。 / pg_restore failed (exit code "
                f"{result.returncode}); the target database was left unchanged:\n{result.stderr.strip()}"
            )

        restored, pending = self.check_restored(target, manifest)
        for table, n in restored.items():
            self.stdout.write(f"  {table}: {'—' if n is None else n}")
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    "备份中的数据库结构比当前代码旧，请运行 manage.py migrate。 / The backup predates some migrations "
                    "of this code: run manage.py migrate. " + ", ".join(f"{a}.{n}" for a, n in sorted(pending))
                )
            )

        media_files = 0
        if not options["skip_media"]:
            media_root = Path(options["media_root"] or settings.MEDIA_ROOT)
            media_files = self.unpack_media(directory / MEDIA_NAME, media_root)
            self.stdout.write(f"上传文件已解压到 {media_root} / Media unpacked into {media_root}")

        self.stdout.write(
            self.style.SUCCESS(
                f"恢复完成：数据库 {target['NAME']}，上传文件 {media_files} 个。\n"
                f"Restore complete: database {target['NAME']}, {media_files} media files."
            )
        )

    def read_manifest(self, directory: Path) -> dict:
        path = directory / MANIFEST_NAME
        if not path.is_file():
            raise CommandError(
                f"{directory} 里没有 {MANIFEST_NAME}：这不是 backup 命令写的备份目录。\n"
                f"No {MANIFEST_NAME} in {directory}: not a folder written by the backup command."
            )
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise CommandError(
                f"不认识的备份格式 {manifest.get('format')!r}。 / Unknown backup format {manifest.get('format')!r}."
            )
        for name, info in manifest["files"].items():
            file = directory / name
            if not file.is_file():
                raise CommandError(f"备份不完整，缺少 {name}。 / The backup is incomplete: {name} is missing.")
            if sha256(file) != info["sha256"]:
                raise CommandError(
                    f"{name} 的校验和与 manifest.json 不符：文件已损坏或被改动。\n"
                    f"{name} does not match its checksum in manifest.json: the file is damaged or was changed."
                )
        return manifest

    def ensure_database(self, target: dict, *, create: bool) -> None:
        import psycopg

        try:
            psycopg_connect(target).close()
            return
        except psycopg.OperationalError as exc:
            if "does not exist" not in str(exc):
                raise CommandError(
                    f"无法连接目标数据库 {target['NAME']}。 / Cannot connect to the target database "
                    f"{target['NAME']}:\n{exc}"
                ) from exc
        if not create:
            raise CommandError(
                f"目标数据库 {target['NAME']} 不存在。请先创建（createdb {target['NAME']}）或加 --create。\n"
                f"The target database {target['NAME']} does not exist. Create it first (createdb) or pass --create."
            )
        from psycopg import sql

        with psycopg_connect(target, dbname="postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target["NAME"])))
        self.stdout.write(f"已创建数据库 {target['NAME']} / Created database {target['NAME']}")

    def check_restored(self, target: dict, manifest: dict) -> tuple[dict, set]:
        """The restored row counts, which must equal the manifest's; and the code's migrations the restored
        database has not applied."""
        from django.db.migrations.loader import MigrationLoader

        with psycopg_connect(target) as conn, conn.cursor() as cursor:
            restored = count_rows(cursor, list(manifest["counts"]))
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = set(cursor.fetchall())
        differ = {t: (n, restored[t]) for t, n in manifest["counts"].items() if restored[t] != n}
        if differ:
            lines = "\n".join(f"  {t}: manifest {a}, restored {b}" for t, (a, b) in differ.items())
            raise CommandError(
                f"恢复后的行数与备份清单不符。 / The restored row counts differ from the manifest:\n{lines}"
            )
        loader = MigrationLoader(None, ignore_no_migrations=True)
        pending = {node for node in loader.graph.leaf_nodes() if node not in applied}
        return restored, pending

    def unpack_media(self, archive: Path, media_root: Path) -> int:
        media_root.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "r:gz") as tar:
            members = [m for m in tar.getmembers() if m.isfile()]
            # filter="data": no absolute paths, no "..", no links out of the folder, no special files
            tar.extractall(media_root, members=members, filter="data")
        return len(members)
