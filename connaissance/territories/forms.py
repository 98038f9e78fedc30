"""Choosing territories in forms.

`CommuneField` works without JavaScript: the visitor types a name, a postcode or an INSEE code;
a single match resolves to its commune; several matches re-display the form with the candidates
as radio buttons; with JavaScript, static/js/commune-search.js turns the text input into an ARIA
combobox fed by the `territories:commune_search` endpoint.

`DepartementChoiceField`, `EpciChoiceField` and `EpciMultipleChoiceField` are plain selects (5
départements, 92 EPCI grouped by département).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery, Sum
from django.forms.models import ModelChoiceIterator
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Commune, Departement, Epci
from .services import search_communes

CHOICE_SUFFIX = "_choice"  # radio buttons: the INSEE code of the candidate picked
QUERY_SUFFIX = "_query"  # hidden: the text the candidates were found for


class Typed(str):
    """Text typed in the chooser's input (a name, a postcode, a label...)."""


class Picked(str):
    """The INSEE code of a commune picked among candidates, or given as initial value."""


class Resolution:
    """What a typed text designates: one commune, several candidates, or nothing."""

    def __init__(self, text, *, limit=20):
        self.text = text
        self.commune = None
        self.candidates = []
        self.more = False
        found = list(search_communes(text, limit=limit + 1))
        exact = [c for c in found if c.rank == 0]
        if len(exact) == 1:
            self.commune = exact[0]
        elif len(found) == 1:
            self.commune = found[0]
        else:
            self.candidates, self.more = found[:limit], len(found) > limit


def candidate_details(commune):
    """ "Nord · Métropole Européenne de Lille": tells homonyms apart."""
    return " · ".join(filter(None, [commune.departement.name,
                                    commune.epci.name if commune.epci_id else ""]))


def _search_url():
    try:
        return reverse("territories:commune_search")
    except NoReverseMatch:  # endpoint not routed: the chooser simply works without suggestions
        return ""


class CommuneWidget(forms.Widget):
    """A text input, followed by the candidates (radio buttons) when the text was ambiguous."""

    template_name = "territories/widgets/commune.html"

    class Media:
        js = ["js/commune-search.js"]

    def __init__(self, attrs=None, *, limit=20):
        super().__init__(attrs)
        self.limit = limit
        self.resolution = None  # set by CommuneField.clean() to spare a second search

    def value_from_datadict(self, data, files, name):
        text = (data.get(name) or "").strip()
        picked = data.get(name + CHOICE_SUFFIX)
        query = data.get(name + QUERY_SUFFIX)
        # A candidate counts only if the text it was proposed for was left as it was.
        if picked and query is not None and query.strip() == text:
            return Picked(picked)
        return Typed(text)

    def value_omitted_from_data(self, data, files, name):
        return name not in data and name + CHOICE_SUFFIX not in data

    def resolve(self, text):
        if self.resolution is None or self.resolution.text != text:
            self.resolution = Resolution(text, limit=self.limit)
        return self.resolution

    def get_context(self, name, value, attrs):
        text, resolution = "", None
        if isinstance(value, Commune):
            text = str(value)
        elif isinstance(value, Typed):
            text = str(value)
            if text:
                resolution = self.resolve(text)
                if resolution.commune is not None:  # show what the text was understood as
                    text, resolution = str(resolution.commune), None
        elif value not in (None, ""):  # Picked, or an INSEE code given as initial value
            commune = Commune.objects.filter(pk=str(value)).first()
            text = str(commune) if commune else ""
        context = super().get_context(name, text, attrs)
        widget = context["widget"]
        classes = widget["attrs"].get("class", "").split()
        widget["attrs"]["class"] = " ".join(["form-control", *[c for c in classes
                                                               if c != "form-control"]])
        widget["attrs"].setdefault("autocomplete", "off")
        widget["attrs"].setdefault("spellcheck", "false")
        widget["search_url"] = _search_url()
        widget["choice_name"] = name + CHOICE_SUFFIX
        widget["query_name"] = name + QUERY_SUFFIX
        widget["candidates"] = [
            {"code": c.code, "label": str(c), "details": candidate_details(c)}
            for c in (resolution.candidates if resolution else [])
        ]
        widget["more"] = bool(resolution and resolution.more)
        widget["limit"] = self.limit
        widget["messages"] = {
            # Translators: {count} is replaced by a number in the browser.
            "many": _("{count} communes found; use the up and down arrow keys to choose."),
            "one": _("1 commune found; press the down arrow key to select it."),
            "none": _("No commune found."),
        }
        return context


class CommuneField(forms.Field):
    """A commune of Hauts-de-France, chosen by name, postcode or INSEE code."""

    widget = CommuneWidget
    default_error_messages = {
        "not_found": _("No commune of Hauts-de-France matches “%(query)s”. Check the spelling, "
                       "or type the postcode."),
        "ambiguous": _("Several communes match “%(query)s”: choose one in the list below, "
                       "or refine your search."),
        "invalid_choice": _("Choose one of the communes proposed."),
    }

    def __init__(self, *, limit=20, **kwargs):
        kwargs.setdefault("label", _("Commune"))
        kwargs.setdefault("help_text", _("Type the name or the postcode"))
        self.limit = limit
        super().__init__(**kwargs)
        self.widget.limit = limit

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Commune):
            return value
        if isinstance(value, Typed):
            text = value.strip()
            if not text:
                return None
            resolution = self.widget.resolve(text)
            if resolution.commune is not None:
                return resolution.commune
            code = "ambiguous" if resolution.candidates else "not_found"
            raise ValidationError(self.error_messages[code], code=code, params={"query": text})
        # Picked among candidates, or a plain INSEE code (initial value, programmatic use).
        commune = (Commune.objects.select_related("departement", "epci")
                   .filter(pk=str(value).strip()).first())
        if commune is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return commune

    def prepare_value(self, value):
        if isinstance(value, Commune | Typed | Picked) or value in self.empty_values:
            return value
        return Picked(str(value))  # an INSEE code given as initial value

    def has_changed(self, initial, data):
        if self.disabled:
            return False
        initial_code = getattr(initial, "pk", initial) or ""
        try:
            commune = self.to_python(data)
        except ValidationError:
            return True
        return (commune.pk if commune else "") != str(initial_code)


# --- Plain selects --------------------------------------------------------------------------


class DepartementChoiceField(forms.ModelChoiceField):
    """One of the 5 départements, as "Nord (59)"."""

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("label", _("Département"))
        super().__init__(Departement.objects.all() if queryset is None else queryset, **kwargs)


def main_departements():
    """For each EPCI, the département holding most of its inhabitants (its seat's, in practice)."""
    return Subquery(
        Commune.objects.filter(epci=OuterRef("pk"))
        .values("departement")
        .annotate(inhabitants=Sum("population"))
        .order_by("-inhabitants", "departement")
        .values("departement")[:1]
    )


class EpciGroupedIterator(ModelChoiceIterator):
    """The EPCI in <optgroup>s by département (2 queries)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        names = dict(Departement.objects.values_list("code", "name"))
        groups = {}
        queryset = self.queryset.annotate(main_departement=main_departements())
        for epci in queryset.order_by("main_departement", "name"):
            groups.setdefault(epci.main_departement, []).append(self.choice(epci))
        for code, choices in groups.items():
            label = f"{names[code]} ({code})" if code in names else _("Other")
            yield (label, choices)


class EpciChoiceField(forms.ModelChoiceField):
    """One EPCI, in a select grouped by département."""

    iterator = EpciGroupedIterator

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("label", _("EPCI"))
        super().__init__(Epci.objects.all() if queryset is None else queryset, **kwargs)


class EpciMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several EPCI, in a multiple select grouped by département."""

    iterator = EpciGroupedIterator

    def __init__(self, queryset=None, **kwargs):
        kwargs.setdefault("label", _("EPCI"))
        super().__init__(Epci.objects.all() if queryset is None else queryset, **kwargs)
