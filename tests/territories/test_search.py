"""search_communes: by name (accent, case and punctuation-insensitive), postcode or INSEE code."""

import pytest

from connaissance.territories.services import normalise, search_communes

pytestmark = pytest.mark.django_db


def names(query, **kwargs):
    return [c.name for c in search_communes(query, **kwargs)]


def test_normalise():
    assert normalise("Villeneuve-d'Ascq") == "villeneuve d ascq"
    assert normalise("Crèvecœur-sur-l’Escaut") == "crevecoeur sur l escaut"
    assert normalise("  ÉTRŒUNGT ") == "etroeungt"
    assert normalise(None) == ""


@pytest.mark.parametrize("query", ["amiens", "AMIENS", "Amiens", "  amiens "])
def test_exact_name_comes_first(query):
    assert names(query)[0] == "Amiens"


def test_accents_and_case_are_ignored():
    assert names("bethune")[0] == "Béthune"
    assert names("BÉTHUNE")[0] == "Béthune"
    assert "Étrœungt" in names("etroeungt")
    assert "Marcq-en-Barœul" in names("marcq en baroeul")


def test_any_word_of_the_name_can_be_the_start():
    assert "Villeneuve-d'Ascq" in names("ascq")
    assert names("villeneuve d'ascq")[0] == "Villeneuve-d'Ascq"
    assert names("Villeneuve-d’Ascq")[0] == "Villeneuve-d'Ascq"
    assert "Villeneuve-d'Ascq" in names("villeneuve ascq")
    # Within a word does not count.
    assert "Villeneuve-d'Ascq" not in names("scq")


def test_postcode_and_insee_prefix():
    lille = search_communes("59000")
    assert [c.code for c in lille] == ["59350"]
    assert all(any(p.startswith("800") for p in c.postcodes) or c.code.startswith("800")
               for c in search_communes("800"))
    assert [c.name for c in search_communes("80021")] == ["Amiens"]
    # 59350 is Lille's INSEE code and Saint-André-lez-Lille's postcode: both are exact.
    both = search_communes("59350")
    assert {c.name for c in both} >= {"Lille", "Saint-André-lez-Lille"}
    assert all(c.rank == 0 for c in both[:2])


def test_label_finds_its_commune():
    found = search_communes("Dury (80480)")
    assert found[0].code == "80261" and found[0].rank == 0


def test_limit_and_order():
    found = list(search_communes("saint", limit=5))
    assert len(found) == 5
    populations = [c.population for c in found]
    assert populations == sorted(populations, reverse=True)
    assert len(search_communes("saint")) == 20
    assert len(search_communes("saint", limit=50)) == 50
    # Exact first, then names that begin with the query, then the most populated.
    lille = names("lille")
    assert lille[0] == "Lille"
    begins = [n for n in lille if normalise(n).startswith("lille")]
    assert lille[:len(begins)] == begins


def test_any_word_means_paris_finds_le_touquet():
    assert names("paris") == ["Le Touquet-Paris-Plage"]


def test_homonyms_are_all_found():
    dury = search_communes("dury")
    exact = [c for c in dury if c.rank == 0]
    assert {c.departement_id for c in exact} == {"02", "62", "80"}


@pytest.mark.parametrize("query", ["", "   ", "'-", "zzzz", "99999"])
def test_nothing(query):
    assert list(search_communes(query)) == []


def test_one_query_with_related_objects(django_assert_num_queries):
    with django_assert_num_queries(1):
        for commune in search_communes("lille"):
            assert commune.departement.name and (commune.epci is None or commune.epci.name)
