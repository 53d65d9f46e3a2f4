"""The English catalogue is complete: no entry without a translation, none left fuzzy, and the committed .mo is
the compiled .po (what Django reads)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parents[2] / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_every_entry_is_translated_and_none_is_fuzzy():
    body = PO.read_text().split("\n\n", 1)[1]  # past the header
    fuzzy = [e for e in body.split("\n\n") if "#, fuzzy" in e]
    # an entry is untranslated when one of its msgstr lines is "" and no continuation line follows it
    empty = [e for e in body.split("\n\n") if re.search(r'^msgstr(\[\d\])? ""\n(?!")', e.strip() + "\n", re.M)]
    assert not fuzzy, fuzzy[:3]
    assert not empty, empty[:3]


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_the_committed_mo_is_the_compiled_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(compiled), str(PO)], check=True)
    assert compiled.read_bytes() == PO.with_suffix(".mo").read_bytes(), "run msgfmt on the .po and commit the .mo"
