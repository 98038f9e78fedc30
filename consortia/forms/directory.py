"""Forms of the partner directory: the search filters and the message relayed by e-mail."""

from django import forms
from django.utils.translation import gettext_lazy as _

from connaissance.territories.models import Departement, Epci

from ..models import DirectoryMessage, OrganisationKind


class DirectorySearchForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of organisation"), required=False,
        choices=[("", _("All kinds")), *OrganisationKind.choices])
    departement = forms.ModelChoiceField(
        label=_("Département"), required=False, queryset=Departement.objects.all(),
        empty_label=_("All départements"))
    epci = forms.ModelChoiceField(
        label=_("Intercommunality (EPCI)"), required=False, queryset=Epci.objects.all(),
        empty_label=_("All intercommunalities"))

    def filters(self):
        """Keyword arguments of services.directory.directory()."""
        return {name: self.cleaned_data.get(name) or None for name in self.fields}


class DirectoryMessageForm(forms.ModelForm):
    sender_organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=None, empty_label=None,
        help_text=_("The organisation you write for."))
    consent = forms.BooleanField(
        label=_("I agree that my name and e-mail address are passed on to the recipient so "
                "that they can answer me."),
        error_messages={"required": _("Without your consent the recipient could not answer "
                                      "you: tick the box to send the message.")})

    class Meta:
        model = DirectoryMessage
        fields = ["sender_organisation", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, senders, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sender_organisation"].queryset = senders
        self.fields["subject"].widget.attrs["maxlength"] = 150
