"""Forms of collectives and partner invitations: they collect input, the services decide."""

from collections import Counter, defaultdict

from django import forms
from django.utils.translation import gettext_lazy as _

from connaissance.territories.models import Commune, Departement, Epci

from ..models import OrganisationKind


def epci_choices_by_departement():
    """EPCI grouped by the département where most of their communes lie (an EPCI may cross a
    departmental boundary; it is listed once)."""
    counts = defaultdict(Counter)
    for epci_id, dep_id in (Commune.objects.filter(epci__isnull=False)
                            .values_list("epci_id", "departement_id")):
        counts[epci_id][dep_id] += 1
    main = {epci_id: c.most_common(1)[0][0] for epci_id, c in counts.items()}
    groups = defaultdict(list)
    for epci in Epci.objects.order_by("name"):
        groups[main.get(epci.code)].append((epci.code, epci.name))
    choices = [(str(dep), groups[dep.code]) for dep in Departement.objects.order_by("code")
               if groups.get(dep.code)]
    if groups.get(None):
        choices.append((_("Other"), groups[None]))
    return choices


class CollectiveForm(forms.Form):
    lead_organisation = forms.ModelChoiceField(
        label=_("Lead organisation (chef de file)"), queryset=None, empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("Among the organisations you administer."))
    name = forms.CharField(label=_("Name of the collective"), max_length=200)
    description = forms.CharField(
        label=_("Short description"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The project in a few sentences: what you want to do together."))
    territory = forms.CharField(
        label=_("Intended territory"), max_length=255,
        help_text=_("Where the project will take place, in your own words."))
    epcis = forms.MultipleChoiceField(
        label=_("EPCI concerned (optional)"), required=False, choices=epci_choices_by_departement,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Grouped by département. Hold Ctrl (Cmd on a Mac) to select several."))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_organisation"].queryset = organisations
        if len(organisations) == 1:
            self.initial.setdefault("lead_organisation", organisations[0].pk)

    def clean_epcis(self):
        return list(Epci.objects.filter(code__in=self.cleaned_data["epcis"]))


class PartnerInvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person to invite"),
        help_text=_("Someone who can commit the partner organisation (one of its "
                    "administrators on the portal, or who will register it)."))
    declared_name = forms.CharField(label=_("Name of the partner organisation"),
                                    max_length=200)
    declared_kind = forms.ChoiceField(
        label=_("Kind of organisation"), choices=[("", "—"), *OrganisationKind.choices],
        help_text=_("A declared partner may count for the opportunity note; only a confirmed "
                    "one counts for the full dossier."))
    message = forms.CharField(label=_("Message (optional)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 4}))


class AcceptPartnerForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation that takes part"), queryset=None, empty_label=None,
        widget=forms.RadioSelect,
        help_text=_("Among the organisations you administer."))
    role_in_project = forms.CharField(
        label=_("Its role in the project"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What your organisation will bring and do in the project."))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.initial.setdefault("organisation", organisations[0].pk)


class ReasonForm(forms.Form):
    """An optional reason: declining an invitation, withdrawing a partner."""

    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))
