"""创业后续服务: the business starts of an entrepreneurship class's people."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import clock


class BusinessStartFollowUp(models.Model):
    """创业后续服务 (seed 000 §(四)): a person of an entrepreneurship class started a business; recorded by the
    institution or the county within training.business_starts.FOLLOW_UP_MONTHS of the class's end."""

    enrollment = models.OneToOneField("training.Enrollment", on_delete=models.PROTECT, related_name="business_start")
    training_class = models.ForeignKey(
        "training.TrainingClass", on_delete=models.PROTECT, related_name="business_starts"
    )
    trainee = models.ForeignKey("trainees.Trainee", on_delete=models.PROTECT, related_name="business_starts")
    # The person's ledger row of this stage, once the claim is approved (null before); no database reference
    # into the bulk-loaded ledger (as the ledger's own references).
    record = models.ForeignKey(
        "trainees.TrainingRecord",
        verbose_name=_("档案记录"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    started_on = models.DateField(_("创业（注册）日期"))
    business_name = models.CharField(_("企业（个体工商户）名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    evidence = models.CharField(_("证明材料"), max_length=200)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), default=clock.now)

    class Meta:
        verbose_name = _("创业后续服务")
        verbose_name_plural = _("创业后续服务")
        ordering = ["training_class", "id"]

    def __str__(self):
        return self.business_name
