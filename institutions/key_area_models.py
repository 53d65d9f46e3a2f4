"""Key-area tags of subsidized programs (the occupations' tags are catalog.OccupationKeyArea)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import KeyAreaTag


class ProgramKeyArea(KeyAreaTag):
    """A program tagged as belonging to a key area (重点领域), for a span of days. The ledger names no program,
    only institution, occupation, level and type: those are copied from the program (which never changes them)
    so the roll-up meets a ledger row's tag in one join; no two tags of the same four overlap
    (institutions.services.key_areas checks it), so the join never multiplies a count."""

    program = models.ForeignKey(
        "institutions.Program", verbose_name=_("培训项目"), on_delete=models.PROTECT, related_name="key_area_tags"
    )
    institution = models.ForeignKey(
        "institutions.Institution", on_delete=models.PROTECT, related_name="program_key_area_tags"
    )
    occupation = models.ForeignKey("catalog.Occupation", on_delete=models.PROTECT, related_name="+")
    skill_level = models.ForeignKey("catalog.SkillLevel", on_delete=models.PROTECT, related_name="+")
    training_type = models.ForeignKey("catalog.TrainingType", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("项目重点领域标记")
        verbose_name_plural = _("项目重点领域标记")
        ordering = ["program", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="program_key_area_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["program"], condition=models.Q(valid_to__isnull=True), name="one_open_key_area_per_program"
            ),
        ]

    def __str__(self):
        return f"{self.program} → {self.key_area.name}"
