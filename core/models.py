"""The one table every app shares: the outbox of counted facts that changed (core.progress writes it, the
indicators app drains it). The region is named by string, so core imports no app."""

from django.db import models


class PendingRefresh(models.Model):
    """A counted fact changed in (county, month) and the roll-up has not caught up yet: written in the same
    transaction as the change, removed by the refresh that counts it. If the refresh task is lost (broker down
    at commit, worker gone), a sweeper finds the row and refreshes; nothing waits for the nightly recompute."""

    county = models.ForeignKey("catalog.Region", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # first day
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "catalog_pendingrefresh"  # created by catalog before core existed
        constraints = [models.UniqueConstraint(fields=["county", "month"], name="one_pending_refresh")]

    def __str__(self):
        return f"{self.county_id} {self.month:%Y-%m}"
