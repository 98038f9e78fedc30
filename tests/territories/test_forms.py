"""The commune chooser without JavaScript, and the département / EPCI selects."""

import re

import pytest
from django import forms
from django.utils import translation

from connaissance.territories.forms import (
    CommuneField,
    DepartementChoiceField,
    EpciChoiceField,
    EpciMultipleChoiceField,
)
from connaissance.territories.models import Commune, Epci

pytestmark = pytest.mark.django_db


class PlaceForm(forms.Form):
    title = forms.CharField()
    commune = CommuneField()


class OptionalPlaceForm(forms.Form):
    commune = CommuneField(required=False)


def submit(text, **extra):
    return PlaceForm(data={"title": "Mon projet", "commune": text, **extra})


def radios(html):
    return re.findall(r'<input class="form-check-input" type="radio" name="commune_choice"'
                      r' id="([^"]+)" value="(\d+)">', html)


def test_unbound_render_has_label_hint_and_text_input():
    html = str(PlaceForm()["commune"].as_field_group())
    assert '<label for="id_commune"' in html
    assert 'type="text" name="commune"' in html
    assert 'aria-describedby="id_commune_helptext"' in html
    assert "Type the name or the postcode" in html or "Tapez le nom ou le code postal" in html
    assert "radio" not in html


def test_initial_value_shows_the_label():
    form = PlaceForm(initial={"commune": "80021"})
    assert 'value="Amiens (80000)"' in str(form["commune"])
    form = PlaceForm(initial={"commune": Commune.objects.get(code="59350")})
    assert 'value="Lille (59000)"' in str(form["commune"])


@pytest.mark.parametrize("text", ["Amiens", "amiens", "Amiens (80000)", "80021", "80000",
                                  "villeneuve d'ascq", "ascq"])
def test_single_match_resolves(text):
    form = submit(text)
    assert form.is_valid(), form.errors
    assert isinstance(form.cleaned_data["commune"], Commune)
    assert form.cleaned_data["commune"].name in {"Amiens", "Villeneuve-d'Ascq"}


def test_label_of_a_homonym_resolves():
    form = submit("Dury (80480)")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].code == "80261"


def test_ambiguous_text_re_renders_candidates_then_the_choice_resolves():
    with translation.override("fr"):
        form = submit("dury")
        assert not form.is_valid()
        assert form.has_error("commune", "ambiguous")
        assert "title" not in form.errors
        html = str(form)
    # Nothing else is lost, and the candidates are radio buttons under a legend.
    assert 'value="Mon projet"' in html
    assert 'name="commune" value="dury"' in html
    assert '<input type="hidden" name="commune_query" value="dury">' in html
    assert "<legend" in html
    choices = radios(html)
    codes = [code for _, code in choices]
    assert {"02273", "62280", "80261"} <= set(codes)
    assert len(set(id_ for id_, _ in choices)) == len(choices)
    assert "Somme" in html and "CA Amiens Métropole" in html

    form = submit("dury", commune_query="dury", commune_choice="62280")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["commune"].code == "62280"


def test_a_candidate_counts_only_while_the_text_is_unchanged():
    form = submit("Amiens", commune_query="dury", commune_choice="62280")
    assert form.is_valid()
    assert form.cleaned_data["commune"].code == "80021"


def test_picked_code_must_exist():
    form = submit("dury", commune_query="dury", commune_choice="75056")
    assert not form.is_valid()
    assert form.has_error("commune", "invalid_choice")


def test_insee_code_that_is_also_a_postcode_asks():
    # 59350: Lille's INSEE code, Saint-André-lez-Lille's postcode.
    form = submit("59350")
    assert form.has_error("commune", "ambiguous")
    assert {"59350", "59527"} <= {code for _, code in radios(str(form["commune"]))}


def test_many_candidates_say_the_list_is_cut():
    form = submit("saint")
    assert form.has_error("commune", "ambiguous")
    html = str(form["commune"])
    assert len(radios(html)) == 20
    assert "20" in html.split("</fieldset>")[0].split("form-text")[-1]


def test_unknown_commune_gives_a_clear_error():
    with translation.override("fr"):
        form = submit("Rennes")
        assert not form.is_valid()
        assert form.has_error("commune", "not_found")
        message = form.errors["commune"][0]
    assert "Rennes" in message
    assert "Hauts-de-France" in message


def test_empty_value():
    assert submit("").has_error("commune", "required")
    form = OptionalPlaceForm(data={"commune": "  "})
    assert form.is_valid() and form.cleaned_data["commune"] is None


def test_search_runs_once_per_submission(django_assert_num_queries):
    form = submit("dury")
    with django_assert_num_queries(1):
        form.is_valid()
        str(form)


def test_resolved_text_is_shown_as_its_label_when_the_form_is_re_displayed():
    form = PlaceForm(data={"title": "", "commune": "amiens"})
    assert not form.is_valid() and "commune" not in form.errors
    assert 'value="Amiens (80000)"' in str(form["commune"])


def test_has_changed():
    field = CommuneField()
    amiens = Commune.objects.get(code="80021")
    assert not field.has_changed("80021", field.widget.value_from_datadict(
        {"commune": "Amiens (80000)"}, {}, "commune"))
    assert not field.has_changed(amiens, field.widget.value_from_datadict(
        {"commune": "80021"}, {}, "commune"))
    assert field.has_changed(amiens, field.widget.value_from_datadict(
        {"commune": "Lille"}, {}, "commune"))


def test_departement_select():
    field = DepartementChoiceField()
    choices = [label for _, label in field.choices]
    assert choices[1:] == ["Aisne (02)", "Nord (59)", "Oise (60)", "Pas-de-Calais (62)",
                           "Somme (80)"]
    assert field.clean("59").name == "Nord"


def test_epci_select_grouped_by_departement(django_assert_num_queries):
    field = EpciChoiceField()
    with django_assert_num_queries(2):
        html = field.widget.render("epci", None)
    groups = re.findall(r'<optgroup label="([^"]+)">', html)
    assert groups == ["Aisne (02)", "Nord (59)", "Oise (60)", "Pas-de-Calais (62)",
                      "Somme (80)"]
    assert html.count("<option value=\"2") == 92
    nord = html.split('label="Nord (59)"')[1].split("</optgroup>")[0]
    assert "Métropole Européenne de Lille" in nord
    mel = Epci.objects.get(name="Métropole Européenne de Lille")
    assert field.clean(mel.code) == mel


def test_epci_multiple_select():
    field = EpciMultipleChoiceField(required=False)
    codes = list(Epci.objects.values_list("code", flat=True)[:2])
    assert {e.code for e in field.clean(codes)} == set(codes)
    assert "<optgroup" in field.widget.render("epcis", codes)
