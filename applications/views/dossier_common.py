"""What every page of the full dossier shares: loading it for the signed-in user (anything not
allowed is a 404), its stepper of sections with what is complete, the deadline."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls import calendar
from calls.models import PhaseKind
from consortia.models import Collective
from consortia.services.collectives import with_composition_data

from ..models import Dossier, DossierStatus, OpportunityNote, SectionCode
from ..services.dossier_filing import completeness
from ..services.dossiers import open_round
from .notes import lead_of

SLUGS = {
    SectionCode.COLLECTIVE: "collectif",
    SectionCode.PROJECT: "projet",
    SectionCode.ACTION_PLAN: "plan-d-action",
    SectionCode.BUDGET: "budget",
    SectionCode.ATTACHMENTS: "pieces-jointes",
}
CODES = {slug: code for code, slug in SLUGS.items()}
HINTS = {
    SectionCode.COLLECTIVE: _("Partners, their roles and letters of commitment"),
    SectionCode.PROJECT: _("Title, axes, territory, publics, innovation"),
    SectionCode.ACTION_PLAN: _("Dates, milestones, indicators"),
    SectionCode.BUDGET: _("Expenses, resources and the subsidy"),
    SectionCode.ATTACHMENTS: _("The documents the call asks for"),
}


class NotPreselected(Exception):
    """A member of a collective whose note was not pre-selected opens the dossier."""

    def __init__(self, collective, note):
        super().__init__()
        self.collective, self.note = collective, note


def load_dossier(request, pk, *, change=False):
    """(dossier, can_change) of the collective `pk` for the signed-in user. Members see (and
    open, the first time) the dossier of a pre-selected note; officers see an existing one;
    anyone else gets a 404."""
    from ..services.dossiers import open_dossier

    collective = get_object_or_404(with_composition_data(Collective.objects.all()), pk=pk)
    note = OpportunityNote.objects.filter(collective=collective).first()
    probe = Dossier(note=note or OpportunityNote(collective=collective))
    can_change = request.user.has_perm("applications.change_dossier", probe)
    dossier = Dossier.objects.filter(note=note).first() if note else None
    if can_change:
        if dossier is None:
            if note is None or note.status != "preselected":
                raise NotPreselected(collective, note)
            dossier = open_dossier(user=request.user, note=note)
    elif change or dossier is None or not request.user.has_perm("applications.view_dossier",
                                                                   probe):
        raise Http404
    dossier.note.collective = collective
    return dossier, can_change


def section_url(dossier, code):
    return reverse("applications:dossier_section",
                   args=[dossier.note.collective_id, SLUGS[code]])


def editable_codes(dossier):
    """The sections that may be changed now (all in a draft; the listed ones in a
    correction round; none otherwise)."""
    if dossier.status == DossierStatus.DRAFT:
        return set(SectionCode.values)
    if dossier.status == DossierStatus.CORRECTION:
        correction = open_round(dossier)
        return set(correction.sections) if correction else set()
    return set()


def steps(dossier, problems):
    """The stepper: each section with its link, its number of problems and whether it may be
    edited now."""
    editable = editable_codes(dossier)
    counts = {}
    for code, _message in problems:
        counts[code] = counts.get(code, 0) + 1
    return [{"code": code, "label": code.label, "hint": HINTS[code],
             "url": section_url(dossier, code), "problems": counts.get(code.value, 0),
             "editable": code.value in editable, "number": index}
            for index, code in enumerate(SectionCode, start=1)]


def base_context(dossier, *, current=None, problems=None):
    """Context of every dossier page (the stepper, the deadline, the correction round)."""
    collective = dossier.note.collective
    call = collective.call
    if problems is None:
        problems = completeness(dossier) if editable_codes(dossier) else []
    phase = calendar.phase(call, PhaseKind.FILING)
    correction = open_round(dossier) if dossier.status == DossierStatus.CORRECTION else None
    return {
        "dossier": dossier, "note": dossier.note, "collective": collective, "call": call,
        "lead": lead_of(collective), "steps": steps(dossier, problems), "current": current,
        "problems": problems, "correction": correction,
        "deadline": correction.due if correction else (phase.ends_at if phase else None),
        "refusal": None if correction else calendar.refusal(call, "submit_dossier",
                                                             timezone.now()),
    }
