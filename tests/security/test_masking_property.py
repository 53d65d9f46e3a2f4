"""The masked ID number cannot be rebuilt from what is shown beside it (core.masking, module docstring).

Unit: id_candidates counts the numbers consistent with what a viewer sees; the scheme leaves at least
MIN_CANDIDATES for every area code, birth year, gender and check character, and the scheme it replaced (last
four beside the birth date) does not — the test can fail.

Property: one person with a known ID number is put through a class, a claim and a public notice with the real
services (tests/subsidies/factories.py). As each role without reveal rights (and the county and city on their
default, unrevealed pages) every place that shows that person is fetched — trainee list and archive, the
trainees API (list, detail, search), the class page and the enrollments API, the claim page, its follow-ups and
the claims API, the masked Excel export, the Django admin for the system administrator — together with the
public notice pages and API anyone can read. In all of it: (a) the full number never appears, (b) the birth date
appears in no format, (c) every masked number shows no more characters than the scheme, and (d) what is shown
about the person still leaves at least MIN_CANDIDATES numbers.
"""

import random
import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from core.masking import (
    CHECK_CHARS,
    MIN_CANDIDATES,
    WEIGHTS,
    _dates_of,
    display_age,
    id_candidates,
    id_check_char,
    mask_id_number,
)
from subsidies.models import PublicNotice
from subsidies.selectors import notice_rows
from subsidies.services.claims import content_hash, notice_is_intact
from trainees import idnumber
from trainees.models import Trainee

from ..subsidies.factories import bureau, completed_class, finance, noticed_claim, province, user
from ..trainees.factories import make_id
from ..training.factories import row
from .test_personal_data import body_text

BORN = date(1986, 4, 23)
KNOWN_ID = make_id("231202", BORN, seq=37)  # a man (odd sequence)
MASK = re.compile(r"(?<![0-9A-Za-z*])[0-9Xx*]{15,18}(?![0-9A-Za-z*])")
SCHEME = re.compile(r"^\d{6}\*{11}[\dX]$")


def weighted(digits: str, offset: int = 0) -> int:
    return sum(int(d) * WEIGHTS[offset + i] for i, d in enumerate(digits))


# --- the arithmetic -----------------------------------------------------------------------------------------


def test_the_scheme_shows_the_area_code_and_the_check_character_only():
    assert mask_id_number("230102199001011234") == "230102***********4"
    assert mask_id_number(" 23010219900101123x ") == "230102***********X"
    assert SCHEME.match(mask_id_number(KNOWN_ID))


def test_an_old_mask_is_narrowed_to_the_scheme_and_a_new_one_stays():
    assert mask_id_number("230102********1234") == "230102***********4"
    assert mask_id_number("230102***********4") == "230102***********4"


def test_a_15_digit_number_is_masked_as_its_18_character_form():
    legacy = "231202860423371"  # 1986-04-23, sequence 371
    converted = idnumber.parse(legacy).value
    assert mask_id_number(legacy) == mask_id_number(converted) == converted[:6] + "*" * 11 + converted[-1]
    assert legacy[-1] not in mask_id_number(legacy)[6:]  # its own last digit (a sequence digit) is not shown
    assert id_candidates(mask_id_number(legacy), birth_year=1986, gender="M") >= MIN_CANDIDATES


def test_the_check_character_is_the_one_trainees_idnumber_computes():
    rng = random.Random(11643)
    for _ in range(500):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        assert id_check_char(first17) == idnumber.check_char(first17)


def test_id_candidates_counts_what_a_brute_force_enumeration_finds():
    shown = mask_id_number(KNOWN_ID)
    brute = sum(
        1
        for day in _dates_of(1986)
        for seq in range(1, 1000, 2)
        if id_check_char(f"231202{day:%Y%m%d}{seq:03d}") == KNOWN_ID[-1]
    )
    assert id_candidates(shown, birth_year=1986, gender="M") == brute


def test_with_area_code_birth_year_gender_and_check_character_known_over_10000_numbers_remain():
    count = id_candidates(mask_id_number(KNOWN_ID), birth_year=BORN.year, gender="M")
    assert count >= MIN_CANDIDATES
    assert 16_000 < count < 17_200  # 365 × 500 / 11 ≈ 16,590, as the docstring says


def test_the_replaced_scheme_beside_the_birth_date_leaves_fewer_than_10000_the_test_can_fail():
    old = KNOWN_ID[:6] + "*" * 8 + KNOWN_ID[-4:]  # 231202********0371: the mask this replaces
    beside_date = KNOWN_ID[:6] + f"{BORN:%Y%m%d}" + "*" * 4  # and the birth date printed next to it
    merged = "".join(b if a == "*" else a for a, b in zip(old, beside_date, strict=True))
    assert id_candidates(merged, birth_year=BORN.year, gender="M") == 1
    assert id_candidates(old, birth_year=BORN.year, gender="M") < 50  # beside the birth year: 365 / 11 ≈ 33
    # one more shown character (the last two) is already too many
    assert id_candidates(KNOWN_ID[:6] + "*" * 10 + KNOWN_ID[-2:], birth_year=BORN.year, gender="M") < MIN_CANDIDATES


def test_over_two_years_of_birth_there_are_twice_as_many():
    one = id_candidates(mask_id_number(KNOWN_ID), birth_year=1986, gender="M")
    two = id_candidates(mask_id_number(KNOWN_ID), birth_year=range(1985, 1987), gender="M")
    assert 1.9 * one < two < 2.1 * one


def test_the_worst_case_over_every_area_code_year_gender_and_check_character_is_above_the_bound():
    """By residues: a date and a sequence contribute their weighted sums mod 11, the check character fixes the
    total, so the count is a sum over residue pairs. The minimum is the 16,556 of the module docstring."""
    sequences = {}
    for gender in "MF":
        histogram = [0] * 11
        for seq in range(1, 1000):
            if (seq % 2 == 1) == (gender == "M"):
                histogram[weighted(f"{seq:03d}", 14) % 11] += 1
        sequences[gender] = histogram
    worst = None
    for year in range(1900, 2100):
        dates = [0] * 11
        for day in _dates_of(year):
            dates[weighted(f"{day:%Y%m%d}", 6) % 11] += 1
        for gender, seqs in sequences.items():
            for area in range(11):
                for check in range(11):
                    n = sum(dates[r] * seqs[(check - area - r) % 11] for r in range(11))
                    if worst is None or n < worst[0]:
                        worst = (n, year, gender, area, check)
    n, year, gender, area, check = worst
    assert n >= MIN_CANDIDATES
    assert n == 16_556
    # the same figure from id_candidates, on a real-looking mask with that area residue and check character
    code = next(f"23{i:04d}" for i in range(10_000) if weighted(f"23{i:04d}") % 11 == area)
    assert id_candidates(code + "*" * 11 + CHECK_CHARS[check], birth_year=year, gender=gender) == n


def test_the_age_shown_tells_the_birth_year_and_does_not_change_on_the_birthday():
    ages = {display_age(BORN, day) for day in _dates_of(2026)}
    assert ages == {2026 - BORN.year}


# --- the property across every place a masked number appears -------------------------------------------------


def _client(u) -> Client:
    c = Client(raise_request_exception=True)
    u.refresh_from_db()
    c.force_login(u)
    return c


@pytest.fixture
def scene(reference_data):
    """The known person on a completed class, a claim, its follow-ups and a running public notice."""
    roster = [row(0, 身份证号码=KNOWN_ID), row(1), row(2)]
    h = completed_class(roster=roster)
    claim, notice = noticed_claim(h)
    today = timezone.localdate()
    PublicNotice.objects.filter(pk=notice.pk).update(
        published_at=timezone.now() - timedelta(days=2), ends_on=today + timedelta(days=5)
    )
    trainee = Trainee.objects.get(id_index=next(t.id_index for t in h.trainees if t.id_number == KNOWN_ID))
    return {"h": h, "claim": claim, "notice": notice, "trainee": trainee}


def _surfaces(scene):
    """(method, url, data) of every place the person is shown to signed-in users."""
    h, claim, trainee = scene["h"], scene["claim"], scene["trainee"]
    tc = h.training_class
    return [
        ("get", "/trainees/", None),
        ("post", "/trainees/", {"name": trainee.name[:1]}),
        ("get", f"/trainees/{trainee.pk}/", None),
        ("get", "/api/trainees/", None),
        ("get", f"/api/trainees/{trainee.pk}/", None),
        ("api-post", "/api/trainees/search/", {"id_number": KNOWN_ID}),
        ("post", "/trainees/export/", {}),
        ("get", f"/classes/{tc.pk}/", None),
        ("get", f"/api/enrollments/?training_class={tc.pk}", None),
        ("get", f"/api/classes/{tc.pk}/", None),
        ("get", f"/claims/{claim.pk}/", None),
        ("get", f"/claims/{claim.pk}/follow-ups/", None),
        ("get", f"/api/claims/{claim.pk}/", None),
        ("get", "/admin/trainees/trainee/", None),
        ("get", f"/admin/trainees/trainee/{trainee.pk}/change/", None),
    ]


def _public(scene):
    pk = scene["notice"].pk
    return ["/public/notices/", f"/public/notices/{pk}/", "/api/public/notices/", f"/api/public/notices/{pk}/"]


def _fetch(client, method, url, data):
    if method == "get":
        return client.get(url)
    if method == "api-post":
        return client.post(url, data, content_type="application/json")
    return client.post(url, data)


def _users(h):
    return {
        "institution": h.owner,
        "province": province(),
        "finance": finance("2312"),
        "admin": user(Role.ADMIN, None, username="sec-admin", is_superuser=True, is_staff=True),
        "county": h.bureau,  # may reveal, but not on these default pages
        "city": bureau("2312"),
    }


# Where each role must get the person (200 with the mask shown), so the scan is not blind.
MUST_SHOW = {
    "institution": {
        "/trainees/",
        "/trainees/{t}/",
        "/api/trainees/",
        "/trainees/export/",
        "/classes/{c}/",
        "/api/enrollments/?training_class={c}",
        "/claims/{claim}/",
        "/api/claims/{claim}/",
    },
    "province": {"/trainees/", "/trainees/{t}/", "/api/trainees/{t}/", "/trainees/export/", "/claims/{claim}/"},
    "admin": {"/trainees/", "/trainees/export/", "/admin/trainees/trainee/"},
    "county": {"/trainees/", "/trainees/{t}/", "/trainees/export/", "/classes/{c}/", "/claims/{claim}/"},
}


def birth_date_forms(born: date) -> list[re.Pattern]:
    y, m, d = born.year, born.month, born.day
    month = born.strftime("%b")
    return [
        re.compile(rf"{y}\D{{1,3}}0?{m}\D{{1,3}}0?{d}(?!\d)"),  # 1986-04-23, 1986/4/23, 1986年4月23日, 1986.04.23
        re.compile(rf"(?<!\d){y}{m:02d}{d:02d}(?!\d)"),  # 19860423
        re.compile(rf"{month}[a-z]*\.? 0?{d}, {y}"),  # Apr. 23, 1986 / April 23, 1986
        re.compile(rf"(?<!\d)0?{d}[./-]0?{m}[./-]{y}"),  # 23.04.1986
        # MM-DD (or M月D日) within a few characters of the year, in either order
        re.compile(rf"{y}.{{0,20}}(?<!\d)0?{m}\s*[-/月.]\s*0?{d}(?!\d)", re.S),
        re.compile(rf"(?<!\d)0?{m}\s*[-/月.]\s*0?{d}(?!\d).{{0,20}}{y}", re.S),
    ]


def merged_mask(shown: set[str], number: str) -> str:
    """Every character of the person's number revealed by any of the masks shown of it."""
    return "".join(c if any(m[i] != "*" for m in shown) else "*" for i, c in enumerate(number))


def _of_person(mask: str, number: str) -> bool:
    return len(mask) == len(number) and all(m in ("*", c) for m, c in zip(mask, number, strict=True))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["institution", "province", "finance", "admin", "county", "city"])
def test_nothing_a_role_sees_about_a_person_narrows_the_number_below_10000(scene, role):
    h, claim, trainee = scene["h"], scene["claim"], scene["trainee"]
    client = _client(_users(h)[role])
    texts, reached = {}, set()
    for method, url, data in _surfaces(scene):
        response = _fetch(client, method, url, data)
        if response.status_code == 200:
            texts[f"{method} {url}"] = body_text(response)
            if trainee.id_number_masked in texts[f"{method} {url}"]:
                reached.add(url)
        else:
            assert response.status_code in (302, 403, 404), f"{method} {url} as {role}: {response.status_code}"
    anonymous = Client()
    for url in _public(scene):
        response = anonymous.get(url)
        assert response.status_code == 200, url
        texts[f"public {url}"] = body_text(response)
    expected = {u.format(t=trainee.pk, c=h.training_class.pk, claim=claim.pk) for u in MUST_SHOW.get(role, ())}
    assert expected <= reached, f"{role} did not get the person on {sorted(expected - reached)}"
    assert any(trainee.id_number_masked in t for k, t in texts.items() if k.startswith("public"))

    everything = "\n".join(texts.values())
    # (a) the full number, nor its first 17 characters
    assert KNOWN_ID not in everything and KNOWN_ID[:17] not in everything
    # (b) the birth date, in any format, anywhere
    for where, text in texts.items():
        found = [p.pattern for p in birth_date_forms(BORN) if p.search(text)]
        assert not found, f"{where} as {role} shows the birth date ({found})"
    # (c) every masked number, of anyone, shows no more than the scheme
    masks = {m.upper() for m in MASK.findall(everything) if "*" in m and any(c.isdigit() for c in m)}
    assert masks, "no masked number found: the scan is blind"
    wider = sorted(m for m in masks if not SCHEME.match(m))
    assert not wider, f"masks showing more than area code and check character: {wider[:5]}"
    # (d) what is shown about the person leaves at least MIN_CANDIDATES numbers: merge every form of their mask,
    # and grant the viewer the birth year and the gender (both shown: the age by year, 男/女)
    shown = {m for m in masks if _of_person(m, KNOWN_ID)}
    assert mask_id_number(KNOWN_ID) in shown
    age = display_age(BORN, timezone.localdate())
    assert re.search(rf"(?<!\d){age}(?!\d)", everything) or role in ("finance",), "the age is not shown"
    count = id_candidates(merged_mask(shown, KNOWN_ID), birth_year=timezone.localdate().year - age, gender="M")
    assert count >= MIN_CANDIDATES, f"{role}: {count} candidates"


@pytest.mark.django_db
def test_a_notice_published_under_the_old_mask_shows_the_scheme_and_still_verifies(scene):
    """Published content is a snapshot covered by its hash and is left as published; the rows shown go through
    the current mask."""
    notice = scene["notice"]
    old = [dict(r, id_number=r["id_number"][:6] + "*" * 8 + "0371") for r in notice.content]
    PublicNotice.objects.filter(pk=notice.pk).update(content=old, content_hash=content_hash(old))
    notice.refresh_from_db()
    assert notice_is_intact(notice)
    assert all(SCHEME.match(r["id_number"]) for r in notice_rows(notice))
    for url in (f"/public/notices/{notice.pk}/", f"/api/public/notices/{notice.pk}/"):
        text = body_text(Client().get(url))
        assert "0371" not in text.replace(notice.content_hash, "")
        assert "内容完整" in text or '"intact":true' in text.replace(" ", "")
