"""Set-based writes for the bulk paths (rosters, migrations, ledger appends): PostgreSQL COPY and array
inserts, with a plain executemany for the embedded SQLite mode side by side in the same functions.

Values are database-ready (foreign keys as ids, ciphertexts already encrypted): no model instances, no
per-field preparation, so nothing is encrypted twice."""

import json
from datetime import datetime

from django.db import connection, models
from psycopg.types.json import Jsonb


def _columns(model, fields):
    meta = model._meta
    return (
        meta.db_table,
        [meta.get_field(f).column for f in fields],
        [i for i, f in enumerate(fields) if isinstance(meta.get_field(f), models.JSONField)],
    )


def _prepared(value, is_json: bool):
    """A value as Django would store it: SQLite keeps datetimes as naive UTC text (the sqlite3 module would write
    an aware one with its offset, which Django's date functions then read as UTC)."""
    if is_json:
        return json.dumps(value)
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _fallback(table, columns, json_positions, rows, suffix=""):
    marks = ", ".join("%s" for _ in columns)
    prepared = [[_prepared(v, i in json_positions) for i, v in enumerate(row)] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}){suffix}",  # noqa: S608 - model names
            prepared,
        )


def copy_insert(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    """Insert `rows` (database-ready values in `fields` order) in one COPY."""
    if not rows:
        return
    table, columns, json_positions = _columns(model, fields)
    if connection.vendor != "postgresql":
        _fallback(table, columns, json_positions, rows)
        return
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            if json_positions:
                row = [Jsonb(v) if i in json_positions else v for i, v in enumerate(row)]
            copy.write_row(row)


def insert_ignoring_conflicts(model: type[models.Model], fields: list[str], rows: list[tuple]) -> None:
    """INSERT … ON CONFLICT DO NOTHING for many rows in one statement (PostgreSQL: unnest of arrays)."""
    if not rows:
        return
    table, columns, json_positions = _columns(model, fields)
    if connection.vendor != "postgresql":
        _fallback(table, columns, json_positions, rows, " ON CONFLICT DO NOTHING")
        return
    types = [model._meta.get_field(f).db_type(connection) for f in fields]
    arrays = [list(column) for column in zip(*rows, strict=True)]
    unnest = ", ".join(f"%s::{t}[]" for t in types)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names from the model
            f"SELECT * FROM unnest({unnest}) ON CONFLICT DO NOTHING",
            arrays,
        )


def add_to_counts(model: type[models.Model], key_fields: list[str], deltas: dict[tuple, int]) -> dict[tuple, int]:
    """Add each delta to the `value` of the row with that key, in one UPDATE (PostgreSQL: joined to unnested
    arrays); returns {key: new value} for the rows that exist. Keys without a row are left to the caller."""
    if not deltas:
        return {}
    table, columns, _ = _columns(model, key_fields)
    keys = list(deltas)
    match = " AND ".join(f"t.{c} = d.{c}" for c in columns)
    returning = f"RETURNING {', '.join(f't.{c}' for c in columns)}, t.value"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":  # the embedded demo: one statement per key
            found, where = {}, " AND ".join(f"{c} = %s" for c in columns)
            for key in keys:
                cursor.execute(
                    f"UPDATE {table} SET value = value + %s WHERE {where} RETURNING {', '.join(columns)}, value",  # noqa: S608
                    [deltas[key], *key],
                )
                found.update({tuple(r[:-1]): r[-1] for r in cursor.fetchall()})
            return found
        types = [model._meta.get_field(f).db_type(connection) for f in key_fields]
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        cursor.execute(
            f"UPDATE {table} AS t SET value = t.value + d.delta "  # noqa: S608 - model names
            f"FROM unnest({arrays}, %s::integer[]) AS d({', '.join(columns)}, delta) WHERE {match} {returning}",
            [*[list(column) for column in zip(*keys, strict=True)], [deltas[k] for k in keys]],
        )
        return {tuple(r[:-1]): r[-1] for r in cursor.fetchall()}


def replace_all(model, fields: list[str], keys: int, rows: list[tuple]) -> int:
    """Make `model`'s table hold exactly `rows` (values in `fields` order, the first `keys` of them the cell's
    key) by changing only what differs, in the caller's transaction: the rows are copied into a temporary table,
    then the cells no longer counted are deleted, those whose values changed updated and the new ones inserted.
    Row changes only, no table lock: under MVCC a reader meanwhile sees the old table whole, without waiting,
    and the new one after the commit. (A TRUNCATE made readers wait for the commit, and showed a transaction
    whose snapshot was older than it an empty table.) Returns how many rows changed.

    Outside PostgreSQL (the embedded demo): delete everything and insert, in the same transaction."""
    if connection.vendor != "postgresql":
        model.objects.all().delete()
        copy_insert(model, fields, rows)
        return len(rows)
    table = model._meta.db_table
    columns = [model._meta.get_field(f).column for f in fields]
    key, values, names = columns[:keys], columns[keys:], ", ".join(columns)
    staging = f"staging_{table}"
    same = " AND ".join(f"t.{c} = s.{c}" for c in key)
    assign = ", ".join(f"{c} = s.{c}" for c in values)
    differs = f"({', '.join(f't.{c}' for c in values)}) IS DISTINCT FROM ({', '.join(f's.{c}' for c in values)})"
    statements = [  # names from the model, no values
        f"DELETE FROM {table} t WHERE NOT EXISTS (SELECT 1 FROM {staging} s WHERE {same})",  # noqa: S608
        f"UPDATE {table} t SET {assign} FROM {staging} s WHERE {same} AND {differs}",  # noqa: S608
        f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} s "  # noqa: S608
        f"WHERE NOT EXISTS (SELECT 1 FROM {table} t WHERE {same})",
    ]
    changed = 0
    with connection.cursor() as cursor:
        empty_copy = f"SELECT {names} FROM {table} WITH NO DATA"  # noqa: S608
        cursor.execute(f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS {empty_copy}")
        with cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(f"ANALYZE {staging}")
        for sql in statements:
            cursor.execute(sql)
            changed += cursor.rowcount
        cursor.execute(f"DROP TABLE {staging}")
    return changed
