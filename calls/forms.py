"""Officers enter phase dates as days (with an optional time); the portal stores instants."""

from datetime import datetime, time

from django import forms
from django.utils.translation import gettext_lazy as _

from connaissance.formatting import PARIS, to_paris
from connaissance.richtext import sanitize

from .calendar import END_OF_DAY, end_of_day, start_of_day
from .models import Call, Phase


class CallAdminForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = ["title", "slug", "reference_prefix", "summary", "description", "region",
                  "budget_envelope", "min_projects", "max_projects", "min_award", "max_award",
                  "min_rate", "max_rate", "excludes_training_costs", "bonus_points",
                  "bonus_reading", "project_duration_months", "eligibility_end",
                  "contact_role", "contact_email", "upload_max_mb"]

    def clean_description(self):
        return sanitize(self.cleaned_data.get("description", ""))


class PhaseForm(forms.ModelForm):
    start_date = forms.DateField(label=_("start date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(label=_("start time"), required=False,
                                 help_text=_("Empty: 00:00, Paris time."),
                                 widget=forms.TimeInput(attrs={"type": "time"}))
    end_date = forms.DateField(label=_("end date"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))
    end_time = forms.TimeField(label=_("end time"), required=False,
                               help_text=_("Empty: the whole day, until 23:59:59 Paris time."),
                               widget=forms.TimeInput(attrs={"type": "time"}))

    class Meta:
        model = Phase
        fields = ["kind", "start_date", "start_time", "end_date", "end_time", "date_label", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.starts_at:
            local = to_paris(instance.starts_at)
            self.initial["start_date"] = local.date()
            if local.time() != time(0, 0):
                self.initial["start_time"] = local.time()
        if instance.ends_at:
            local = to_paris(instance.ends_at)
            self.initial["end_date"] = local.date()
            if local.time() != END_OF_DAY:
                self.initial["end_time"] = local.time()

    def clean(self):
        data = super().clean()
        start_date, end_date = data.get("start_date"), data.get("end_date")
        if not start_date and not end_date:
            raise forms.ValidationError(_("Give at least a start date or an end date."))
        if data.get("start_time") and not start_date:
            self.add_error("start_time", _("A start time needs a start date."))
        if data.get("end_time") and not end_date:
            self.add_error("end_time", _("An end time needs an end date."))
        return data

    def save(self, commit=True):
        data = self.cleaned_data
        phase = super().save(commit=False)
        phase.starts_at = self._instant(data.get("start_date"), data.get("start_time"), start=True)
        phase.ends_at = self._instant(data.get("end_date"), data.get("end_time"), start=False)
        if commit:
            phase.save()
        return phase

    @staticmethod
    def _instant(day, at_time, *, start):
        if day is None:
            return None
        if at_time is None:
            return start_of_day(day) if start else end_of_day(day)
        return datetime.combine(day, at_time, tzinfo=PARIS)

