"""A full dossier as Region officers read it: the admin page, the PDF and the ZIP of its files.

A dossier that was filed is shown **as filed** (its frozen snapshot: sections, budget lines,
commitments, attachments, low-supply territories); a dossier never filed, as saved now (the
same shape, built by `dossier_filing.snapshot`). The budget figures always come from
`budget.compute_budget`, the rule the filing service applies; nothing is decided here.
"""

import re
import shutil
import tempfile
import zipfile
from collections import OrderedDict
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls.models import Programme
from connaissance.audit.services import history
from connaissance.files.models import StoredFile
from connaissance.files.services import open_stored
from connaissance.formatting import long_date, long_datetime, money, percent
from connaissance.pdf.rendering import render_pdf
from connaissance.territories.models import Commune, Epci
from consortia.models import ParticipationRole

from .budget import CallRules, compute_budget
from .models import DossierStatus, ExpenseCategory, ResourceKind, SectionCode
from .services.dossier_filing import snapshot

ZERO = Decimal("0")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UNSAFE_IN_NAMES = re.compile(r'[\x00-\x1f/\\:*?"<>|]+')

PROJECT_LABELS = OrderedDict([
    ("title", gettext_lazy("Project title")),
    ("summary", gettext_lazy("Summary")),
    ("axes", gettext_lazy("Intervention axes")),
    ("programmes", gettext_lazy("Links to regional programmes")),
    ("programmes_detail", gettext_lazy("How the project contributes to these programmes")),
    ("epcis", gettext_lazy("EPCI concerned")),
    ("communes", gettext_lazy("Communes")),
    ("target_publics", gettext_lazy("Target publics")),
    ("expected_numbers", gettext_lazy("Expected numbers")),
    ("services_continuum", gettext_lazy("Continuum of services in the tiers-lieu")),
    ("pedagogical_innovation", gettext_lazy("Pedagogical innovation")),
    ("accessibility", gettext_lazy("How training becomes accessible")),
])
ACTION_PLAN_LABELS = OrderedDict([
    ("start_date", gettext_lazy("Start date")),
    ("end_date", gettext_lazy("End date")),
    ("description", gettext_lazy("Main steps of the project")),
    ("milestones", gettext_lazy("Milestones")),
    ("indicators", gettext_lazy("Indicators")),
])
COLUMN_LABELS = {"label": gettext_lazy("Label"), "date": gettext_lazy("Date"),
                 "target": gettext_lazy("Target")}


# --- figures -------------------------------------------------------------------------------

def to_decimal(value):
    """A snapshot's amount or rate (a string, "None" when blank) as a Decimal, or None."""
    if value in (None, "", "None"):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _figures(call, expenses, resources, rate, low_supply):
    return compute_budget(expenses=expenses, resources=resources,
                          requested_rate=rate if rate is not None else ZERO,
                          low_supply=low_supply, rules=CallRules.from_call(call))


def view_of(dossier) -> dict:
    """What was filed, or (never filed) the same shape built from what is saved now."""
    return dossier.snapshot or snapshot(dossier)


def view_figures(view, call):
    budget = view.get("budget") or {}
    return _figures(call, budget.get("expenses") or [], budget.get("resources") or [],
                    to_decimal(budget.get("requested_rate")), bool(budget.get("low_supply")))


def row_figures(dossier):
    """The figures of a list or export row, without a query: from the snapshot of a filed
    dossier, else from the prefetched lines and the `low_supply_now` annotation."""
    cached = getattr(dossier, "_row_figures", None)
    if cached is None:
        call = dossier.note.collective.call
        if dossier.snapshot:
            cached = view_figures(dossier.snapshot, call)
        else:
            cached = _figures(call, list(dossier.expenses.all()), list(dossier.resources.all()),
                              dossier.requested_rate,
                              bool(getattr(dossier, "low_supply_now", False)))
        dossier._row_figures = cached
    return cached


def row_rate(dossier):
    if dossier.snapshot:
        return to_decimal((dossier.snapshot.get("budget") or {}).get("requested_rate"))
    return dossier.requested_rate


def row_title(dossier):
    if dossier.snapshot:
        project = (dossier.snapshot.get("sections") or {}).get(SectionCode.PROJECT) or {}
        title = (project.get("data") or {}).get("title")
        if title:
            return title
    return getattr(dossier, "project_title", None) or dossier.note.title


def row_low_supply(dossier) -> bool:
    if dossier.snapshot:
        return bool((dossier.snapshot.get("budget") or {}).get("low_supply"))
    return bool(getattr(dossier, "low_supply_now", False))


# --- sections ------------------------------------------------------------------------------

def _text(value):
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, str) and ISO_DATE.match(value):
        try:
            return long_date(date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _column(key):
    return COLUMN_LABELS.get(key) or key.replace("_", " ").capitalize()


def _field(label, value):
    """One value of a section: a text, a list of items or a table (a list of rows)."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        found = dict.fromkeys(key for row in value for key in row)
        keys = [k for k in COLUMN_LABELS if k in found] + [k for k in found
                                                           if k not in COLUMN_LABELS]
        return {"label": label, "kind": "table", "headers": [_column(k) for k in keys],
                "rows": [[_text(row.get(k)) for k in keys] for row in value]}
    if isinstance(value, list) and value:
        return {"label": label, "kind": "list", "items": [_text(v) for v in value]}
    if isinstance(value, dict) and value:
        return {"label": label, "kind": "list",
                "items": [f"{_column(k)} : {_text(v)}" for k, v in value.items()]}
    return {"label": label, "kind": "text", "text": _text(value)}


def _fields(data, labels):
    keys = list(labels) + sorted(set(data) - set(labels))
    return [_field(labels.get(key) or _column(key), data.get(key)) for key in keys]


def _names(ids, objects, key=lambda o: str(o.pk)):
    found = {key(o): str(o) for o in objects}
    return [found.get(str(i), str(i)) for i in ids or []]


def _project_data(data, call):
    """The project's values with the references (axes, programmes, territories) named."""
    data = dict(data)
    data["axes"] = _names(data.get("axes"), call.axes.all(), key=lambda a: str(a.number))
    programmes = [p for p in data.get("programmes") or [] if str(p).isdigit()]
    data["programmes"] = _names(data.get("programmes"),
                                Programme.objects.filter(pk__in=programmes))
    data["epcis"] = _names(data.get("epcis"),
                           Epci.objects.filter(pk__in=data.get("epcis") or []))
    data["communes"] = _names(data.get("communes"),
                              Commune.objects.filter(pk__in=data.get("communes") or []))
    return data


def _section_data(view, code):
    return ((view.get("sections") or {}).get(code) or {}).get("data") or {}


def _files(view):
    ids = [c.get("letter") for c in view.get("commitments") or []]
    ids += [a.get("file") for a in view.get("attachments") or []]
    return {str(f.pk): f for f in StoredFile.objects.filter(pk__in=[i for i in ids if i])}


def _collective(dossier, view, files):
    """Every commitment as filed, with the partner's SIRET, kind and role in the collective."""
    participations = {str(p.organisation): p for p in dossier.note.collective.participations
                      .select_related("organisation")}
    rows = []
    for item in view.get("commitments") or []:
        participation = participations.get(item.get("organisation"))
        organisation = participation.organisation if participation else None
        rows.append({
            "organisation": item.get("organisation"),
            "siret": organisation.siret_display if organisation else "",
            "kind": organisation.get_kind_display() if organisation else "",
            "collective_role": participation.get_role_display() if participation else "",
            "role": item.get("role") or "—",
            "letter": files.get(item.get("letter") or ""),
            "sha256": item.get("sha256") or "",
        })
    return rows


def _subtotals(lines, key):
    totals = OrderedDict()
    for line in lines:
        totals[line[key]] = totals.get(line[key], ZERO) + line["value"]
    return [(label, money(amount)) for label, amount in totals.items()]


def _budget(view, call):
    budget = view.get("budget") or {}
    categories, kinds = dict(ExpenseCategory.choices), dict(ResourceKind.choices)
    expenses = [{"category": str(categories.get(e.get("category"), e.get("category"))),
                 "partner": e.get("partner_name") or "—", "label": e.get("label") or "—",
                 "value": to_decimal(e.get("amount")) or ZERO,
                 "amount": money(to_decimal(e.get("amount")) or ZERO),
                 "training": bool(e.get("is_training_cost"))}
                for e in budget.get("expenses") or []]
    resources = [{"kind": str(kinds.get(r.get("kind"), r.get("kind"))),
                  "funder": r.get("funder") or "—",
                  "amount": money(to_decimal(r.get("amount")) or ZERO)}
                 for r in budget.get("resources") or []]
    figures = view_figures(view, call)
    return {"expenses": expenses, "resources": resources, "figures": figures,
            "by_category": _subtotals(expenses, "category"),
            "by_partner": _subtotals(expenses, "partner"),
            "rows": figure_rows(figures, call),
            "territories": budget.get("low_supply") or [],
            "problems": [p.message for p in figures.problems]}


def figure_rows(figures, call):
    """(label, value) of every computed figure, amounts the French way."""
    rules = CallRules.from_call(call)
    return [
        (_("Total expenses"), money(figures.total_expenses)),
        (_("Training costs"), money(figures.training_costs)),
        (_("Eligible base (excluding training costs)"), money(figures.eligible_base)),
        (_("Total resources"), money(figures.total_resources)),
        (_("Balance (resources − expenses)"),
         money(figures.total_resources - figures.total_expenses)),
        (_("Balanced budget"), _("yes") if figures.balanced else _("no")),
        (_("Requested rate"), percent(figures.requested_rate)),
        (_("Allowed rate"), _("%(min)s to %(max)s") % {
            "min": percent(rules.min_rate), "max": percent(figures.rate_ceiling)}),
        (_("Low-supply bonus"), _("applied: +%(points)s on the ceiling") % {
            "points": percent(rules.bonus_points)} if figures.bonus_applied else _("not applied")),
        (_("Requested subsidy"), money(figures.requested_subsidy)),
        (_("Allowed award"), _("%(min)s to %(max)s") % {
            "min": money(rules.min_award), "max": money(rules.max_award)}),
    ]


def _corrections(dossier):
    sections = dict(SectionCode.choices)
    return [{"round": c.round, "sections": [str(sections.get(s, s)) for s in c.sections],
             "message": c.message, "due": long_datetime(c.due),
             "requested": long_datetime(c.requested_at),
             "by": str(c.requested_by) if c.requested_by_id else "—",
             "answered": long_datetime(c.answered_at) if c.answered_at else None}
            for c in dossier.corrections.select_related("requested_by").order_by("round")]


def _history(dossier):
    labels = dict(DossierStatus.choices)
    events = sorted((e for e in history(dossier) if e.to_state), key=lambda e: (e.at, e.pk))
    return [{"at": long_datetime(e.at), "who": e.actor_label or "—",
             "from": str(labels.get(e.from_state, e.from_state or "—")),
             "to": str(labels.get(e.to_state, e.to_state)), "reason": e.reason}
            for e in events]


def reading(dossier) -> dict:
    """Everything the admin page and the PDF show, section by section."""
    call = dossier.note.collective.call
    view = view_of(dossier)
    files = _files(view)
    return {
        "dossier": dossier, "call": call, "as_filed": bool(dossier.snapshot),
        "lead": next((p.organisation for p in dossier.note.collective.participations.all()
                      if p.role == ParticipationRole.LEAD), None),
        "collective_rows": _collective(dossier, view, files),
        "project_fields": _fields(_project_data(_section_data(view, SectionCode.PROJECT),
                                                call), PROJECT_LABELS),
        "action_plan_fields": _fields(_section_data(view, SectionCode.ACTION_PLAN),
                                      ACTION_PLAN_LABELS),
        "budget": _budget(view, call),
        "attachments": [{"document": a.get("document"), "file": files.get(a.get("file") or ""),
                         "sha256": a.get("sha256")} for a in view.get("attachments") or []],
        "corrections": _corrections(dossier),
        "history": _history(dossier),
    }


# --- documents -----------------------------------------------------------------------------

def file_stem(dossier):
    return dossier.reference or f"dossier-{dossier.pk}"


def dossier_pdf(dossier) -> bytes:
    data = reading(dossier)
    return render_pdf("applications/dossier_pdf.html", {**data, "r": data})


def _safe(text):
    return UNSAFE_IN_NAMES.sub("-", str(text)).strip(" .-")[:120] or "-"


def zip_entries(dossier):
    """(name in the archive, StoredFile) of the required documents, then the letters of
    commitment, numbered: « 01-Statuts-statuts.pdf »."""
    view = view_of(dossier)
    files = _files(view)
    labelled = [(a.get("document"), files.get(a.get("file") or ""))
                for a in view.get("attachments") or []]
    labelled += [(_("Letter of commitment - %(organisation)s")
                  % {"organisation": c.get("organisation")}, files.get(c.get("letter") or ""))
                 for c in view.get("commitments") or []]
    present = [(label, stored) for label, stored in labelled if stored is not None]
    return [(f"{index:02d}-{_safe(label)}-{_safe(stored.original_name)}", stored)
            for index, (label, stored) in enumerate(present, start=1)]


def attachments_zip(dossier):
    """A temporary file holding the ZIP of the dossier's files, read through the storage."""
    archive = tempfile.TemporaryFile()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for name, stored in zip_entries(dossier):
            with open_stored(stored) as source, bundle.open(name, "w") as target:
                shutil.copyfileobj(source, target, 64 * 1024)
    archive.seek(0)
    return archive
