"""The officers' ranking page of a call (« Classement et décisions »): dossiers by mark with
the requested subsidy, the amount proposed, the running total against the envelope and the
target number of projects; per dossier an intermediate page to stage a decision; a button to
announce every staged decision together (with a confirmation page).

Only Region officers reach these pages (anybody else on the admin: 403). Nothing changes
here: every step goes through `services.decisions`, refusals come back as messages.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.dossier_documents import row_figures, row_rate, row_title
from applications.models import Dossier
from calls.models import Call
from calls.rules import is_officer
from connaissance.formatting import long_datetime, money, percent
from connaissance.ui.admin_readonly import OfficersOnlyMixin, ReadOnlyMixin
from connaissance.workflow import TransitionNotAllowed

from .errors import EvaluationError
from .models import Decision, DecisionOutcome, Ranking
from .ranking import RANKED_STATES, rank
from .services import decisions as decision_services

TEMPLATES = "admin/evaluation/ranking/"


class StageForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"),
                                choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    rate = forms.CharField(
        label=gettext_lazy("Awarded rate (%)"), required=False,
        help_text=gettext_lazy("Selected only. Leave blank for the requested rate."))
    amount = forms.CharField(
        label=gettext_lazy("Awarded amount (€)"), required=False,
        help_text=gettext_lazy("Selected only. Leave blank: the subsidy rule computes it "
                               "from the rate (eligible base × rate, rounded to the cent)."))
    reasons = forms.CharField(
        label=gettext_lazy("Reasons"), required=False,
        widget=forms.Textarea(attrs={"rows": 6, "cols": 80}),
        help_text=gettext_lazy("Required when the dossier is not selected; sent to the "
                               "collective with the decision."))


@admin.register(Ranking)
class RankingAdmin(OfficersOnlyMixin, ReadOnlyMixin, admin.ModelAdmin):
    """No list of its own: the changelist is the choice of a call, then its ranking."""

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("", view(self.calls_view), name=f"{prefix}_changelist"),
            path("<int:call_id>/", view(self.ranking_view), name=f"{prefix}_call"),
            path("<int:call_id>/stage/<int:dossier_id>/", view(self.stage_view),
                 name=f"{prefix}_stage"),
            path("<int:call_id>/unstage/<int:decision_id>/", view(self.unstage_view),
                 name=f"{prefix}_unstage"),
            path("<int:call_id>/announce/", view(self.announce_view),
                 name=f"{prefix}_announce"),
        ]

    # --- helpers -----------------------------------------------------------------------------

    def _officer(self, request):
        if not is_officer(request.user):
            raise PermissionDenied

    def _page(self, request, title, **context):
        return {**self.admin_site.each_context(request), "title": title,
                "opts": self.model._meta, **context}

    def _ranking_url(self, call):
        return reverse("admin:evaluation_ranking_call", args=[call.pk])

    # --- pages -------------------------------------------------------------------------------

    def calls_view(self, request):
        self._officer(request)
        calls = Call.objects.order_by("-pk")
        return TemplateResponse(request, TEMPLATES + "calls.html", self._page(
            request, _("Ranking and decisions"),
            calls=[(call, self._ranking_url(call)) for call in calls]))

    def ranking_view(self, request, call_id):
        self._officer(request)
        call = get_object_or_404(Call, pk=call_id)
        ranking = rank(call)
        return TemplateResponse(request, TEMPLATES + "ranking.html", self._page(
            request, _("Ranking: %(call)s") % {"call": call.title}, call=call,
            ranking=ranking, rows=[self._row(call, row) for row in ranking.rows],
            envelope=money(ranking.envelope), total=money(ranking.total),
            remaining=money(ranking.remaining),
            announce_url=reverse("admin:evaluation_ranking_announce", args=[call.pk])))

    def _row(self, call, row):
        decision, summary = row.decision, row.summary
        return {
            "row": row, "dossier": row.dossier, "title": row.title,
            "collective": row.dossier.note.collective.name,
            "mean": summary.mean, "median": summary.median, "spread": summary.spread,
            "disagreement": summary.disagreement, "progress": str(row.progress),
            "progress_complete": row.progress.complete,
            "requested": money(row.requested), "requested_rate": percent(row.requested_rate),
            "proposed": money(decision.awarded_amount) if decision and
            decision.awarded_amount is not None else "",
            "proposed_rate": percent(decision.awarded_rate) if decision else "",
            "decision": decision,
            "counted": money(row.counted) if row.takes_money else "—",
            "running_total": money(row.running_total),
            "stage_url": reverse("admin:evaluation_ranking_stage",
                                 args=[call.pk, row.dossier.pk]),
            "unstage_url": reverse("admin:evaluation_ranking_unstage",
                                   args=[call.pk, decision.pk]) if decision else "",
            "dossier_url": reverse("admin:applications_dossier_change", args=[row.dossier.pk]),
        }

    def stage_view(self, request, call_id, dossier_id):
        self._officer(request)
        call = get_object_or_404(Call, pk=call_id)
        dossier = get_object_or_404(
            Dossier.objects.select_related("note__collective__call", "decision"),
            pk=dossier_id, note__collective__call=call, status__in=RANKED_STATES)
        current = Decision.objects.filter(dossier=dossier).first()
        initial = {"outcome": current.outcome, "rate": current.awarded_rate or "",
                   "reasons": current.reasons} if current else {}
        form = StageForm(request.POST if request.method == "POST" else None, initial=initial)
        award, error = None, None
        if form.is_bound and form.is_valid():
            data = form.cleaned_data
            try:
                if data["outcome"] == DecisionOutcome.SELECTED:
                    award = decision_services.proposed_award(
                        dossier, data["rate"] or None, data["amount"] or None)
                if "apply" in request.POST:
                    decision_services.stage_decision(
                        officer=request.user, dossier=dossier, outcome=data["outcome"],
                        rate=data["rate"] or None, amount=data["amount"] or None,
                        reasons=data["reasons"])
                    self.message_user(request, _("Decision staged for %(dossier)s: it will be "
                                                 "announced with the others.")
                                      % {"dossier": dossier}, messages.SUCCESS)
                    return HttpResponseRedirect(self._ranking_url(call))
            except (EvaluationError, TransitionNotAllowed) as exc:
                error = str(exc)
        figures = row_figures(dossier)
        return TemplateResponse(request, TEMPLATES + "stage.html", self._page(
            request, _("Decision on %(dossier)s") % {"dossier": dossier}, call=call,
            dossier=dossier, title_text=row_title(dossier), form=form, error=error,
            current=current, ranking_url=self._ranking_url(call),
            facts=[(_("Eligible base"), money(figures.eligible_base)),
                   (_("Requested rate"), percent(row_rate(dossier)) or "—"),
                   (_("Requested subsidy"), money(figures.requested_subsidy)),
                   (_("Rate range"), f"{percent(call.min_rate)} – "
                                     f"{percent(figures.rate_ceiling)}"
                    + (" " + _("(bonus for a low-training-supply territory)")
                       if figures.bonus_applied else "")),
                   (_("Award range"), f"{money(call.min_award)} – {money(call.max_award)}")],
            award=award and {"rate": percent(award.rate), "amount": money(award.amount)}))

    def unstage_view(self, request, call_id, decision_id):
        self._officer(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        call = get_object_or_404(Call, pk=call_id)
        decision = get_object_or_404(Decision, pk=decision_id,
                                     dossier__note__collective__call=call)
        try:
            decision_services.unstage(officer=request.user, decision=decision)
        except EvaluationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(request, _("Staged decision withdrawn."), messages.SUCCESS)
        return HttpResponseRedirect(self._ranking_url(call))

    def announce_view(self, request, call_id):
        self._officer(request)
        call = get_object_or_404(Call, pk=call_id)
        if request.method == "POST" and "confirm" in request.POST:
            try:
                result = decision_services.announce(officer=request.user, call=call)
            except (EvaluationError, TransitionNotAllowed) as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self._report(request, result)
            return HttpResponseRedirect(self._ranking_url(call))
        staged = list(decision_services.staged_decisions(call))
        return TemplateResponse(request, TEMPLATES + "announce.html", self._page(
            request, _("Announce the staged decisions: %(call)s") % {"call": call.title},
            call=call, ranking_url=self._ranking_url(call),
            staged=[{"decision": d, "title": row_title(d.dossier),
                     "amount": money(d.awarded_amount), "rate": percent(d.awarded_rate)}
                    for d in staged],
            total=money(sum((d.awarded_amount for d in staged
                             if d.awarded_amount is not None), start=0))))

    def _report(self, request, result):
        announced = len(result["announced"])
        self.message_user(request, _(
            "%(count)s decisions announced (%(selected)s selected, %(rejected)s not selected, "
            "%(waitlisted)s on the waiting list) on %(when)s.") % {
            "count": announced, "when": long_datetime(timezone.now()), **{
                key: result[key] for key in DecisionOutcome.values}},
            messages.SUCCESS if announced else messages.INFO)
        if result["skipped"]:
            self.message_user(request, _(
                "Left staged, the dossier can no longer be decided: %(dossiers)s.")
                % {"dossiers": ", ".join(result["skipped"])}, messages.WARNING)
