import factory
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from core import clock
from core.models import PendingRefresh

PASSWORD = "Correct-horse-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"测试用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TOTPDeviceFactory(factory.django.DjangoModelFactory):
    """A confirmed authenticator of `user` (its key is random: tests that need a code read it from the device)."""

    class Meta:
        model = TOTPDevice

    user = factory.SubFactory(UserFactory)
    name = "phone"
    confirmed = True


class PendingRefreshFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PendingRefresh

    month = factory.LazyFunction(lambda: clock.today().replace(day=1))
