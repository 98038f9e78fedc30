"""SIRET and NDA: what is accepted, how it is stored, and what the user is told otherwise."""

import pytest
from django.core.exceptions import ValidationError

from consortia.identifiers import clean_nda, clean_siret
from tests.consortia.factories import valid_siret

VALID = "73282932000074"


@pytest.mark.parametrize("entered", [
    VALID,
    "732 829 320 00074",  # as printed on a Kbis
    " 73282932000074 ",
    "732829320 00074",
    valid_siret(42),
])
def test_a_valid_siret_is_accepted_and_stored_compact(entered):
    compact = clean_siret(entered)
    assert compact == "".join(entered.split())
    assert len(compact) == 14 and compact.isdigit()


def test_every_factory_siret_is_valid():
    for n in range(50):
        assert clean_siret(valid_siret(n)) == valid_siret(n)


@pytest.mark.parametrize("entered, code", [
    (VALID[:-1] + "5", "siret_checksum"),  # bad check digit
    ("73282932000075", "siret_checksum"),
    ("12345678901234", "siret_checksum"),
    (VALID[:13], "siret_length"),  # 13 digits
    (VALID + "4", "siret_length"),  # 15 digits
    ("732 829 320", "siret_length"),  # the SIREN alone
    ("7328293200007A", "siret_digits"),  # letters
    ("ABCDEFGHIJKLMN", "siret_digits"),
    ("732-829-320-00074", "siret_digits"),
    ("", "required"),
    ("   ", "required"),
    (None, "required"),
])
def test_an_invalid_siret_is_refused_with_a_clear_message(entered, code):
    with pytest.raises(ValidationError) as caught:
        clean_siret(entered)
    assert caught.value.code == code
    assert caught.value.messages[0].strip()


def test_the_length_message_says_how_many_digits_were_entered():
    with pytest.raises(ValidationError) as caught:
        clean_siret(VALID[:13])
    assert "13" in caught.value.messages[0]


@pytest.mark.parametrize("entered, stored", [
    ("32591234567", "32591234567"),
    ("32 59 12345 67", "32591234567"),
    (" 32591234567 ", "32591234567"),
])
def test_an_nda_of_eleven_digits_is_accepted(entered, stored):
    assert clean_nda(entered) == stored


@pytest.mark.parametrize("entered, code", [
    ("3259123456", "nda_length"),  # 10 digits
    ("325912345678", "nda_length"),  # 12 digits
    ("3259123456A", "nda_digits"),  # letters
    ("NDA32591234", "nda_digits"),
    ("", "nda_required"),
])
def test_an_nda_of_the_wrong_shape_is_refused(entered, code):
    with pytest.raises(ValidationError) as caught:
        clean_nda(entered)
    assert caught.value.code == code
    assert caught.value.messages[0].strip()
