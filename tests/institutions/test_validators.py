import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from core.masking import mask_id_number
from institutions.validators import normalize_code, validate_credit_code, validate_mainland_phone

from .factories import CREDIT_ALPHABET, credit_code

VALID = "91110000600037341L"  # the python-stdnum example


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


def wrong_check(code: str) -> str:
    return code[:17] + next(c for c in CREDIT_ALPHABET if c != code[17])


@pytest.mark.parametrize("code", [VALID, credit_code(0), credit_code(12345), credit_code(31**7 - 1)])
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


def test_factory_credit_codes_are_valid_and_distinct():
    codes = {credit_code(n) for n in range(200)}
    assert len(codes) == 200
    assert all(uscc.is_valid(c) for c in codes)


def test_wrong_check_character_is_refused():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(wrong_check(VALID))
    assert exc.value.code == "checksum"
    assert "校验位" in exc.value.messages[0]


@pytest.mark.parametrize("code", [VALID[:17], VALID + "1", ""])
def test_wrong_length_is_refused_with_the_length(code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "length"
    assert f"现为 {len(code)} 位" in exc.value.messages[0]


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_alphabet_are_refused(letter):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(VALID[:10] + letter + VALID[11:])
    assert exc.value.code == "format"


def test_full_width_lower_case_spaced_input_is_normalised_and_passes():
    typed = full_width(VALID.lower())[:8] + "　" + full_width(VALID.lower())[8:]
    assert normalize_code(typed) == VALID
    validate_credit_code(typed)


def test_normalize_code_drops_spaces_and_dashes_and_upper_cases():
    assert normalize_code(" 9111-0000 600037341l ") == VALID
    assert normalize_code(None) == ""


@pytest.mark.parametrize(
    "phone", ["13845512345", "0455-8123456", "045512345678", "0451-12345678-123", " 138 4551 2345"]
)
def test_mainland_phones_pass(phone):
    validate_mainland_phone(phone)


@pytest.mark.parametrize("phone", ["12345512345", "1384551234", "8123456", "abc", ""])
def test_bad_phones_are_refused(phone):
    with pytest.raises(ValidationError):
        validate_mainland_phone(phone)


def test_id_number_mask_keeps_area_code_and_check_character():
    assert mask_id_number("230102199001011234") == "230102***********4"
    assert mask_id_number("23010219900101123x") == "230102***********X"
