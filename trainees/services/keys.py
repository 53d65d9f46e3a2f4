"""Key rotation: re-encrypt every encrypted column under the newest key, in batches."""

from collections.abc import Callable

from django.db import connection, transaction

from ..crypto import cipher, reset_caches

ENCRYPTED_COLUMNS = {"trainees_trainee": ("id_number", "phone", "bank_account")}


def rotate_encryption_keys(*, batch: int = 5000, on_batch: Callable[[int], None] = lambda n: None) -> int:
    """Re-encrypt all values with the first key of PII_ENCRYPTION_KEYS (older keys must still be listed).
    Each batch commits on its own, so an interrupted rotation resumes safely: both keys still decrypt."""
    reset_caches()
    current = cipher()
    done = 0
    for table, columns in ENCRYPTED_COLUMNS.items():
        last_id = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT id, {', '.join(columns)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                    [last_id, batch],
                )
                rows = cursor.fetchall()
                if not rows:
                    break
                updates = [[*(current.rotate(v) if v else v for v in row[1:]), row[0]] for row in rows]
                assignments = ", ".join(f"{c} = %s" for c in columns)
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", updates)  # noqa: S608
            last_id = rows[-1][0]
            done += len(rows)
            on_batch(len(rows))
    return done
