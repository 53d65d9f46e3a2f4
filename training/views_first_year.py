"""The bureau's list of institutions whose first designated year ended without a class of 30 people (seed 004),
with the evidence and the way to the designation workflow's suspension (training.first_year)."""

from django.shortcuts import render
from django.views import View

from core.policy import PermissionRequiredMixin

from .first_year import MIN_FIRST_YEAR_CLASS, first_year_evidence, first_year_shortfalls


class FirstYearView(PermissionRequiredMixin, View):
    permission = "institution.decide"

    def get(self, request):
        years = first_year_evidence(first_year_shortfalls(user=request.user))
        return render(request, "training/first_year.html", {"years": years, "minimum": MIN_FIRST_YEAR_CLASS})
