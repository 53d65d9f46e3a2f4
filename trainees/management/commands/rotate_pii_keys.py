from django.core.management.base import BaseCommand

from accounts.services import audit_log
from trainees.services.keys import rotate_encryption_keys


class Command(BaseCommand):
    help = (
        "Re-encrypt personal data under the newest key. Put the new key first in PII_ENCRYPTION_KEYS and keep "
        "the old ones after it; when this finishes, the old keys may be removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=5000)

    def handle(self, *args, batch: int, **options):
        done = rotate_encryption_keys(batch=batch, on_batch=lambda n: self.stderr.write(f"  +{n}"))
        audit_log(actor=None, action="pii.keys_rotated", details={"rows": done})
        self.stdout.write(f"re-encrypted {done} rows")
