"""Personal data at rest: encrypted columns, the blind index, and key rotation."""

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from core.errors import DomainError
from trainees import crypto
from trainees.models import Trainee

from .factories import make_id, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]

ID = make_id("231202", seq=2)  # ends in a digit
ID_X = "11010519491231002X"
PHONE = "13845512345"


@pytest.fixture(autouse=True)
def _fresh_ciphers():
    """Set up before (and torn down after) the `settings` fixture: the caches never outlive changed keys."""
    crypto.reset_caches()
    yield
    crypto.reset_caches()


def raw_row(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone, id_index FROM trainees_trainee WHERE id = %s", [pk])
        return cursor.fetchone()


def test_id_number_and_phone_are_stored_as_ciphertext_and_read_back_as_plaintext():
    trainee = register(ID, phone=PHONE)
    id_cipher, phone_cipher, id_index = raw_row(trainee.pk)
    for stored in (id_cipher, phone_cipher):
        assert stored.startswith("f1:")
        assert ID not in stored and PHONE not in stored and ID[-8:] not in stored
    assert ID not in id_index
    fresh = Trainee.objects.get(pk=trainee.pk)
    assert (fresh.id_number, fresh.phone) == (ID, PHONE)
    assert fresh.id_number_masked == ID[:6] + "*" * 11 + ID[-1]
    assert fresh.phone_masked == "138****2345"


@pytest.mark.parametrize(
    "typed_again", [ID_X.lower(), "１１０１０５１９４９１２３１００２Ｘ", " 110105 19491231 002X "]
)
def test_the_same_id_number_typed_differently_cannot_be_registered_twice(typed_again):
    register(ID_X, name="李四")
    with pytest.raises(DomainError, match="已登记"):
        register(typed_again, name="李四", county_code="231202")
    assert Trainee.objects.count() == 1


def test_the_database_refuses_a_duplicate_blind_index():
    constraints = connection.introspection.get_constraints(connection.cursor(), Trainee._meta.db_table)
    assert any(c["unique"] and c["columns"] == ["id_index"] for c in constraints.values())
    first = register(ID)
    duplicate = Trainee.objects.filter(pk=first.pk).values().get()
    duplicate.pop("id")
    duplicate.update(id_number=ID, phone="", bank_account="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Trainee.objects.create(**duplicate)


def test_filtering_on_an_encrypted_column_is_refused():
    with pytest.raises(TypeError, match="blind index"):
        Trainee.objects.filter(id_number=ID)
    with pytest.raises(TypeError):
        Trainee.objects.filter(phone__startswith="138")
    assert Trainee.objects.filter(phone__isnull=True).count() == 0


def test_blind_index_is_keyed_and_deterministic(settings):
    first = crypto.blind_index(ID)
    assert first == crypto.blind_index(ID) and len(first) == crypto.INDEX_LENGTH
    settings.PII_BLIND_INDEX_KEY = "another-key"
    crypto.reset_caches()
    assert crypto.blind_index(ID) != first


def test_rotating_keys_re_encrypts_so_the_old_key_can_be_dropped(settings):
    trainee = register(ID, phone=PHONE)
    before = raw_row(trainee.pk)
    key_a, key_b = settings.PII_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()

    settings.PII_ENCRYPTION_KEYS = [key_b]
    crypto.reset_caches()
    with pytest.raises(InvalidToken):  # without rotation, key B alone cannot read the data
        Trainee.objects.get(pk=trainee.pk)

    settings.PII_ENCRYPTION_KEYS = [key_b, key_a]
    crypto.reset_caches()
    call_command("rotate_pii_keys")

    settings.PII_ENCRYPTION_KEYS = [key_b]
    crypto.reset_caches()
    after = raw_row(trainee.pk)
    fresh = Trainee.objects.get(pk=trainee.pk)
    assert (fresh.id_number, fresh.phone) == (ID, PHONE)
    assert after[0] != before[0] and after[1] != before[1]
    assert after[2] == before[2]  # the blind index does not depend on the encryption keys
    assert after[0].startswith("f1:")
