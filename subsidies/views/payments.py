"""Finance (拨付): the claims and classes waiting for a payment, the advance of a class and the settlement of a
claim. Recording a payment moves money: the step-up (accounts.stepup) is asked before the form."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from accounts.stepup import ReauthRequiredMixin
from core.errors import DomainError
from core.forms import call_service
from core.policy import PermissionRequiredMixin

from .. import selectors
from ..forms import PaymentForm
from ..services import payments
from .common import page_of, scoped_claim


class PaymentListView(PermissionRequiredMixin, View):
    permission = "payment.record"

    def get(self, request):
        payable = selectors.payable(user=request.user)
        claims_due, classes_due = list(payable["claims"]), list(payable["classes"])
        barred = payments.payment_barred_class_ids(
            actor=request.user, class_ids={c.training_class_id for c in claims_due} | {c.pk for c in classes_due}
        )
        page, query, status = page_of(request, selectors.payment_list(user=request.user))
        return render(
            request,
            "subsidies/payments.html",
            {"claims": claims_due, "classes": classes_due, "barred": barred, "page": page, "query": query},
            status=status,
        )


class AdvanceView(ReauthRequiredMixin, PermissionRequiredMixin, View):
    """预拨 for one class: the amount is the service's; the form carries a one-time idempotency key."""

    permission = "payment.record"

    def _render(self, request, tc, form, status=200):
        try:
            basis, amount_error = payments.advance_basis(tc), ""
        except DomainError as exc:
            basis, amount_error = None, exc.message
        context = {
            "is_advance": True,
            "tc": tc,
            "form": form,
            "basis": basis,
            "amount": basis.amount if basis else None,
            "amount_error": amount_error,
            "conflict": payments.payment_conflict(actor=request.user, training_class=tc),
            "payments": selectors.class_payments(tc),
            "action": reverse("subsidies:advance", args=[tc.pk]),
        }
        return render(request, "subsidies/payment_form.html", context, status=status)

    def get(self, request, class_pk):
        tc = get_object_or_404(selectors.advance_class(user=request.user), pk=class_pk)
        return self._render(request, tc, PaymentForm())

    def post(self, request, class_pk):
        tc = get_object_or_404(selectors.advance_class(user=request.user), pk=class_pk)
        form = PaymentForm(request.POST)
        if form.is_valid():
            payment = call_service(
                form, payments.advance_record, actor=request.user, training_class=tc, **form.cleaned_data
            )
            if payment:
                messages.success(request, _("已登记预拨 %(a)s 元。") % {"a": payment.amount})
                return redirect("subsidies:payments")
        return self._render(request, tc, form, status=400)


class SettlementView(ReauthRequiredMixin, PermissionRequiredMixin, View):
    """清算 for one approved claim: approved amount minus the class's advance (negative = recovery)."""

    permission = "payment.record"

    def _render(self, request, claim, form, status=200):
        advanced = selectors.advanced_total(claim.training_class)
        context = {
            "is_advance": False,
            "claim": claim,
            "tc": claim.training_class,
            "form": form,
            "advanced": advanced,
            "balance": claim.approved_amount - advanced,
            "conflict": payments.payment_conflict(actor=request.user, training_class=claim.training_class),
            "payments": selectors.class_payments(claim.training_class),
            "action": reverse("subsidies:settle", args=[claim.pk]),
        }
        return render(request, "subsidies/payment_form.html", context, status=status)

    def get(self, request, pk):
        return self._render(request, scoped_claim(request, pk), PaymentForm())

    def post(self, request, pk):
        claim = scoped_claim(request, pk)
        form = PaymentForm(request.POST)
        if form.is_valid():
            payment = call_service(
                form, payments.settlement_record, actor=request.user, claim=claim, **form.cleaned_data
            )
            if payment:
                messages.success(request, _("已登记清算 %(a)s 元。") % {"a": payment.amount})
                return redirect("subsidies:payments")
        return self._render(request, claim, form, status=400)
