"""Forms of the evaluators' space: the conflict-of-interest declaration and the scoring grid.

They only collect what was typed; the services decide (and refuse with a message for the
user, shown next to the field it is about)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from .services.common import plain_number

NO_CONFLICT, CONFLICT = "no", "yes"


class ConflictForm(forms.Form):
    has_conflict = forms.ChoiceField(
        label=_("Conflict of interest"), widget=forms.RadioSelect,
        choices=[(NO_CONFLICT, _("I have no conflict of interest with these organisations")),
                 (CONFLICT, _("I have a conflict of interest with one of these "
                              "organisations"))],
        error_messages={"required": _("Say whether you have a conflict of interest.")})
    details = forms.CharField(
        label=_("Details of the conflict"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If you have a conflict: with which organisation, and why. The dossier "
                    "is then withdrawn from your list."))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_conflict") == CONFLICT and not cleaned.get("details", "").strip():
            self.add_error("details", _("Say with which organisation of the collective you "
                                        "have a conflict of interest, and why."))
        return cleaned

    @property
    def declares_conflict(self):
        return self.cleaned_data["has_conflict"] == CONFLICT


def _decimal(text):
    """The typed score as a Decimal (« 3,5 » as well as « 3.5 »), None if blank or unreadable
    (the service then gives the message)."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


class ScoringForm(forms.Form):
    """One value, « not applicable » (where allowed) and comment per criterion, the overall
    opinion and, to submit, the confirmation. Values are kept as typed (text)."""

    comment = forms.CharField(label=_("Overall opinion"), required=False,
                              widget=forms.Textarea(attrs={"rows": 5}))
    confirm = forms.BooleanField(
        label=_("I confirm my evaluation: once submitted, it can no longer be changed."),
        required=False)

    def __init__(self, *args, criteria, scores, evaluation, **kwargs):
        self.criteria = list(criteria)
        initial = {"comment": evaluation.comment}
        for criterion in self.criteria:
            score = scores.get(criterion.pk)
            if score is not None:
                initial[f"value_{criterion.pk}"] = (
                    plain_number(score.value) if score.value is not None else "")
                initial[f"na_{criterion.pk}"] = score.not_applicable
                initial[f"comment_{criterion.pk}"] = score.comment
        super().__init__(*args, initial=initial, **kwargs)
        for criterion in self.criteria:
            self.fields[f"value_{criterion.pk}"] = forms.CharField(
                label=_("Score out of %(max)s") % {"max": plain_number(criterion.max_score)},
                required=False, max_length=20,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6,
                                              "autocomplete": "off",
                                              "class": "form-control score-value"}))
            if criterion.allows_not_applicable:
                self.fields[f"na_{criterion.pk}"] = forms.BooleanField(
                    label=_("Not applicable"), required=False,
                    widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"), required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
        # the overall opinion and the confirmation come after the grid
        self.order_fields([name for name in self.fields if name not in ("comment", "confirm")]
                          + ["comment", "confirm"])

    def rows(self):
        """(criterion, value field, not-applicable field or None, comment field)."""
        return [(c, self[f"value_{c.pk}"],
                 self[f"na_{c.pk}"] if c.allows_not_applicable else None,
                 self[f"comment_{c.pk}"]) for c in self.criteria]

    def entries(self):
        """(criterion, typed value, not applicable, comment) from the cleaned data."""
        data = self.cleaned_data
        return [(c, (data.get(f"value_{c.pk}") or "").strip(),
                 bool(data.get(f"na_{c.pk}")), (data.get(f"comment_{c.pk}") or "").strip())
                for c in self.criteria]

    @staticmethod
    def unchanged(score, value, not_applicable, comment):
        """True when `score` (or its absence) already holds what was typed."""
        if score is None:
            return not value and not not_applicable and not comment
        typed = None if not_applicable else _decimal(value)
        if value and not not_applicable and typed is None:
            return False  # unreadable: let the service say so
        return (score.not_applicable == not_applicable and score.comment == comment
                and score.value == typed)
