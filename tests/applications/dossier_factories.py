"""Builders of full dossiers for tests: opened for a pre-selected note, completed section by
section through the services, filed."""

from decimal import Decimal

from applications.models import DossierAttachment, NoteStatus, PartnerCommitment
from applications.services.decisions import decide_note
from applications.services.dossier_filing import submit_dossier
from applications.services.dossiers import open_dossier, replace_budget, save_section
from calls.models import RequiredDocument
from connaissance.files.services import store_generated
from consortia.models import ParticipationRole
from tests.applications.factories import TINY_PDF, filed_note
from tests.factories import UserFactory

PROJECT = {
    "title": "Tiers-lieu apprenant", "summary": "Former au plus près des habitants.",
    "axes": ["1"], "target_publics": "Demandeurs d'emploi", "expected_numbers": "300",
    "services_continuum": "Accueil, orientation, formation.",
    "pedagogical_innovation": "Formation hybride.", "accessibility": "Horaires du soir.",
}
ACTION_PLAN = {"start_date": "2023-09-01", "end_date": "2026-06-30",
               "milestones": [{"label": "Lancement", "date": "2023-09-15"}]}


def preselected_dossier(**note_kwargs):
    """An opened dossier of a pre-selected note. Returns (dossier, collective user, officer)."""
    note = filed_note(**note_kwargs)
    officer = UserFactory(is_staff=True)
    decide_note(officer=officer, note=note, decision=NoteStatus.PRESELECTED,
                message="Votre note est présélectionnée.")
    user = note.submitted_by
    return open_dossier(user=user, note=note), user, officer


def lead_of(dossier):
    return dossier.note.collective.participations.get(role=ParticipationRole.LEAD).organisation


def budget_lines(dossier, *, training=Decimal("50000.00")):
    lead = lead_of(dossier)
    expenses = [
        {"category": "staff", "partner": lead, "label": "Animation",
         "amount": Decimal("250000.00"), "is_training_cost": False},
        {"category": "training", "partner": lead.pk, "label": "Formations",
         "amount": training, "is_training_cost": True},
    ]
    total = Decimal("250000.00") + training
    resources = [{"kind": "region", "funder": "Région", "amount": Decimal("200000.00")},
                 {"kind": "own_funds", "funder": "Fonds propres",
                  "amount": total - Decimal("200000.00")}]
    return expenses, resources


def pdf(owner, name="piece.pdf"):
    return store_generated(content=TINY_PDF, name=name, mime="application/pdf", owner=owner)


def complete(dossier, user):
    """Fill every section of the dossier (subsidy 200 000,00 € at 80 % of 250 000,00 €)."""
    collective = dossier.note.collective
    for participation in collective.participations.all():
        PartnerCommitment.objects.create(dossier=dossier, participation=participation,
                                         role="Porte l'animation.", letter=pdf(collective))
    save_section(user=user, dossier=dossier, code="project", version=0, data=PROJECT)
    save_section(user=user, dossier=dossier, code="action_plan", version=0, data=ACTION_PLAN)
    expenses, resources = budget_lines(dossier)
    replace_budget(user=user, dossier=dossier, version=0, expenses=expenses,
                   resources=resources, requested_rate=Decimal("80"))
    call = collective.call
    RequiredDocument.objects.get_or_create(call=call, label="Statuts")
    for document in RequiredDocument.objects.filter(call=call, mandatory=True):
        DossierAttachment.objects.create(dossier=dossier, document=document,
                                         file=pdf(collective))
    return dossier


def filed_dossier(**note_kwargs):
    """A complete dossier filed through the service. Returns (dossier, user, officer)."""
    dossier, user, officer = preselected_dossier(**note_kwargs)
    complete(dossier, user)
    return submit_dossier(user=user, dossier=dossier, confirmed=True), user, officer
