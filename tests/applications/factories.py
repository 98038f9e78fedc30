"""factory_boy factories of the applications app (opportunity notes, canvases, incubation).

Shared by the tests of notes, uploads, admin and incubation: keep it additive.
"""

from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone

from applications.canvases import BLOCKS
from applications.models import (
    Canvas,
    CanvasKind,
    Incubation,
    IncubationMilestone,
    IncubationSession,
    NoteStatus,
    OpportunityNote,
)
from connaissance.files.services import store_generated
from tests.consortia.factories import (
    CollectiveFactory,
    DigitalProofFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipationFactory,
)
from tests.factories import AxisFactory

# The smallest file a PDF reader opens: enough for a stored canvas in tests.
TINY_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def real_pdf(text="Team Canvas — équipe projet") -> bytes:
    """A PDF that passes the upload checks (WeasyPrint-made)."""
    from weasyprint import HTML

    return HTML(string=f"<h1>{text}</h1><p>{'Ligne de texte. ' * 200}</p>").write_pdf()


def filled_blocks(kind, prefix="Texte"):
    """Every block of a canvas kind, filled."""
    return {code: f"{prefix} — {label}" for code, label in BLOCKS[kind]}


class NoteFactory(factory.django.DjangoModelFactory):
    """A draft note of a new collective (whose call has its pre-selection open today)."""

    class Meta:
        model = OpportunityNote

    collective = factory.SubFactory(CollectiveFactory)
    title = factory.Sequence(lambda n: f"Projet de test {n}")
    summary = "Un tiers-lieu qui rapproche la formation des habitants."
    territory_precision = ""
    target_publics = "Demandeurs d'emploi, salariés en reconversion."
    tiers_lieu_services = "Accueil, ateliers numériques, espace de formation hybride."
    estimated_total_cost = Decimal("250000.00")
    requested_subsidy = Decimal("180000.00")
    status = NoteStatus.DRAFT

    class Params:
        # Filed without going through the service (no snapshot, no receipt): for lists.
        submitted = factory.Trait(
            status=NoteStatus.SUBMITTED,
            reference=factory.Sequence(lambda n: f"TEST-N-{n:04d}"),
            submitted_at=factory.LazyFunction(timezone.now),
        )


class CanvasFactory(factory.django.DjangoModelFactory):
    """A canvas filled online, with a stored PDF standing for its rendering."""

    class Meta:
        model = Canvas

    note = factory.SubFactory(NoteFactory)
    kind = CanvasKind.TEAM
    mode = Canvas.Mode.ONLINE
    blocks = factory.LazyAttribute(lambda o: filled_blocks(o.kind))
    file = factory.LazyAttribute(lambda o: store_generated(
        content=TINY_PDF, name=f"{o.kind}-canvas.pdf", mime="application/pdf",
        owner=o.note.collective))


def complete_collective(*, call=None, **kwargs):
    """A collective that satisfies the composition rule: a tiers-lieu lead (with an
    administrator) and a confirmed training body that described its digitalisation.
    Returns (collective, lead administrator)."""
    lead = OrganisationFactory()
    collective = CollectiveFactory(lead=lead, **({"call": call} if call else {}), **kwargs)
    admin = MembershipFactory(organisation=lead, admin=True).user
    body = DigitalProofFactory().organisation
    ParticipationFactory(collective=collective, organisation=body)
    return collective, admin


def filable_note(*, call=None, user=None, epci=None, **fields):
    """A complete draft, ready to file: required fields, an axis, an EPCI, both canvases
    filled online (rendered to PDF by the service). Returns (note, user)."""
    from applications.services.drafts import fill_canvas_online
    from connaissance.territories.models import Epci

    collective, admin = complete_collective(call=call)
    user = user or admin
    note = NoteFactory(collective=collective, **fields)
    note.axes.add(AxisFactory(call=collective.call))
    note.epcis.add(epci or Epci.objects.order_by("code").first())
    note.partners.add(*[p.organisation for p in collective.participations.all()])
    for kind in CanvasKind:
        fill_canvas_online(user=user, note=note, kind=kind, blocks=filled_blocks(kind))
    return note, user


def filed_note(**kwargs):
    """A note filed through services.filing.submit_note (status `submitted`)."""
    from applications.services.filing import submit_note

    note, user = filable_note(**kwargs)
    return submit_note(user=user, note=note, confirmed=True)


class IncubationFactory(factory.django.DjangoModelFactory):
    """The incubation record of a pre-selected note."""

    class Meta:
        model = Incubation

    note = factory.SubFactory(NoteFactory, submitted=True, status=NoteStatus.PRESELECTED)
    needs = "Structurer la gouvernance du collectif."


class IncubationSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncubationSession

    incubation = factory.SubFactory(IncubationFactory)
    date = date(2023, 3, 1)
    format = IncubationSession.Format.ON_SITE
    notes = "Atelier Team Canvas avec les partenaires."
    shared = True


class IncubationMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncubationMilestone

    incubation = factory.SubFactory(IncubationFactory)
    title = factory.Sequence(lambda n: f"Jalon {n}")
    due = date(2023, 4, 1)
