"""The French catalogue is complete: every source string has a French translation."""

import subprocess
from pathlib import Path

from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def test_french_catalogue_is_complete_and_valid():
    result = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert "#, fuzzy" not in PO.read_text()


def test_catalogue_is_compiled_and_used():
    with translation.override("fr"):
        assert translation.gettext("Calls for projects") == "Appels à projets"
    with translation.override("en"):
        assert translation.gettext("Calls for projects") == "Calls for projects"
