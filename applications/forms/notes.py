"""Forms of the opportunity note: the draft (every field optional, checked at filing) and the
confirmation of filing. They collect input; the services decide."""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from connaissance.formatting import NBSP, NNBSP, money
from connaissance.territories.forms import CommuneField, EpciMultipleChoiceField
from connaissance.territories.models import Commune
from consortia.models import Organisation, ParticipationRole, ParticipationStatus

SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u2007']+")


def parse_amount(text: str) -> str:
    """« 400 000,00 € », « 400000.5 », « 1.250.000 » → a string Decimal() reads.

    The last "," or "." is the decimal separator when one or two digits follow it; any other
    separator groups thousands (an amount in euros never has three decimals)."""
    text = SPACES.sub("", text.replace("€", ""))
    last = max(text.rfind(","), text.rfind("."))
    if last >= 0 and 1 <= len(text) - last - 1 <= 2:
        whole, decimals = text[:last], text[last + 1:]
    else:
        whole, decimals = text, ""
    whole = whole.replace(",", "").replace(".", "")
    return f"{whole}.{decimals}" if decimals else whole


class AmountField(forms.DecimalField):
    """An amount in euros typed the French way (« 400 000,00 ») or the English way."""

    default_error_messages = {
        "invalid": _("Enter an amount in euros, for example 400 000,00."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = parse_amount(value)
            try:
                Decimal(value)
            except InvalidOperation:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):  # « 400 000,00 »: what the user would type
            return money(value).replace(NNBSP, " ").removesuffix(NBSP + "€")
        return value

    def widget_attrs(self, widget):
        return {}  # no HTML min/step: the server says what is wrong, in words


def confirmed_partners(collective):
    """The organisations that confirmed their participation as partners (not the lead)."""
    return Organisation.objects.filter(
        participations__collective=collective,
        participations__role=ParticipationRole.PARTNER,
        participations__status=ParticipationStatus.CONFIRMED).order_by("legal_name")


TEXTAREA = {"rows": 4}


class TerritoryForm(forms.Form):
    """EPCI and communes from the reference data. Communes are added one at a time (a search
    that works without JavaScript) and listed as hidden values, each with its own remove
    button (template: applications/_territory.html)."""

    epcis = EpciMultipleChoiceField(
        label=_("EPCI concerned"), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Grouped by département. Hold Ctrl (Cmd on a Mac) to select several."))
    communes = forms.ModelMultipleChoiceField(
        label=_("Communes"), queryset=Commune.objects.all(), required=False,
        widget=forms.MultipleHiddenInput)
    add_commune = CommuneField(
        label=_("Add a commune"), required=False,
        help_text=_("Type the name or the postcode, then press “Add this commune”."))

    @property
    def removed_commune(self):
        return (self.data.get("remove_commune") or "").strip() if self.is_bound else ""

    def clean(self):
        data = super().clean()
        communes = list(data.get("communes") or [])
        added = data.get("add_commune")
        if added is not None and added.pk not in {c.pk for c in communes}:
            communes.append(added)
        data["communes"] = [c for c in communes if c.pk != self.removed_commune]
        return data

    def listed_communes(self, saved):
        """The communes to list under the chooser: those posted (kept as hidden values), or
        the saved ones when the form is not bound."""
        if not self.is_bound:
            return list(saved)
        codes = [c for c in self.data.getlist("communes") if c]
        found = {c.pk: c for c in Commune.objects.filter(pk__in=codes)}
        return [found[code] for code in codes if code in found]


class NoteForm(TerritoryForm):
    """The draft of the note."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Project title"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The project in a few paragraphs: what, for whom, with whom."))
    axes = forms.ModelMultipleChoiceField(
        label=_("Intervention axes"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("One or both."))
    territory_precision = forms.CharField(
        label=_("Territory: precisions"), required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_("Neighbourhoods, sites, anything the lists above do not say."))
    target_publics = forms.CharField(label=_("Target publics"), required=False,
                                     widget=forms.Textarea(attrs=TEXTAREA))
    tiers_lieu_services = forms.CharField(
        label=_("Services the tiers-lieu will bring together"), required=False,
        widget=forms.Textarea(attrs=TEXTAREA))
    estimated_total_cost = AmountField(label=_("Estimated total cost (€)"),
                                       help_text=_("For example 400 000,00"))
    requested_subsidy = AmountField(label=_("Requested subsidy (€)"),
                                    help_text=_("For example 280 000,00"))
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners involved"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Among the organisations that have confirmed their participation."))

    TEXT_FIELDS = ("title", "summary", "territory_precision", "target_publics",
                   "tiers_lieu_services", "estimated_total_cost", "requested_subsidy")

    def __init__(self, *args, call, collective, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axes"].queryset = call.axes.order_by("number")
        self.fields["partners"].queryset = confirmed_partners(collective)

    @classmethod
    def initial_for(cls, note, *, axes, epcis, communes, partners):
        """The form's initial values from a note whose relations are already loaded."""
        initial = {name: getattr(note, name) for name in cls.TEXT_FIELDS}
        initial.update(version=note.version, axes=[a.pk for a in axes],
                       epcis=[e.pk for e in epcis], communes=[c.pk for c in communes],
                       partners=[o.pk for o in partners])
        return initial

    def draft_data(self):
        """What services.drafts.save_draft takes."""
        data = {name: self.cleaned_data[name] for name in self.TEXT_FIELDS}
        for name in ("title", "summary", "territory_precision", "target_publics",
                     "tiers_lieu_services"):
            data[name] = (data[name] or "").strip()
        for name in ("axes", "epcis", "communes", "partners"):
            data[name] = list(self.cleaned_data[name])
        return data


class ConfirmFilingForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm filing this note on behalf of the collective"),
        error_messages={"required": _("Tick the box to confirm the filing.")})
