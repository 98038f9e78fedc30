"""A laureate for `make demo`: a second collective of the demo call taken through the whole
journey by the services themselves (note filed and pre-selected, dossier filed, evaluated,
selected and announced, project opened with its signed agreement, an advance paid and the
launch event sent), so the laureate's pages can be walked without waiting for a calendar."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from applications.canvases import BLOCKS
from applications.models import CanvasKind, NoteStatus
from applications.services.decisions import decide_note
from applications.services.dossier_filing import submit_dossier
from applications.services.dossier_parts import attach_document, save_commitment
from applications.services.dossiers import (
    declare_admissibility,
    open_dossier,
    replace_budget,
    save_section,
)
from applications.services.drafts import fill_canvas_online, note_for, save_draft
from applications.services.filing import submit_note
from calls.models import Call
from connaissance.formatting import PARIS
from connaissance.pdf.rendering import render_pdf
from connaissance.territories.models import Commune, Epci
from consortia.demo import demo_user
from consortia.models import OrganisationKind, ParticipationRole
from consortia.services import collectives, invitations, organisations
from evaluation import services as evaluation

from . import services
from .models import PaymentKind, Project
from .services.common import paris_today

LAUREATE_EMAIL = "laureat@demo.connaissance.fr"
PARTNER_EMAIL = "formation-artois@demo.connaissance.fr"
OFFICER_EMAIL = "agent@demo.connaissance.fr"
EVALUATOR_EMAIL = "evaluateur@demo.connaissance.fr"
# Made-up SIRET numbers (valid check digits) for the demo.
TIERS_LIEU_SIRET = "90000003500015"
TRAINING_SIRET = "90000004300019"

NOTE = {
    "title": "La Fabrique des savoirs du Bassin minier",
    "summary": "Un tiers-lieu de Lens accueille les parcours hybrides d’un organisme de "
               "formation d’Arras : ateliers numériques, formations qualifiantes à distance "
               "avec un accompagnement sur place, garde d’enfants les jours de session.",
    "target_publics": "Demandeurs d’emploi, salariés en reconversion, jeunes sans diplôme.",
    "tiers_lieu_services": "Accueil, médiation numérique, fablab, espace de coworking.",
    "estimated_total_cost": Decimal("290000.00"),
    "requested_subsidy": Decimal("200000.00"),
}
PROJECT = {
    "title": NOTE["title"], "summary": NOTE["summary"],
    "target_publics": NOTE["target_publics"], "expected_numbers": "240 apprenants en 30 mois",
    "services_continuum": "Accueil et diagnostic au tiers-lieu, positionnement, formation "
                          "hybride, suivi après la formation.",
    "pedagogical_innovation": "Classes virtuelles suivies ensemble au tiers-lieu, tutorat "
                              "par les pairs, badges numériques.",
    "accessibility": "Sessions en soirée, garde d’enfants, prêt d’ordinateurs portables.",
}


def _pdf(title, *paragraphs, name):
    content = render_pdf("laureates/demo/document.html",
                         {"title": title, "paragraphs": paragraphs}, language="fr")
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def _file_note(user, collective, partner):
    call = collective.call
    note = note_for(collective)
    lens = Epci.objects.get(communes__code="62498")
    note = save_draft(user=user, note=note, version=note.version, data={
        **NOTE, "axes": list(call.axes.order_by("number")[:2]), "epcis": [lens],
        "partners": [partner]})
    for kind in CanvasKind:
        fill_canvas_online(user=user, note=note, kind=kind, blocks={
            code: f"{label} : voir la note d’opportunité." for code, label in BLOCKS[kind]})
    return submit_note(user=user, note=note, confirmed=True)


def _file_dossier(user, note, officer, today):
    decide_note(officer=officer, note=note, decision=NoteStatus.PRESELECTED,
                message="Votre note est présélectionnée : déposez le dossier complet.")
    note.refresh_from_db()
    dossier = open_dossier(user=user, note=note)
    call = note.collective.call
    for participation in note.collective.participations.select_related("organisation"):
        lead = participation.role == ParticipationRole.LEAD
        save_commitment(
            user=user, dossier=dossier, participation_id=participation.pk,
            role="Accueille les apprenants et anime le lieu." if lead
            else "Conçoit et assure les formations hybrides.",
            letter=None if lead else _pdf(
                "Lettre d’engagement", f"{participation.organisation} s’engage dans le projet "
                f"« {NOTE['title']} ».", name="lettre-engagement.pdf"))
    save_section(user=user, dossier=dossier, code="project", version=0, data={
        **PROJECT, "axes": [str(a.number) for a in note.axes.all()]})
    start, end = today + timedelta(days=30), today + timedelta(days=2 * 365)
    save_section(user=user, dossier=dossier, code="action_plan", version=0, data={
        "start_date": start.isoformat(), "end_date": end.isoformat(),
        "milestones": [
            {"label": "Équipe projet recrutée", "date": (start + timedelta(days=60)).isoformat()},
            {"label": "Premières sessions au tiers-lieu",
             "date": (start + timedelta(days=120)).isoformat()},
            {"label": "Bilan à mi-parcours", "date": (start + timedelta(days=365)).isoformat()},
        ]})
    lead = note.collective.participations.get(role=ParticipationRole.LEAD).organisation
    body = note.collective.participations.get(role=ParticipationRole.PARTNER).organisation
    replace_budget(user=user, dossier=dossier, version=0, requested_rate=Decimal("80"), expenses=[
        {"category": "staff", "partner": lead, "label": "Coordination et médiation",
         "amount": Decimal("160000.00"), "is_training_cost": False},
        {"category": "equipment", "partner": lead, "label": "Ordinateurs portables, fablab",
         "amount": Decimal("40000.00"), "is_training_cost": False},
        {"category": "staff", "partner": body, "label": "Ingénierie pédagogique",
         "amount": Decimal("50000.00"), "is_training_cost": False},
        {"category": "training", "partner": body, "label": "Formations qualifiantes",
         "amount": Decimal("40000.00"), "is_training_cost": True},
    ], resources=[
        {"kind": "region", "funder": "Région Hauts-de-France", "amount": Decimal("200000.00")},
        {"kind": "cofinancing", "funder": "Communauté d’agglomération de Lens-Liévin",
         "amount": Decimal("50000.00")},
        {"kind": "own_funds", "funder": "Fonds propres", "amount": Decimal("40000.00")},
    ])
    for document in call.required_documents.filter(mandatory=True):
        attach_document(user=user, dossier=dossier, document_id=document.pk,
                        uploaded=_pdf(document.label, "Pièce de démonstration.",
                                      name="piece.pdf"))
    dossier = submit_dossier(user=user, dossier=dossier, confirmed=True)
    declare_admissibility(officer=officer, dossier=dossier, admissible=True)
    return dossier


def _evaluate_and_select(dossier, officer, evaluator):
    call = dossier.note.collective.call
    if not call.criteria.exists():
        evaluation.copy_grid(actor=officer, target=call,
                             source=Call.objects.get(slug="connaissance-hauts-de-france-2023"))
    [assignment] = evaluation.assign_evaluators(officer=officer, dossier=dossier,
                                                evaluators=[evaluator])
    evaluation.declare_conflict(evaluator=evaluator, assignment=assignment, has_conflict=False)
    for criterion in call.criteria.all():
        evaluation.record_score(evaluator=evaluator, evaluation=assignment.evaluation,
                                criterion=criterion, value=criterion.max_score * Decimal("0.8"))
    evaluation.submit_evaluation(evaluator=evaluator, evaluation=assignment.evaluation,
                                 comment="Projet solide, bien ancré dans le territoire.")
    dossier.refresh_from_db()
    evaluation.stage_decision(officer=officer, dossier=dossier, outcome="selected")
    evaluation.announce(officer=officer, call=call)


def _follow_up(project, officer, call, today):
    services.record_signed_convention(
        officer=officer, project=project, signed_on=today,
        uploaded=_pdf("Convention de subvention", "Convention signée par les deux parties.",
                      name="convention-signee.pdf"))
    services.record_payment(officer=officer, project=project, kind=PaymentKind.ADVANCE,
                            amount=Decimal("60000.00"), planned_on=today, paid_on=today)
    services.record_payment(officer=officer, project=project, kind=PaymentKind.BALANCE,
                            amount=Decimal("140000.00"), planned_on=project.end_date)
    day = today + timedelta(days=90)
    starts = datetime.combine(day, time(9, 30), tzinfo=PARIS)
    event = services.save_launch_event(officer=officer, call=call, values={
        "title": "Lancement des projets lauréats", "starts_at": starts,
        "ends_at": starts + timedelta(hours=3), "place": "Hôtel de Région",
        "address": "151 avenue du Président Hoover, Lille", "online_url": "",
        "programme": "9 h 30 : accueil\n10 h : présentation des projets\n12 h : déjeuner"})
    services.send_invitations(officer=officer, event=event)


@transaction.atomic
def create_demo_laureate(*, call_slug):
    """The laureate collective of the demo call; None when it exists already."""
    if get_user_model().objects.filter(email=LAUREATE_EMAIL).exists():
        return None
    User = get_user_model()
    officer = User.objects.get(email=OFFICER_EMAIL)
    evaluator = User.objects.get(email=EVALUATOR_EMAIL)
    call = Call.objects.get(slug=call_slug)
    today = paris_today()
    lead_user, partner_user = demo_user(LAUREATE_EMAIL), demo_user(PARTNER_EMAIL)
    tiers_lieu = organisations.create_organisation(
        user=lead_user, siret=TIERS_LIEU_SIRET, legal_name="La Fabrique du Bassin minier",
        kind=OrganisationKind.TIERS_LIEU, address="8 rue de la Gare",
        commune=Commune.objects.get(code="62498"), postcode="", town="", website="", nda="",
        qualiopi=False, in_directory=True,
        directory_pitch="Tiers-lieu : médiation numérique, fablab, coworking.")
    training = organisations.create_organisation(
        user=partner_user, siret=TRAINING_SIRET, legal_name="Institut Artois Formation",
        kind=OrganisationKind.TRAINING_BODY, address="20 boulevard Faidherbe",
        commune=Commune.objects.get(code="62041"), postcode="", town="", website="",
        nda="32620987654", qualiopi=True, in_directory=True,
        directory_pitch="Formations qualifiantes à distance et en présentiel.")
    organisations.declare_digital_proof(
        user=partner_user, organisation=training, since=today - timedelta(days=6 * 365),
        learner_count=1200, digital_offer="Classes virtuelles et parcours en ligne depuis 2020.")
    collective = collectives.create_collective(
        user=lead_user, call=call, lead_organisation=tiers_lieu,
        name="Savoirs en réseau", territory="Lens-Liévin et Arras",
        description="Un tiers-lieu et un organisme de formation rapprochent la formation des "
                    "habitants du Bassin minier.")
    invitation = invitations.invite_partner(
        user=lead_user, collective=collective, email=PARTNER_EMAIL,
        declared_name=training.legal_name, declared_kind=OrganisationKind.TRAINING_BODY)
    invitations.accept_partner_invitation(user=partner_user, invitation=invitation,
                                          organisation=training,
                                          role_in_project="Formations hybrides")
    note = _file_note(lead_user, collective, training)
    dossier = _file_dossier(lead_user, note, officer, today)
    _evaluate_and_select(dossier, officer, evaluator)
    services.open_projects(officer=officer, call=call)  # other laureates' too, if any
    project = Project.objects.get(collective=collective)
    _follow_up(project, officer, call, today)
    return project
