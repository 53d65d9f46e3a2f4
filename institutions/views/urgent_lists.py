"""The urgent-shortage lists (急需紧缺职业目录): those that apply in the user's regions, and publishing one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from core.forms import call_service
from core.policy import PermissionRequiredMixin, can

from .. import selectors
from ..forms import UrgentListForm
from ..services.urgent_lists import urgent_list_publish


class UrgentListView(PermissionRequiredMixin, View):
    permission = "urgent_list.list"
    permissions = {"post": "urgent_list.publish"}

    def get(self, request):
        lists = selectors.urgent_list_list(user=request.user)
        form = UrgentListForm() if can(request.user, "urgent_list.publish") else None
        return render(request, "institutions/urgent_lists.html", {"lists": lists, "form": form})

    def post(self, request):
        form = UrgentListForm(request.POST)
        if form.is_valid() and call_service(
            form, urgent_list_publish, actor=request.user, region=request.user.region, **form.cleaned_data
        ):
            messages.success(request, _("急需紧缺职业目录已发布。"))
            return redirect("institutions:urgent_lists")
        lists = selectors.urgent_list_list(user=request.user)
        return render(request, "institutions/urgent_lists.html", {"lists": lists, "form": form}, status=400)
