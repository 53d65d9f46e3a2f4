"""Resident ID numbers (GB 11643) on real-shaped values."""

from datetime import date

import pytest

from trainees.idnumber import InvalidIdNumber, check_char, check_consistency, normalize, parse

VECTOR = "11010519491231002X"


def test_the_published_vector_is_valid():
    assert check_char(VECTOR[:17]) == "X"
    number = parse(VECTOR)
    assert number.value == VECTOR
    assert number.converted_from_15 is False


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "  110105 19491231 002X\t",
        "１１０１０５１９４９１２３１００２ｘ",
    ],
)
def test_lowercase_x_full_width_digits_and_spaces_are_normalised(typed):
    assert normalize(typed) == VECTOR
    assert parse(typed).value == VECTOR


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("11010519491231002", "18 位"),  # 17 characters
        ("11010519491231002X1", "18 位"),
        ("110105194912310021", "校验位"),
        ("110105194902300028", "出生日期 19490230 不存在"),
        ("990105194912310025", "前两位 99"),
        ("1101051949123100AX", "前 17 位应为数字"),
    ],
)
def test_bad_numbers_are_refused_with_a_chinese_message(raw, message):
    with pytest.raises(InvalidIdNumber, match=message):
        parse(raw)


def test_a_birth_date_after_today_is_refused():
    first17 = "11010520300101002"
    with pytest.raises(InvalidIdNumber, match="晚于今天"):
        parse(first17 + check_char(first17), today=date(2025, 6, 1))


def test_an_abolished_county_code_with_a_valid_province_is_accepted():
    first17 = "23018319800101003"  # 双城市, a county-level city until 2014 (now 230113 双城区)
    assert parse(first17 + check_char(first17)).area_code == "230183"


def test_a_15_digit_legacy_number_becomes_18_digits_in_the_1900s():
    number = parse("110105491231002")
    assert number.value == VECTOR  # century 19 inserted, check character recomputed
    assert number.converted_from_15 is True
    assert number.birth_date == date(1949, 12, 31)


@pytest.mark.parametrize("raw", ["2.30102199001011E+17", "2.30102199001011e17", 2.30102199001011e17])
def test_excel_numbers_are_refused_with_advice_to_use_text_format(raw):
    with pytest.raises(InvalidIdNumber, match="文本"):
        parse(raw)


def test_gender_and_birth_date_come_from_the_number():
    assert parse(VECTOR).gender == "F"  # sequence 002: even
    male = "23120219900101001"
    number = parse(male + check_char(male))
    assert number.gender == "M"
    assert number.birth_date == date(1990, 1, 1)
    assert number.age_on(date(2025, 1, 1)) == 35


def test_gender_or_birth_date_that_disagree_with_the_number_are_refused():
    number = parse(VECTOR)
    check_consistency(number, gender="F", birth_date=date(1949, 12, 31))
    with pytest.raises(InvalidIdNumber, match="性别与身份证号不符"):
        check_consistency(number, gender="M")
    with pytest.raises(InvalidIdNumber, match="1949-12-31"):
        check_consistency(number, birth_date=date(1950, 1, 1))
