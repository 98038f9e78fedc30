"""The forms of the laureates' pages: the answer to the launch invitation and the reports.
They collect and check the shape of what is typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InvitationAnswer, Report, TeamInPlace
from .services.launch import MAX_ATTENDEES
from .services.reports import FIELDS

TEXTAREA = {"rows": 4}


class AnswerForm(forms.Form):
    invitation = forms.IntegerField(widget=forms.HiddenInput)
    answer = forms.ChoiceField(
        label=_("Will your organisation attend?"), widget=forms.RadioSelect,
        choices=[(InvitationAnswer.ATTENDING, _("Yes, we will attend")),
                 (InvitationAnswer.DECLINED, _("No, we will not attend"))],
        error_messages={"required": _("Say whether your organisation will attend.")})
    attendees = forms.IntegerField(
        label=_("How many people will come?"), required=False, min_value=1,
        max_value=MAX_ATTENDEES, widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    attendee_names = forms.CharField(
        label=_("Who will come (names and roles)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}))
    remarks = forms.CharField(
        label=_("Remarks (access needs, diet…)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, prefix=None, **kwargs):
        super().__init__(*args, prefix=prefix, **kwargs)
        for name in ("attendees", "attendee_names", "remarks"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off")

    def clean(self):
        data = super().clean()
        if data.get("answer") == InvitationAnswer.ATTENDING and not data.get("attendees"):
            self.add_error("attendees", _("Say how many people will come (from 1 to "
                                          "%(max)s).") % {"max": MAX_ATTENDEES})
        return data


class ReportForm(forms.ModelForm):
    """The fields the report's kind asks for; required ones are checked when filing (a draft
    may be incomplete)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    expenses_to_date = forms.CharField(
        label=_("Expenses to date (€)"), required=False,
        help_text=_("In euros and cents, e.g. 12 500,00."),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    confirm = forms.BooleanField(
        required=False, label=_("I confirm that this report is complete and accurate; once "
                                "filed, it can no longer be changed (unless the Region sends "
                                "it back)."))

    class Meta:
        model = Report
        fields = ["team_in_place", "team_details", "sessions_held", "first_session_on",
                  "learners_reached", "activities", "results", "expenses_to_date",
                  "difficulties", "next_steps"]
        widgets = {
            "team_in_place": forms.RadioSelect,
            "first_session_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "sessions_held": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "learners_reached": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            **{name: forms.Textarea(attrs=TEXTAREA) for name in (
                "team_details", "activities", "results", "difficulties", "next_steps")},
        }
        help_texts = {
            "team_details": _("Who does what: the coordinator, the trainers, the people of "
                              "the tiers-lieu; the posts still to fill."),
            "sessions_held": _("Training sessions held so far with learners."),
            "first_session_on": _("Needed to file the report once a session has been held."),
            "learners_reached": _("Different people who attended at least one session."),
            "activities": _("What the collective did over the period."),
            "results": _("What was achieved against the objectives of the dossier."),
            "difficulties": _("Write “none” if there were none."),
        }

    def __init__(self, *args, report, **kwargs):
        super().__init__(*args, instance=report, **kwargs)
        asked = FIELDS[report.kind]
        for name in list(self.fields):
            if name in ("version", "confirm"):
                continue
            if name not in asked.fields:
                del self.fields[name]
            else:
                self.fields[name].required = False
                if name in asked.required:
                    self.fields[name].widget.attrs["aria-required"] = "true"
                    self.fields[name].label = f"{self.fields[name].label} *"
        if "team_in_place" in self.fields:
            self.fields["team_in_place"].choices = TeamInPlace.choices
        if "expenses_to_date" in self.fields and report.expenses_to_date is not None \
                and not self.is_bound:
            self.initial["expenses_to_date"] = f"{report.expenses_to_date:.2f}".replace(".", ",")
        self.initial.setdefault("version", report.version)

    def _post_clean(self):
        """Nothing is written on the instance here: the service converts and saves."""

    def values(self):
        return {name: value for name, value in self.cleaned_data.items()
                if name not in ("version", "confirm")}
