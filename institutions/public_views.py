"""公开: the directory of designated institutions and their listed programs. No login, no personal data."""

from django.shortcuts import get_object_or_404, render

from catalog.models import Region
from core.forms import paginate, query_errors, query_status

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
    page, page_error = paginate(request, institutions, 30)
    status = query_status(request, query_errors(form), page_error)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "public/directory.html", context, status=status)


def institution(request, pk):
    obj = get_object_or_404(selectors.public_institution_list(), pk=pk)
    return render(request, "public/institution.html", {"institution": obj, "programs": selectors.public_programs(obj)})
