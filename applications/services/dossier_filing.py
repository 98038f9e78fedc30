"""Filing a full dossier: the completeness list, then every check again on the server, the
deadline included, in the transaction that freezes and files it, then the accusé de
réception (PDF kept privately, mailed after the commit).
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from calls import calendar
from calls.models import RequiredDocument
from connaissance.files.services import store_generated
from connaissance.formatting import long_datetime
from connaissance.mail.services import queue_templated_mail
from connaissance.pdf.rendering import render_pdf
from consortia.composition import check_composition
from consortia.models import ParticipationRole, ParticipationStatus

from ..dossier_workflow import DOSSIER_LIFECYCLE
from ..models import Dossier, DossierStatus, SectionCode
from .dossiers import action_plan_dates, budget_figures, call_of, low_supply_territories, open_round
from .errors import ApplicationError, NotFileable
from .references import next_reference

CALENDAR = ""  # the section code of a calendar refusal (no section to link to)

PROJECT_REQUIRED = {
    "title": gettext_lazy("the project title"),
    "summary": gettext_lazy("the summary"),
    "axes": gettext_lazy("the intervention axes"),
    "target_publics": gettext_lazy("the target publics"),
    "expected_numbers": gettext_lazy("the expected numbers"),
    "services_continuum": gettext_lazy("the continuum of services in the tiers-lieu"),
    "pedagogical_innovation": gettext_lazy("the pedagogical innovation"),
    "accessibility": gettext_lazy("how training becomes accessible"),
}


def _blank(value) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value in (None, [], {}, ())


def _sections(dossier) -> dict:
    return {s.code: s.data or {} for s in dossier.sections.all()}


def _collective_problems(dossier, at):
    found = []
    collective = dossier.note.collective
    commitments = {c.participation_id: c for c in dossier.commitments.all()}
    for participation in collective.participations.select_related("organisation"):
        if participation.status != ParticipationStatus.CONFIRMED:
            continue
        commitment = commitments.get(participation.pk)
        org = participation.organisation
        if commitment is None or _blank(commitment.role):
            found.append(_("Describe the role of %(org)s in the project.") % {"org": org})
        if participation.role != ParticipationRole.LEAD and (
                commitment is None or commitment.letter_id is None):
            found.append(_("Add the letter of commitment of %(org)s.") % {"org": org})
    composition = check_composition(collective, count_pending=False, at=at)
    found += [item.detail for item in composition.missing]
    return [(SectionCode.COLLECTIVE.value, message) for message in found]


def _project_problems(data):
    return [(SectionCode.PROJECT.value, _("Fill in %(field)s.") % {"field": label})
            for key, label in PROJECT_REQUIRED.items() if _blank(data.get(key))]


def _action_plan_problems(dossier, data):
    code = SectionCode.ACTION_PLAN.value
    try:
        start, end = action_plan_dates(call_of(dossier), data)
    except ApplicationError as error:
        return [(code, str(error))]
    found = []
    if start is None:
        found.append((code, _("Give the start date of the project.")))
    if end is None:
        found.append((code, _("Give the end date of the project.")))
    milestones = [m for m in data.get("milestones") or []
                  if isinstance(m, dict) and not _blank(m.get("label"))]
    if not milestones:
        found.append((code, _("Add at least one milestone with its date.")))
    elif any(_blank(m.get("date")) for m in milestones):
        found.append((code, _("Give a date to every milestone.")))
    return found


def _budget_problems(dossier):
    code = SectionCode.BUDGET.value
    if not dossier.expenses.exists():
        return [(code, _("Add the expense lines of the budget."))]
    return [(code, problem.message) for problem in budget_figures(dossier).problems]


def _attachment_problems(dossier):
    attached = set(dossier.attachments.values_list("document_id", flat=True))
    missing = RequiredDocument.objects.filter(call=call_of(dossier), mandatory=True).exclude(
        pk__in=attached)
    return [(SectionCode.ATTACHMENTS.value, _("Attach the document: %(doc)s.") % {"doc": doc})
            for doc in missing]


def _calendar_problems(dossier, at):
    if dossier.status == DossierStatus.CORRECTION:
        correction = open_round(dossier)
        if correction is not None and at > correction.due:
            return [(CALENDAR, _("The correction was due by %(date)s.")
                     % {"date": long_datetime(correction.due)})]
        return []
    refusal = calendar.refusal(call_of(dossier), "submit_dossier", at)
    return [(CALENDAR, refusal)] if refusal else []


def completeness(dossier, *, at=None) -> list[tuple[str, str]]:
    """Every missing or invalid item, as (section code, message for the user); empty when
    the dossier can be filed. A correction answers by the round's due date rather than by
    the call's filing deadline."""
    at = at or timezone.now()
    sections = _sections(dossier)
    return (_calendar_problems(dossier, at)
            + _collective_problems(dossier, at)
            + _project_problems(sections.get(SectionCode.PROJECT, {}))
            + _action_plan_problems(dossier, sections.get(SectionCode.ACTION_PLAN, {}))
            + _budget_problems(dossier)
            + _attachment_problems(dossier))


def snapshot(dossier) -> dict:
    """What was filed, frozen: every section, budget line and figure (amounts as strings),
    commitment and attachment (with the file's SHA-256)."""
    figures = budget_figures(dossier)
    return {
        "sections": {s.code: {"data": s.data, "version": s.version}
                     for s in dossier.sections.all()},
        "start_date": dossier.start_date.isoformat() if dossier.start_date else None,
        "end_date": dossier.end_date.isoformat() if dossier.end_date else None,
        "budget": {
            "expenses": [{"category": e.category, "partner": e.partner_id,
                          "partner_name": str(e.partner), "label": e.label,
                          "amount": str(e.amount), "is_training_cost": e.is_training_cost}
                         for e in dossier.expenses.select_related("partner")],
            "resources": [{"kind": r.kind, "funder": r.funder, "amount": str(r.amount)}
                          for r in dossier.resources.all()],
            "requested_rate": str(dossier.requested_rate),
            "figures": {
                "total_expenses": str(figures.total_expenses),
                "training_costs": str(figures.training_costs),
                "eligible_base": str(figures.eligible_base),
                "total_resources": str(figures.total_resources),
                "rate_ceiling": str(figures.rate_ceiling),
                "bonus_applied": figures.bonus_applied,
                "requested_subsidy": str(figures.requested_subsidy),
            },
            "low_supply": [str(t) for t in low_supply_territories(dossier)],
        },
        "commitments": [{"organisation": str(c.participation.organisation),
                         "role": c.role, "letter": str(c.letter_id or ""),
                         "sha256": c.letter.sha256 if c.letter_id else ""}
                        for c in dossier.commitments.select_related(
                            "participation__organisation", "letter")],
        "attachments": [{"document": a.document.label, "file": str(a.file_id),
                         "sha256": a.file.sha256}
                        for a in dossier.attachments.select_related("document", "file")],
    }


def submit_dossier(*, user, dossier, confirmed: bool):
    """File the dossier (or its answer to a correction round). Everything, the deadline
    included, is checked in the transaction that files it."""
    if not confirmed:
        raise ApplicationError(_("Confirm that you want to file the dossier."))
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().select_related(
            "note__collective__call").get(pk=dossier.pk)
        if locked.status not in (DossierStatus.DRAFT, DossierStatus.CORRECTION):
            raise ApplicationError(_("This dossier has already been filed."))
        now = timezone.now()
        found = completeness(locked, at=now)
        if found:
            raise NotFileable([message for _code, message in found])
        correction = open_round(locked) if locked.status == DossierStatus.CORRECTION else None
        if not locked.reference:
            locked.reference = next_reference(call=call_of(locked), kind="D")
        locked.submitted_at, locked.submitted_by = now, user
        locked.snapshot = snapshot(locked)
        locked.save(update_fields=["reference", "submitted_at", "submitted_by", "snapshot",
                                   "updated_at"])
        data = {"reference": locked.reference}
        if correction is not None:
            correction.answered_at = now
            correction.save(update_fields=["answered_at"])
            data["round"] = correction.round
        DOSSIER_LIFECYCLE.apply(locked, to_state=DossierStatus.SUBMITTED, actor=user,
                                data=data)
        _issue_receipt(locked, user, correction)
    dossier.refresh_from_db()
    return dossier


def _issue_receipt(dossier, user, correction):
    """The accusé de réception of this filing (a new one for each correction round), kept
    privately and mailed to the lead's administrators and the filer; the call's contact is
    told. Mails leave after the commit."""
    from consortia.services.notify import admin_emails

    collective = dossier.note.collective
    call = collective.call
    lead = collective.participations.get(role=ParticipationRole.LEAD).organisation
    context = {"dossier": dossier, "call": call, "collective": collective, "lead": lead,
               "correction": correction, "figures": budget_figures(dossier),
               "project": dossier.snapshot["sections"].get(SectionCode.PROJECT, {}).get(
                   "data", {}),
               "SITE_URL": settings.SITE_URL}
    content = render_pdf("applications/dossier_receipt_pdf.html", context)
    suffix = f"-R{correction.round}" if correction is not None else ""
    dossier.receipt = store_generated(content=content, name=f"{dossier.reference}{suffix}.pdf",
                                      mime="application/pdf", owner=collective,
                                      created_by=user)
    dossier.save(update_fields=["receipt"])
    round_key = correction.round if correction is not None else 0
    queue_templated_mail(to=sorted(set(admin_emails(lead)) | {user.email}),
                         template_prefix="applications/email/dossier_receipt",
                         context=context, cause="applications:dossier_receipt",
                         attachment_ids=[dossier.receipt_id],
                         dedup_key=f"dossier-receipt-{dossier.pk}-{round_key}")
    queue_templated_mail(to=[call.contact_email],
                         template_prefix="applications/email/dossier_filed_contact",
                         context=context, cause="applications:dossier_filed",
                         dedup_key=f"dossier-filed-{dossier.pk}-{round_key}")
