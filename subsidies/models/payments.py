"""拨付: the advance of a class and the settlement of a claim."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock

from .claims import SubsidyClaim


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", _("预拨")
    SETTLEMENT = "settlement", _("清算")


class Payment(models.Model):
    """Exactly one advance per class and one settlement per claim (database constraints and an idempotency
    key). A negative settlement is a recovery (追回)."""

    training_class = models.ForeignKey("training.TrainingClass", on_delete=models.PROTECT, related_name="payments")
    claim = models.ForeignKey(SubsidyClaim, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(_("类型"), max_length=12, choices=PaymentKind.choices)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    bank_reference = models.CharField(_("银行流水号"), max_length=64)
    idempotency_key = models.CharField(max_length=64, unique=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("拨付")
        verbose_name_plural = _("拨付")
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["training_class"], condition=models.Q(kind="advance"), name="one_advance_per_class"
            ),
            models.UniqueConstraint(
                fields=["claim"], condition=models.Q(kind="settlement"), name="one_settlement_per_claim"
            ),
            models.CheckConstraint(
                condition=models.Q(kind="advance", amount__gt=0) | models.Q(kind="settlement"),
                name="advance_is_positive",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def is_recovery(self) -> bool:
        return self.kind == PaymentKind.SETTLEMENT and self.amount < 0
