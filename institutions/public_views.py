"""公开: the directory of designated institutions and their listed programs. No login, no personal data."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from catalog.models import Region

from . import selectors
from .forms import PublicSearchForm
from .models import Institution, InstitutionStatus


def _regions_with_institutions():
    """Cities and counties where a designated institution sits, for the search filter."""
    designated = Institution.objects.filter(status=InstitutionStatus.DESIGNATED)
    counties = designated.values("county__code")
    cities = Region.objects.filter(level="city", code__in=[c["county__code"][:4] for c in counties])
    return (Region.objects.filter(code__in=counties) | cities).select_related("parent").order_by("code")


def directory(request):
    form = PublicSearchForm(request.GET or None, regions=_regions_with_institutions())
    filters = form.cleaned_data if form.is_valid() else {}
    institutions = selectors.public_institution_list(filters=filters)
    page = Paginator(institutions, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "public/directory.html", {"form": form, "page": page, "query": query.urlencode()})


def institution(request, pk):
    obj = get_object_or_404(selectors.public_institution_list(), pk=pk)
    return render(request, "public/institution.html", {"institution": obj, "programs": selectors.public_programs(obj)})
