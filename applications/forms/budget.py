"""Forms of the budget section of the full dossier: expense lines, resource lines, the requested
rate and the section's version. They collect input (French amounts, blank rows ignored); the
service `replace_budget` decides and `compute_budget` computes."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consortia.models import ParticipationRole, ParticipationStatus

from ..budget import ABSURD_AMOUNT
from ..models.dossiers import ExpenseCategory, ResourceKind
from .notes import SPACES, AmountField

BLANK_ROWS = 3  # rows offered to add lines without JavaScript
MAX_ROWS = 200
EMPTY_CHOICE = [("", "—")]


def budget_partners(collective):
    """The organisations that may carry expenses: the collective's confirmed participations
    (the lead first), read from the prefetched participations."""
    confirmed = [p for p in collective.participations.all()
                 if p.status == ParticipationStatus.CONFIRMED]
    confirmed.sort(key=lambda p: (p.role != ParticipationRole.LEAD,
                                  p.organisation.legal_name.casefold()))
    return [p.organisation for p in confirmed]


class LineAmountField(AmountField):
    """An amount of a budget line: French or English typing, never negative nor absurd."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", None)  # the limit below says it in words
        kwargs.setdefault("min_value", None)
        super().__init__(**kwargs)
        self.error_messages["max_decimal_places"] = _(
            "Give the amount in euros and cents (two decimals at most).")

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if value < 0:
            raise ValidationError(_("An amount cannot be negative."), code="negative_amount")
        if value > ABSURD_AMOUNT:
            raise ValidationError(
                _("This amount is above 100 000 000,00 €: please check it."),
                code="absurd_amount")


class RateField(forms.DecimalField):
    """A percentage typed « 75 », « 72,5 » or « 72,5 % »."""

    default_error_messages = {
        "invalid": _("Enter the rate as a percentage, for example 75 or 72,5."),
        "max_decimal_places": _("Give the rate with two decimals at most."),
        "max_digits": _("Enter the rate as a percentage between 0 and 100."),
        "max_whole_digits": _("Enter the rate as a percentage between 0 and 100."),
        "min_value": _("Enter the rate as a percentage between 0 and 100."),
        "max_value": _("Enter the rate as a percentage between 0 and 100."),
    }

    def __init__(self, **kwargs):
        kwargs.update(max_digits=5, decimal_places=2, min_value=Decimal(0),
                      max_value=Decimal(100), required=False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal",
                                                           "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = SPACES.sub("", value.replace("%", "")).replace(",", ".")
            try:
                Decimal(value)
            except InvalidOperation:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):  # « 72,5 »: what the user would type
            return f"{value.normalize():f}".replace(".", ",")
        return value

    def widget_attrs(self, widget):
        return {}


class AccessibleForm(forms.Form):
    """Bootstrap classes on every widget; once validated, each field in error is marked
    aria-invalid and described by its message (id `<field id>-error` in the templates)."""

    SIZES = {"amount": 12, "requested_rate": 8}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):  # as wide as its longest choice
                css = "form-select form-select-sm w-auto"
            else:
                css = "form-control form-control-sm"
            if name in self.SIZES:  # a width in characters, the label taking the rest
                widget.attrs["size"] = self.SIZES[name]
                css += " w-auto"
            widget.attrs["class"] = css

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] += " is-invalid"
                attrs["aria-invalid"] = "true"
                described = [f"{self[name].auto_id}-error"]
                if self.fields[name].help_text:
                    described.append(f"{self[name].auto_id}_helptext")
                attrs["aria-describedby"] = " ".join(described)


class BudgetLineForm(AccessibleForm):
    """A row of a table: blank when nothing is typed in it (then ignored)."""

    REQUIRED = ()
    TYPED = ()

    def is_blank(self, data):
        return not any(data.get(name) not in (None, "", False) for name in self.TYPED)

    def clean(self):
        data = super().clean()
        if self.is_blank(data) and not self.errors:
            data["blank"] = True
            return data
        data["blank"] = False
        for name in self.REQUIRED:
            if data.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, self.fields[name].error_messages["required"])
        return data


class ExpenseLineForm(BudgetLineForm):
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=EMPTY_CHOICE + ExpenseCategory.choices,
        error_messages={"required": _("Choose the category of this expense."),
                        "invalid_choice": _("Choose the category of this expense.")})
    partner = forms.TypedChoiceField(
        label=_("Partner"), required=False, coerce=int, empty_value=None,
        error_messages={"required": _("Choose the partner who bears this expense."),
                        "invalid_choice": _("Choose a confirmed partner of the collective.")})
    label = forms.CharField(label=_("Label"), required=False, max_length=200)
    amount = LineAmountField(label=_("Amount (€)"), error_messages={
        "required": _("Give the amount of this expense.")})
    is_training_cost = forms.BooleanField(label=_("Training cost"), required=False)

    REQUIRED = ("category", "partner", "amount")
    TYPED = ("category", "label", "amount", "is_training_cost")

    def __init__(self, *args, partners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = EMPTY_CHOICE + [(o.pk, o.legal_name)
                                                         for o in partners]

    def line(self):
        data = self.cleaned_data
        return {"category": data["category"], "partner": data["partner"],
                "label": (data.get("label") or "").strip(), "amount": data["amount"],
                "is_training_cost": bool(data.get("is_training_cost"))}


class ResourceLineForm(BudgetLineForm):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=EMPTY_CHOICE + ResourceKind.choices,
        error_messages={"required": _("Choose the kind of this resource."),
                        "invalid_choice": _("Choose the kind of this resource.")})
    funder = forms.CharField(label=_("Funder"), required=False, max_length=200)
    amount = LineAmountField(label=_("Amount (€)"), error_messages={
        "required": _("Give the amount of this resource.")})

    REQUIRED = ("kind", "amount")
    TYPED = ("kind", "funder", "amount")

    def line(self):
        data = self.cleaned_data
        return {"kind": data["kind"], "funder": (data.get("funder") or "").strip(),
                "amount": data["amount"]}


class BudgetForm(AccessibleForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    requested_rate = RateField(
        label=_("Requested rate (%)"),
        help_text=_("A percentage of the eligible base, for example 75 or 72,5."))


class BaseLineFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def rows(self):
        """The typed rows, blank and deleted ones left out (valid formset only)."""
        return [form.line() for form in self.forms
                if form.cleaned_data and not form.cleaned_data.get("blank")
                and not self._should_delete_form(form)]

    def amounts(self):
        """(amount, is_training_cost) of every row whose amount is readable, valid or not:
        what the live figures count."""
        found = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("DELETE") or data.get("amount") is None:
                continue
            found.append({"amount": data["amount"],
                          "is_training_cost": bool(data.get("is_training_cost"))})
        return found


def _formset(form):
    return forms.formset_factory(form, formset=BaseLineFormSet, extra=0, can_delete=True,
                                 max_num=MAX_ROWS, absolute_max=MAX_ROWS, validate_max=True)


ExpenseFormSet = _formset(ExpenseLineForm)
ResourceFormSet = _formset(ResourceLineForm)


def expense_initial(lines):
    return [{"category": line.category, "partner": line.partner_id, "label": line.label,
             "amount": line.amount, "is_training_cost": line.is_training_cost}
            for line in lines]


def resource_initial(lines):
    return [{"kind": line.kind, "funder": line.funder, "amount": line.amount}
            for line in lines]


def budget_forms(data=None, *, expenses=(), resources=(), rate=None, version=0, partners=(),
                 more=None):
    """(budget form, expense formset, resource formset), bound to `data` or filled with the
    saved lines; `more` ("expenses" or "resources") offers more blank rows in that table."""
    kwargs = {"partners": partners}
    extra = {"expenses": BLANK_ROWS, "resources": BLANK_ROWS}
    if more in extra:
        extra[more] += BLANK_ROWS
    if data is not None:
        data = data.copy()
        for prefix in ("expenses", "resources"):
            if more == prefix:  # "add lines" after a refused save: offer them anyway
                key = f"{prefix}-TOTAL_FORMS"
                try:
                    data[key] = str(min(int(data.get(key, 0)) + BLANK_ROWS, MAX_ROWS))
                except ValueError:
                    pass
        return (BudgetForm(data),
                ExpenseFormSet(data, prefix="expenses", form_kwargs=kwargs),
                ResourceFormSet(data, prefix="resources"))
    expense_rows = expense_initial(expenses) + [{}] * extra["expenses"]
    resource_rows = resource_initial(resources) + [{}] * extra["resources"]
    return (BudgetForm(initial={"version": version, "requested_rate": rate}),
            ExpenseFormSet(prefix="expenses", initial=expense_rows, form_kwargs=kwargs),
            ResourceFormSet(prefix="resources", initial=resource_rows))
