"""Model factories (factory_boy) for the rows the subsidies tests write directly (a setting, a finding, an
inspector, a payment that the database must refuse...), and for the objects of the workflow tables
(`SubsidyClaimFactory.build(...)` in any status, unsaved); re-exported by tests/subsidies/factories.py."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.models import Region
from subsidies.models import (
    CategoryEligibility,
    ClaimKind,
    ClaimLine,
    ClaimMaterial,
    Finding,
    Inspector,
    MaterialKind,
    Objection,
    Payment,
    PaymentKind,
    PhoneFollowUp,
    PublicNotice,
    RegionSetting,
    Severity,
    SpotCheck,
    SpotCheckVisit,
    SubsidyClaim,
)

from .factories_users import bureau, institution_user


def region(code: str) -> Region:
    return Region.objects.get(code=code)


class RegionSettingFactory(factory.django.DjangoModelFactory):
    """`RegionSettingFactory(region=region("2312"), notice_working_days=7)`."""

    class Meta:
        model = RegionSetting

    region = factory.LazyFunction(lambda: region("23"))


class CategoryEligibilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryEligibility


class SubsidyClaimFactory(factory.django.DjangoModelFactory):
    """A claim row of a class (institution and county from the class). Real claims come from claim_create
    (`verified_claim` in factories.py); this is for a row the database must refuse, or unsaved with `.build(...)`
    in any status for the workflow tables."""

    class Meta:
        model = SubsidyClaim

    training_class = None
    institution = factory.LazyAttribute(lambda o: o.training_class.institution)
    county = factory.LazyAttribute(lambda o: o.training_class.county)
    kind = ClaimKind.TRAINING
    created_by = factory.LazyAttribute(lambda o: institution_user(o.institution))


class ClaimLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimLine

    amount = Decimal(1000)


class FindingFactory(factory.django.DjangoModelFactory):
    """A finding written by hand (the rules write theirs): a claim-level warning unless told otherwise."""

    class Meta:
        model = Finding

    rule_code = "MANUAL_TEST"
    rule_version = 1
    severity = Severity.WARNING
    message = "测试发现"


class ClaimMaterialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClaimMaterial

    kind = MaterialKind.CLAIM_FORM
    reference = "测试材料"
    uploaded_by = factory.LazyAttribute(lambda o: o.claim.created_by)


class PublicNoticeFactory(factory.django.DjangoModelFactory):
    """A notice row; real notices come from claim_send_to_notice (`noticed_claim` in factories.py)."""

    class Meta:
        model = PublicNotice

    published_at = factory.LazyFunction(timezone.now)
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=7))
    content = factory.LazyFunction(list)
    content_hash = ""


class ObjectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objection

    text = "测试异议"
    contact_name = "举报人"
    contact_phone = "13900001111"


class PaymentFactory(factory.django.DjangoModelFactory):
    """A payment row written past the service (the database constraints' tests)."""

    class Meta:
        model = Payment

    kind = PaymentKind.ADVANCE
    amount = Decimal(1)
    bank_reference = "X"
    idempotency_key = factory.Sequence(lambda n: f"factory-{n}")


class InspectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Inspector

    region = factory.LazyFunction(lambda: region("231202"))
    name = factory.Sequence(lambda n: f"检查员{n}")


class SpotCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpotCheck

    region = factory.LazyFunction(lambda: region("231202"))
    seed = factory.Sequence(lambda n: f"seed-{n}")
    sample_size = 1
    drawn_by = factory.LazyAttribute(lambda o: bureau(o.region.code))


class SpotCheckVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpotCheckVisit

    spot_check = factory.SubFactory(SpotCheckFactory)
    inspector = factory.SubFactory(InspectorFactory)


class PhoneFollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PhoneFollowUp

    claim = factory.LazyAttribute(lambda o: o.line.claim)
