"""Set-based writes for the bulk paths (rosters, migrations): PostgreSQL COPY and array inserts, with a plain
ORM fallback for the embedded SQLite mode side by side in the same function."""

from django.db import connection, models
from psycopg.types.json import Jsonb


def copy_insert(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (database-ready values in `fields` order) without building model instances."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=1000)
        return
    meta = model._meta
    columns = [meta.get_field(f).column for f in fields]
    json_positions = [i for i, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)]
    with (
        connection.cursor() as cursor,
        cursor.copy(
            f"COPY {meta.db_table} ({', '.join(columns)}) FROM STDIN"  # names from the model, not from input
        ) as copy,
    ):
        for row in rows:
            if json_positions:
                row = list(row)
                for i in json_positions:
                    row[i] = Jsonb(row[i])
            copy.write_row(row)


def insert_ignoring_conflicts(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO NOTHING for many rows in one statement (PostgreSQL: arrays; else bulk_create)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], ignore_conflicts=True, batch_size=1000
        )
        return
    meta = model._meta
    columns = [meta.get_field(f).column for f in fields]
    types = [meta.get_field(f).db_type(connection) for f in fields]
    arrays = [list(column) for column in zip(*rows, strict=True)]
    unnest = ", ".join(f"%s::{t}[]" for t in types)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - names from the model
            f"SELECT * FROM unnest({unnest}) ON CONFLICT DO NOTHING",
            arrays,
        )
