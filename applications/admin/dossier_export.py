"""CSV and XLSX exports of full dossiers with their budget figures, for Excel in French.

The CSV is written like the notes' export (UTF-8 with a BOM, `;`, comma decimals, Paris
times: the helpers of `export.py`); the XLSX holds real numbers and dates, with euro and date
formats, a bold header row frozen at the top. The figures are those of the list
(`dossier_documents.row_figures`: as filed, or as saved for a dossier never filed).
"""

import csv
from io import BytesIO

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from connaissance.formatting import to_paris

from ..dossier_documents import row_figures, row_low_supply, row_rate, row_title
from .export import BOM, amount, paris

TEXT, MONEY, RATE, MOMENT, FLAG = "text", "money", "rate", "moment", "flag"
XLSX_FORMATS = {MONEY: '#,##0.00 "€"', RATE: "0.00", MOMENT: "dd/mm/yyyy hh:mm"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def columns():
    """(header, kind, value of a dossier and its figures), in the order of the file."""
    return [
        (_("Reference"), TEXT, lambda d, f: d.reference),
        (_("Status"), TEXT, lambda d, f: d.get_status_display()),
        (_("Project title"), TEXT, lambda d, f: row_title(d)),
        (_("Collective"), TEXT, lambda d, f: d.note.collective.name),
        (_("Lead"), TEXT, lambda d, f: getattr(d, "lead_name", "") or ""),
        (_("Call"), TEXT, lambda d, f: d.note.collective.call.title),
        (_("Filed on"), MOMENT, lambda d, f: d.submitted_at),
        (_("Low training supply"), FLAG, lambda d, f: row_low_supply(d)),
        (_("Total expenses (€)"), MONEY, lambda d, f: f.total_expenses),
        (_("Training costs (€)"), MONEY, lambda d, f: f.training_costs),
        (_("Eligible base (€)"), MONEY, lambda d, f: f.eligible_base),
        (_("Total resources (€)"), MONEY, lambda d, f: f.total_resources),
        (_("Balanced budget"), FLAG, lambda d, f: f.balanced),
        (_("Requested rate (%)"), RATE, lambda d, f: row_rate(d)),
        (_("Rate ceiling (%)"), RATE, lambda d, f: f.rate_ceiling),
        (_("Bonus applied"), FLAG, lambda d, f: f.bonus_applied),
        (_("Requested subsidy (€)"), MONEY, lambda d, f: f.requested_subsidy),
        (_("Problems"), TEXT, lambda d, f: " | ".join(p.message for p in f.problems)),
    ]


def headers():
    return [header for header, _kind, _value in columns()]


def _rows(queryset):
    """(kind, raw value) cells of every dossier, with its figures computed once."""
    spec = columns()
    for dossier in queryset.select_related("note__collective__call"):
        figures = row_figures(dossier)
        yield [(kind, value(dossier, figures)) for _header, kind, value in spec]


def _stamp():
    return to_paris(timezone.now()).strftime("%Y%m%d-%H%M")


def _csv_cell(kind, value):
    if kind in (MONEY, RATE):
        return amount(value)
    if kind == MOMENT:
        return paris(value)
    if kind == FLAG:
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


def dossiers_csv(queryset):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dossiers-{_stamp()}.csv"'
    response.write(BOM)
    writer = csv.writer(response, delimiter=";")
    writer.writerow(headers())
    for cells in _rows(queryset):
        writer.writerow([_csv_cell(kind, value) for kind, value in cells])
    return response


def _xlsx_cell(kind, value):
    if kind == MOMENT:
        return to_paris(value).replace(tzinfo=None) if value else None
    if kind == FLAG:
        return _("yes") if value else _("no")
    return value


def _workbook(queryset):
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = _("Dossiers")
    sheet.append(headers())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cells in _rows(queryset):
        sheet.append([_xlsx_cell(kind, value) for kind, value in cells])
        for cell, (kind, _value) in zip(sheet[sheet.max_row], cells, strict=True):
            if kind in XLSX_FORMATS:
                cell.number_format = XLSX_FORMATS[kind]
    for index, header in enumerate(headers(), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 2)
    sheet.freeze_panes = "A2"
    return book


def dossiers_xlsx(queryset):
    content = BytesIO()
    _workbook(queryset).save(content)
    response = HttpResponse(content.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="dossiers-{_stamp()}.xlsx"'
    return response
