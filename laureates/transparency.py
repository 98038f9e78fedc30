"""Public money in the open: the laureates of a call, listed on the call page once announced,
and the open data of the awards in the national SCDL « subventions » format, version 2.1.1
(`data/scdl-subventions-2.1.1/schema.json`, transcribed from the official documentation).

Read-only presenters: nothing here changes state.
"""

import csv
import io
from pathlib import Path

from django.conf import settings
from django.db.models import OuterRef, Subquery

from applications.dossier_documents import row_title
from applications.models import SectionCode
from connaissance.territories.models import Commune, Epci
from consortia.models import Participation, ParticipationRole

from .models import ConventionStatus, Project
from .services.projects import laureate_decisions

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "scdl-subventions-2.1.1" / "schema.json"
SCDL_COLUMNS = [
    "nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision", "nomBeneficiaire",
    "idBeneficiaire", "rnaBeneficiaire", "objet", "montant", "nature", "conditionsVersement",
    "datesPeriodeVersement", "idRAE", "notificationUE", "pourcentageSubvention",
    "dispositifAide",
]
NATURE = "aide en numéraire"
SINGLE, STAGGERED = "unique", "échelonné"


def lead_field(collective_path, field):
    lead = Participation.objects.filter(collective=OuterRef(collective_path),
                                        role=ParticipationRole.LEAD)
    return Subquery(lead.values(f"organisation__{field}")[:1])


# --- the laureates on the call page ----------------------------------------------------------

def _project_places(dossier):
    data = (((dossier.snapshot or {}).get("sections") or {}).get(SectionCode.PROJECT) or {})
    data = data.get("data") or {}
    return ([str(code) for code in data.get("epcis") or []],
            [str(code) for code in data.get("communes") or []])


def laureates_of(call):
    """The announced laureates of `call` (nothing before the announcement): for each, the
    collective, its lead organisation, the territory of the project section as filed, the
    project title and the awarded amount; ordered by collective name. Four queries."""
    decisions = list(
        laureate_decisions(call)
        .annotate(lead_name=lead_field("dossier__note__collective", "legal_name"))
        .order_by("dossier__note__collective__name", "pk"))
    places = {d.pk: _project_places(d.dossier) for d in decisions}
    epci_codes = {code for epcis, _communes in places.values() for code in epcis}
    commune_codes = {code for _epcis, communes in places.values() for code in communes}
    epcis = {e.pk: e.name for e in Epci.objects.filter(pk__in=epci_codes)} if epci_codes else {}
    communes = ({c.pk: c.name for c in Commune.objects.filter(pk__in=commune_codes)}
                if commune_codes else {})
    rows = []
    for decision in decisions:
        collective = decision.dossier.note.collective
        epci_list, commune_list = places[decision.pk]
        names = [epcis.get(code, code) for code in epci_list]
        names += [communes.get(code, code) for code in commune_list]
        rows.append({
            "collective": collective.name,
            "lead": decision.lead_name or "",
            "territory": ", ".join(names) or collective.territory,
            "title": row_title(decision.dossier),
            "amount": decision.awarded_amount,
        })
    return rows


# --- the SCDL « subventions » open data -----------------------------------------------------

def signed_projects(call):
    """The projects of `call` whose agreement is signed (dateConvention is mandatory)."""
    return (Project.objects.filter(collective__call=call,
                                   convention_status=ConventionStatus.SIGNED,
                                   decision__announced_at__isnull=False)
            .select_related("decision__dossier", "collective")
            .annotate(lead_name=lead_field("collective", "legal_name"),
                      lead_siret=lead_field("collective", "siret"))
            .prefetch_related("payments")
            .order_by("convention_signed_on", "pk"))


def _iso(day):
    return day.isoformat() if day else ""


def payment_terms(project):
    """(conditionsVersement, datesPeriodeVersement): one line → « unique » and its date (paid,
    else planned); several (or none yet) → « échelonné » and the period from the first to the
    last date of the schedule, or else the project's period."""
    payments = list(project.payments.all())
    dates = sorted(p.paid_on or p.planned_on for p in payments if p.paid_on or p.planned_on)
    if len(payments) == 1 and dates:
        return SINGLE, _iso(dates[0])
    terms = SINGLE if len(payments) == 1 else STAGGERED
    if dates:
        return terms, f"{_iso(dates[0])}/{_iso(dates[-1])}"
    start = project.start_date or project.convention_signed_on
    end = project.end_date
    if start and end and end >= start:
        return terms, f"{_iso(start)}/{_iso(end)}"
    return terms, _iso(project.convention_signed_on)


def scdl_row(project):
    terms, period = payment_terms(project)
    return {
        "nomAttribuant": settings.REGION_NAME,
        "idAttribuant": settings.REGION_SIRET,
        "dateConvention": _iso(project.convention_signed_on),
        "referenceDecision": project.decision_reference or project.decision.dossier.reference,
        "nomBeneficiaire": project.lead_name or project.collective.name,
        "idBeneficiaire": project.lead_siret or "",
        "rnaBeneficiaire": "",
        "objet": project.title[:256],
        "montant": f"{project.awarded_amount:.2f}",
        "nature": NATURE,
        "conditionsVersement": terms,
        "datesPeriodeVersement": period,
        "idRAE": "",
        "notificationUE": "non",
        # One beneficiary per award: the lead organisation signs the agreement and receives
        # the whole subsidy for the collective.
        "pourcentageSubvention": "1.00",
        "dispositifAide": "",
    }


def scdl_rows(call):
    return [scdl_row(project) for project in signed_projects(call)]


def write_scdl_csv(rows) -> str:
    """The rows as the schema's CSV: UTF-8 text, comma-separated, a header row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SCDL_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def scdl_csv(call) -> str:
    return write_scdl_csv(scdl_rows(call))
