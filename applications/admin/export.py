"""CSV export of opportunity notes, for Excel in French: UTF-8 with a BOM, `;` separator,
comma decimals, dates in Paris time."""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from connaissance.formatting import to_paris

BOM = "\ufeff"


def amount(value) -> str:
    """`Decimal("180000.5")` → « 180000,50 » (no thousands separator: Excel reads a number)."""
    return "" if value is None else f"{value:.2f}".replace(".", ",")


def paris(value) -> str:
    return to_paris(value).strftime("%d/%m/%Y %H:%M") if value else ""


def headers():
    return [_("Reference"), _("Status"), _("Project title"), _("Collective"), _("Lead"),
            _("Call"), _("Filed on"), _("Intervention axes"), _("EPCI"), _("Communes"),
            _("Low training supply"), _("Estimated total cost (€)"),
            _("Requested subsidy (€)"), _("Decided on")]


def row(note):
    return [
        note.reference, note.get_status_display(), note.title, note.collective.name,
        getattr(note, "lead_name", "") or "", note.collective.call.title,
        paris(note.submitted_at),
        " | ".join(str(a) for a in note.axes.all()),
        " | ".join(e.name for e in note.epcis.all()),
        " | ".join(c.name for c in note.communes.all()),
        _("yes") if getattr(note, "low_supply_now", False) else _("no"),
        amount(note.estimated_total_cost), amount(note.requested_subsidy),
        paris(note.decided_at),
    ]


def notes_csv(queryset):
    """The notes (annotated by the admin's queryset) as a CSV download."""
    notes = queryset.select_related("collective__call").prefetch_related(
        "axes", "epcis", "communes")
    stamp = to_paris(timezone.now()).strftime("%Y%m%d-%H%M")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="opportunity-notes-{stamp}.csv"'
    response.write(BOM)
    writer = csv.writer(response, delimiter=";")
    writer.writerow(headers())
    for note in notes:
        writer.writerow(row(note))
    return response
