"""Forms of the full dossier's sections (except the budget: forms/budget.py). Every field is
optional in a draft: the completeness page and the filing check what is missing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.models import Programme

from .notes import TerritoryForm

TEXTAREA = {"rows": 4}


def text(label, *, rows=4, help_text=""):
    return forms.CharField(label=label, required=False, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class SectionForm(forms.Form):
    """A section saved as JSON: `section_data()` is what is saved, `labels()` names its
    values for the conflict table."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def section_data(self) -> dict:
        data = {}
        for name, value in self.cleaned_data.items():
            if name in ("version", "add_commune"):
                continue
            if hasattr(value, "__iter__") and not isinstance(value, str):
                value = [self.to_json(name, item) for item in value]
            elif isinstance(value, str):
                value = value.strip()
            elif value is not None and hasattr(value, "isoformat"):
                value = value.isoformat()
            data[name] = value
        return data

    def to_json(self, name, item):
        return str(getattr(item, "pk", item))


class ProjectForm(TerritoryForm, SectionForm):
    title = forms.CharField(label=_("Project title"), max_length=200, required=False)
    summary = text(_("Summary"), rows=6,
                   help_text=_("The project in a few paragraphs: what, for whom, with whom."))
    axes = forms.ModelMultipleChoiceField(
        label=_("Intervention axes"), queryset=None, required=False, to_field_name="number",
        widget=forms.CheckboxSelectMultiple)
    programmes = forms.ModelMultipleChoiceField(
        label=_("Links to regional programmes"), queryset=Programme.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Tick the regional programmes the project contributes to."))
    programmes_detail = text(_("How the project contributes to these programmes"), rows=3)
    target_publics = text(_("Target publics"))
    expected_numbers = forms.CharField(
        label=_("Expected numbers"), required=False, max_length=500,
        help_text=_("For example: 300 learners over three years, of whom 120 job seekers."))
    services_continuum = text(_("Continuum of services in the tiers-lieu"),
                              help_text=_("From welcome and guidance to training and "
                                          "employment: what the tiers-lieu brings together."))
    pedagogical_innovation = text(_("Pedagogical innovation"))
    accessibility = text(_("How training becomes accessible"),
                         help_text=_("Mobility, timetables, childcare, digital access…"))

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axes"].queryset = call.axes.order_by("number")
        self.fields["programmes"].queryset = call.programmes.order_by("name")

    def to_json(self, name, item):
        if name == "axes":
            return str(item.number)
        return super().to_json(name, item)

    @staticmethod
    def initial_for(data, note):
        """A saved section as form values; the note's values the first time."""
        if not data:
            return {"title": note.title, "summary": note.summary,
                    "axes": [str(a.number) for a in note.axes.all()],
                    "epcis": [e.pk for e in note.epcis.all()],
                    "communes": [c.pk for c in note.communes.all()],
                    "target_publics": note.target_publics}
        return dict(data)


class ActionPlanForm(SectionForm):
    start_date = forms.DateField(label=_("Start date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"},
                                                        format="%Y-%m-%d"))
    end_date = forms.DateField(label=_("End date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"},
                                                      format="%Y-%m-%d"))
    description = text(_("Main steps of the project"), rows=5)


class MilestoneForm(forms.Form):
    label = forms.CharField(label=_("Milestone"), max_length=200, required=False)
    date = forms.DateField(label=_("Date"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean(self):
        data = super().clean()
        if data.get("date") and not (data.get("label") or "").strip():
            self.add_error("label", _("Name the milestone of this date."))
        return data


class IndicatorForm(forms.Form):
    label = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    target = forms.CharField(label=_("Target"), max_length=200, required=False)


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=2)
IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=2)


def rows(formset, keys):
    """The filled rows of a valid formset, as JSON (dates as ISO strings)."""
    found = []
    for form in formset.forms:
        row = {key: form.cleaned_data.get(key) for key in keys}
        if not any(row.values()):
            continue
        found.append({key: value.isoformat() if hasattr(value, "isoformat")
                      else (value or "").strip() for key, value in row.items()})
    return found


class CommitmentForm(forms.Form):
    role = forms.CharField(label=_("Role in the project"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    letter = forms.FileField(label=_("Letter of commitment (PDF, signed)"), required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"),
                           error_messages={"required": _("Choose the file to attach.")})


class ConfirmDossierFilingForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm filing this dossier on behalf of the collective"),
        error_messages={"required": _("Tick the box to confirm the filing.")})


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why does the collective withdraw its dossier?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Give the reason for withdrawing the dossier.")})
    confirm = forms.BooleanField(
        label=_("I understand that a withdrawn dossier cannot be filed again"),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")})
